"""What one reader may see of the leads: their owners and watch entries (empty: no limit), parcel leads or not.

Store methods that serve a person (the dashboard, related leads) take a Scope, so a rights-holder viewer's figures
and lists are narrowed by the store itself, before anything is counted or cut to a limit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    owners: tuple[str, ...] = ()
    entry_ids: tuple[str, ...] = ()
    exclude_parcels: bool = False  # leave out leads from parcel manifests (roles that may not see parcels)


UNSCOPED = Scope()  # every lead: investigators, supervisors, the CLI
