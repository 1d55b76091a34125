"""The errors of matchers' input files, in a module that imports nothing: the command line catches them on every
command, and a command that never matches must not load the index to know them (benchmarks/startup.py).

Each is importable from its own module as before (matchers.adjustments.AdjustmentError, …).
"""


class AdjustmentError(ValueError):
    """A bad adjustments file line or request; the message names the file and line or the field."""


class LearnedScorerError(ValueError):
    """A weights file that cannot be used; the message names the file and the field."""


class RegisterError(ValueError):
    """An export that cannot be imported, or a compiled register that cannot be read; `file:line: field: reason`."""


class RulesError(ValueError):
    """A problem in a regulated-goods rules file; the message is `file:line: field: message`."""
