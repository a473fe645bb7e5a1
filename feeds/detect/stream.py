"""A breach told without naming the truce, known from the bot's own stream.

"Strikes kill 40 in Gaza" names no truce; while the stream says a Gaza truce is in force (see
feeds.truces), an attack in the headline of an item about that conflict breaks it. Only the
headline counts: summaries recount older fighting.

Imports feeds.conflicts, feeds.lexicon, feeds.model, feeds.detect.breach.
"""

from __future__ import annotations

from feeds.conflicts import conflict_of
from feeds.detect.breach import _halted, _negated
from feeds.lexicon import Lexicon
from feeds.model import StreamContext


def stream_breach(
    lex: Lexicon, title: str, actors: tuple[str, ...], context: StreamContext | None
) -> str | None:
    """The headline's attack word when the item's conflict has a truce in force, else None."""
    if context is None or not context.truces_in_force or not actors:
        return None
    if conflict_of(actors) not in context.truces_in_force:
        return None
    for m in lex.find("attack", title):
        if not _halted(lex, title, m) and not _negated(lex, title, m):
            return m.group(0)
    return None
