"""Lexicon terms are written in the term syntax, not raw regex, where the two differ."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from feeds.lang import SUPPORTED


@pytest.mark.parametrize("lang", sorted(SUPPORTED))
def test_no_term_spells_out_a_word_ending(lang):
    """The syntax turns '*' into '\\w*', so a written '\\w*' would demand one more letter."""
    path = resources.files("feeds") / "data" / "lexicon" / f"{lang}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    bad = [t for v in data.values() if isinstance(v, list) for t in v if "\\w*" in t]
    assert not bad, bad
