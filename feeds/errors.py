"""Exceptions raised by the feeds package; one root so callers can catch all of them."""


class FeedError(Exception):
    """Something went wrong with one feed; other feeds are unaffected."""


class FetchError(FeedError):
    """The feed could not be downloaded (network, HTTP status, size cap, refused address)."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class ParseError(FeedError):
    """The downloaded document is not a usable RSS, Atom or JSON feed."""
