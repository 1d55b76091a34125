"""Alert emails: rules, a durable SQLite outbox, immediate alerts and digests over SMTP (or .eml files).

Flow: the pipeline calls `AlertQueuer` for each stored lead → items in the outbox → `compose_*` renders messages →
`flush` sends them. See docs/alerts.md.
"""

from alerts.compose import compose_digest, compose_immediate, plan_digest, plan_immediate, plan_items
from alerts.outbox import Outbox, outbox_path
from alerts.queuer import AlertQueuer
from alerts.render import Renderer
from alerts.rules import Recipient, Rule, RulesError, RuleSet, contacts_rules, load_rules
from alerts.sender import SendReport, flush
from alerts.transport import EmlTransport, SmtpTransport, transport_for

__all__ = [
    "AlertQueuer",
    "EmlTransport",
    "Outbox",
    "Recipient",
    "Renderer",
    "Rule",
    "RuleSet",
    "RulesError",
    "SendReport",
    "SmtpTransport",
    "compose_digest",
    "compose_immediate",
    "contacts_rules",
    "flush",
    "load_rules",
    "outbox_path",
    "plan_digest",
    "plan_immediate",
    "plan_items",
    "transport_for",
]
