"""Regression guard: classify the labelled corpora and score them like the shared scorer.

The dev corpus lives in ../shared; the holdouts (tests/data/holdout*, each written blind to the
rules) ship with the repository, so CI checks generalisation too.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from feeds.detect import classify

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPORA = {
    "dev": SHARED / "corpora" / "ceasefire" / "dev.jsonl",
    "holdout": Path(__file__).resolve().parent / "data" / "holdout" / "holdout.jsonl",
    "holdout2": Path(__file__).resolve().parent / "data" / "holdout2" / "holdout2.jsonl",
    "holdout3": Path(__file__).resolve().parent / "data" / "holdout3" / "holdout3.jsonl",
}
SCORER = SHARED / "eval" / "score.py"
MIN_ALERT_F1 = 0.85
ALERTS = {"blame", "violation"}


def _items(corpus: Path) -> list[dict]:
    if not corpus.is_file():
        pytest.skip(f"corpus not found at {corpus}")
    lines = corpus.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _predict(items: list[dict]) -> dict[str, dict]:
    out = {}
    for item in items:
        found = classify(item["title"], item["summary"], item.get("lang"))
        out[item["id"]] = {
            "level": str(found.level),
            "pairs": [{"accuser": p.accuser, "accused": p.accused} for p in found.pairs],
        }
    return out


def _scorer():
    if not SCORER.is_file():
        return None
    spec = importlib.util.spec_from_file_location("ceasefire_score", SCORER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_alert_f1_stays_above_floor(corpus):
    """Alert (blame + violation) F1 must not drop below 0.85."""
    items = _items(CORPORA[corpus])
    predicted = _predict(items)
    tp = fp = fn = 0
    for item in items:
        gold = item["level"] in ALERTS
        got = predicted[item["id"]]["level"] in ALERTS
        tp += gold and got
        fp += got and not gold
        fn += gold and not got
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= MIN_ALERT_F1, f"alert F1 {f1:.3f} < {MIN_ALERT_F1}"


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_pairs_match_the_scorer_names(corpus):
    """Pair names survive the shared scorer's normalisation: pair F1 stays above 0.80."""
    items = _items(CORPORA[corpus])
    scorer = _scorer()
    if scorer is None:
        pytest.skip(f"scorer not found at {SCORER}")
    predicted = _predict(items)
    tp = fp = fn = 0
    for item in items:
        gold = scorer.pairset(item["pairs"])
        got = scorer.pairset(predicted[item["id"]]["pairs"])
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
    _, _, f1 = scorer.prf(tp, fp, fn)
    assert f1 >= 0.80, f"pair F1 {f1:.3f}"
