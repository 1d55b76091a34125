"""From leads to cases: actor networks linking shops by hard identifiers, cases (案件) with their status flow and
audit trail, and valuation against the criminal thresholds (docs/cases.md).

Layer: above `parcels` and `leads` (it reads stored leads, evidence captures and parcel shipper links), below
`triage` and the CLI, which show and drive it.
"""
