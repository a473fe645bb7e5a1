"""Exceptions of the application layer; one root so the CLI can turn them into one clear line."""


class BotError(Exception):
    """Base class for errors the application reports to the operator as one line."""


class ConfigError(BotError):
    """A setting is missing or malformed; the message names the setting."""


class StoreError(BotError):
    """The database cannot be used (newer schema, locked by another process, corrupt)."""


class StoreUnavailable(StoreError):
    """The database cannot be reached right now (server down, connection lost): try later."""
