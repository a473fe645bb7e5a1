"""Babel extractor for the conflict area labels (babel.cfg; run by scripts/i18n.sh).

The labels ("Armenia–Azerbaijan", "Sahel") are data in feeds/data/conflicts.json, shown in
/tally and the daily digest; bot.i18n.conflict_label looks them up under the context "conflict".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO

from feeds.conflicts import OTHER

Extracted = tuple[int, str, tuple[str, str], list[str]]
_COMMENT = "Translators: a conflict area (a war, its parties or its region), a tally heading."


def extract_conflicts(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: object
) -> Iterator[Extracted]:
    """(line, "pgettext", ("conflict", label), comments) for each area label, then "Other"."""
    text = fileobj.read().decode("utf-8")
    for area in json.loads(text)["areas"]:
        line = text[: text.index(json.dumps(area["label"], ensure_ascii=False))].count("\n") + 1
        yield line, "pgettext", ("conflict", area["label"]), [_COMMENT]
    yield 1, "pgettext", ("conflict", OTHER), [_COMMENT]
