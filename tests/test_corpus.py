"""Regression guard: classify the labelled dev corpus and score it with the shared scorer."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from feeds.detect import classify

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpora" / "ceasefire" / "dev.jsonl"
SCORER = SHARED / "eval" / "score.py"
MIN_ALERT_F1 = 0.85
ALERTS = {"blame", "violation"}


def _items() -> list[dict]:
    if not CORPUS.is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
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


def test_alert_f1_on_dev_corpus_stays_above_floor():
    """Alert (blame + violation) F1 on dev.jsonl must not drop below 0.85."""
    items = _items()
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


def test_pairs_match_the_scorer_names():
    """Pair names survive the shared scorer's normalisation: pair F1 stays above 0.80."""
    items = _items()
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
