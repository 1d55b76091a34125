"""Regulated goods: listings of medicines, pesticides, veterinary drugs, fertilisers, seeds, food, health food,
medical devices and CCC-certified goods must carry a registration or approval number; its absence, a malformed,
retired or expired number, one missing from an imported register, or one registered for another product or holder
is a lead. Rules are data (data/regimes.yaml); registers are imported offline (netsword registers import).
docs/regulated-goods.md.
"""

from matchers.regulated.checks import REGULATED_KINDS, RegulatedChecks
from matchers.regulated.registers import Register, RegisterError, RegisterRecord, RegisterSnapshot
from matchers.regulated.rules import Regime, Rules, RulesError, load_rules

__all__ = [
    "REGULATED_KINDS",
    "Regime",
    "Register",
    "RegisterError",
    "RegisterRecord",
    "RegisterSnapshot",
    "RegulatedChecks",
    "Rules",
    "RulesError",
    "load_rules",
]
