"""Which truce terms count: metaphors ("trade truce"), history ("1914 truce"), background
truces and quarrels without an armed conflict ("Gallagher brothers call truce") are dropped.

Imports feeds.lexicon, feeds.detect.scan.
"""

from __future__ import annotations

from feeds.detect.scan import (
    _CLOSE_QUOTES,
    _OPEN_QUOTES,
    _ItemScan,
    _Scan,
)
from feeds.detect.windows import OCCASION_WINDOW
from feeds.lexicon import Lexicon


def _valid_truces(scan: _Scan, category: str, is_old: bool) -> tuple[tuple[int, int], ...]:
    """Spans of truce terms that speak of an armed conflict now, not trade wars or 1914."""
    found = scan.find(category)
    if not found:
        return ()
    if scan.find("metaphor"):
        return ()  # "trade truce", "boardroom truce", "trêve des confiseurs"
    spans = tuple(m.span() for m in found)
    if is_old and _history(scan, spans):
        return ()  # "a century after the 1918 armistice"
    return spans


def _history(scan: _Scan, truces: tuple[tuple[int, int], ...]) -> bool:
    """Whether the sentence dates its truce to the past: a `history` word ("anniversary") that
    is not the occasion of one of `truces`, declared now ("a truce to mark the 80th
    anniversary", "zaferin 80. yıl dönümü nedeniyle ateşkes")."""
    found = scan.find("history")
    if not found:
        return False
    occasions = [
        m.span()
        for m in scan.find("occasion_history")
        if any(0 <= m.start() - b <= OCCASION_WINDOW for _, b in truces)
    ] + [
        m.span()
        for m in scan.find("history_occasion")
        if any(0 <= a - m.end() <= OCCASION_WINDOW for a, _ in truces)
    ]
    return any(not any(a <= m.start() and m.end() <= b for a, b in occasions) for m in found)


def _governed_weak(lex: Lexicon, scan: _Scan, is_old: bool) -> tuple[tuple[int, int], ...]:
    """Weak truce words ("agreement", "moratorium") that "despite" or a breach word governs
    ("clashes despite the Abuja agreement"): truces although no truce word names them."""
    spans = []
    for m in scan.find("governed"):
        weak = [
            w for w in _valid_truces(scan, "truce_weak", is_old) if m.start() <= w[0] < m.end()
        ]
        spans += weak[-1:]
    return tuple(spans)


def _no_armed_conflict(
    lex: Lexicon, item: _ItemScan, scans: list[_Scan], strong: list[tuple[tuple[int, int], ...]]
) -> bool:
    """No actor, no military word and only words like "truce" that also name a quarrel's end."""
    if item.any("military") or item.any("attack"):
        return False
    return all(
        lex.is_word("truce_soft", scan.text[a:b])
        for scan, truces in zip(scans, strong, strict=True)
        for a, b in truces
    )


def _quoted(text: str, truces: tuple[tuple[int, int], ...]) -> bool:
    return bool(truces) and all(
        text[a - 1 : a] in _OPEN_QUOTES and text[b : b + 1] in _CLOSE_QUOTES
        for a, b in truces
        if a > 0
    )


def _background(
    lex: Lexicon,
    scans: list[_Scan],
    titles: list[bool],
    strong: list[tuple[tuple[int, int], ...]],
    is_old: bool,
) -> list[bool]:
    """Per sentence, whether its truce terms are background rather than news of a truce.

    A headline's truce is metaphorical when the item's lead explains the metaphor
    ("Galatasaray ve Fenerbahçe arasında 'ateşkes'" + "derbi öncesi"); a truce named only in
    the summary of an anniversary piece ("50 years since division") or as "the last truce"
    under a headline about something else is history.
    """
    void = [False] * len(scans)
    if not any(strong):
        return void
    # Only a quoted headline truce is explained by the lead: "arasında 'ateşkes'".
    quoted = [
        t and _quoted(scan.text, truces)
        for t, scan, truces in zip(titles, scans, strong, strict=True)
    ]
    if any(quoted) and any(scan.find("metaphor") for scan in scans):
        void = quoted
    title_truce = any(t and s for t, s in zip(titles, strong, strict=True))
    if title_truce:
        return void
    if is_old and any(t and _history(scan, ()) for t, scan in zip(titles, scans, strict=True)):
        return [True] * len(scans)
    for i, (scan, truces) in enumerate(zip(scans, strong, strict=True)):
        if truces and all(scan.search("past", max(0, a - 30), a) for a, _ in truces):
            void[i] = True  # "El último cese al fuego expiró en 2024": not news of a truce
    return void
