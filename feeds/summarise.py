"""Sentences and the short alert summary: split plain text into sentences, cut <= ~300 chars.

`split_sentences` is shared with feeds.detect so that the evidence sentence detect picks is one
of the sentences the summary is built from. Pure; imports feeds.text only.
"""

from __future__ import annotations

import re

from feeds.text import collapse_space, html_to_text

LIMIT = 300
_ELLIPSIS = "…"
# A sentence ends at . ! ? ؟ … (plus closing quotes/brackets) followed by space and a capital,
# digit, quote or a caseless letter (Arabic). "U.S.", "a.m." and "Feb." must not end one.
# The end mark is matched (not looked behind for) so re can skip to it in C; group "gap" is the
# boundary proper. Two boundaries never share an end mark: each ends before a capital or quote.
_BOUNDARY = re.compile(
    r"[.!?؟…](?P<gap>[\"'”’»)\]]*\s+)(?=[\"'“‘«(\[]?[A-ZÀ-ÝĀ-ſА-ЯЁІЇЄҐ0-9\u0600-\u06FF])"
)
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|St|No|Nos|Jan|Feb|Mar|Apr|Jun"
    r"|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|etc|approx|Gov|Sen|Rep|Prof|Adm|Cmdr|a\.m|p\.m|e\.g|i\.e"
    r"|ул|г|им|т|ст|Dr|Nr|bzw|Sr|Sra|Mme|M|Co|Inc|Ltd))\.$"
)


def split_sentences(text: str) -> list[str]:
    """Split plain text into sentences; semicolons separate headline clauses too."""
    if "  " in text or "\n" in text or "\t" in text or text[:1].isspace() or text[-1:].isspace():
        text = collapse_space(text)  # html_to_text output is already collapsed: skip the regex
    if not text:
        return []
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        cut = match.start("gap")
        head = text[start:cut].rstrip("\"'”’»)]")
        if _ABBREVIATION.search(head):
            continue
        pieces.append(text[start:cut].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    out: list[str] = []
    for piece in pieces:
        out.extend(p.strip() for p in piece.split("; ") if p.strip())
    return out


def _cut_words(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - len(_ELLIPSIS) + 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + _ELLIPSIS


def summarise(title: str, summary: str, evidence: str, *, limit: int = LIMIT) -> str:
    """At most `limit` chars of the item's own sentences, always holding the evidence sentence."""
    sentences = split_sentences(html_to_text(summary)) or split_sentences(html_to_text(title))
    return summarise_sentences(sentences, evidence, limit=limit)


def summarise_sentences(sentences: list[str], evidence: str, *, limit: int = LIMIT) -> str:
    """`summarise` for text already split (feeds.detect has the sentences at hand)."""
    evidence = collapse_space(evidence)
    if evidence:
        at = next((i for i, s in enumerate(sentences) if evidence in s or s in evidence), None)
        if at is None:
            sentences = [evidence, *sentences]  # the evidence came from the title
            at = 0
        # Start at the top when the evidence still fits, else start at the evidence itself.
        if len(" ".join(sentences[: at + 1])) > limit:
            sentences = sentences[at:]
    if not sentences:
        return ""
    chosen = [sentences[0]]
    for sentence in sentences[1:]:
        if len(" ".join([*chosen, sentence])) > limit:
            break
        chosen.append(sentence)
    return _cut_words(" ".join(chosen), limit)
