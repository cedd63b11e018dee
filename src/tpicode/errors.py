"""Specific exception types, so shells can turn each into a clear message and exit status."""


class TpicodeError(Exception):
    """Base of every error tpicode raises on purpose."""


class InputError(TpicodeError):
    """The caller's input is unusable (empty note, bad date, unknown payer...)."""


class KnowledgeError(TpicodeError):
    """A knowledge file is missing or does not fit its schema."""
