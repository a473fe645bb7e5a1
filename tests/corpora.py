"""The labelled detection sets: where they live, how to read them, how to classify them.

Sets that carry only ids and labels (the real 2023 samples) take their text from the shared
real-stream corpus; the rest carry their own text. Used by tests/test_corpus.py and
scripts/evaluate.py.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from collections import Counter
from functools import cache
from pathlib import Path

from feeds.detect import classify

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"
REALSTREAM = SHARED / "corpora" / "realstream-2023" / "items.jsonl.gz"
SCORER = SHARED / "eval" / "score.py"
ALERTS = ("blame", "violation")
STILL_BLIND: frozenset[str] = frozenset()
# name -> gold files. "dev" sets were looked at while the rules changed. Sets named "blind" were
# written or labelled without sight of the detector and scored once (docs/evaluation.md); after
# that first score they are dev too. STILL_BLIND names those not yet scored.
SETS = {
    "dev": (SHARED / "corpora" / "ceasefire" / "dev.jsonl",),
    "dev-written-1": (DATA / "holdout" / "holdout.jsonl",),
    "dev-written-2": (DATA / "holdout2" / "holdout2.jsonl",),
    "dev-written-3": (DATA / "holdout3" / "holdout3.jsonl",),
    "real-dev-2023": (DATA / "real-dev-2023" / "labels.jsonl",),
    "realstream-alerts-2023": (DATA / "realstream-alerts-2023" / "labels.jsonl",),
    "blind-ml-2026-12": (
        DATA / "blind-ml-2026-12" / "part-a.jsonl",
        DATA / "blind-ml-2026-12" / "part-b.jsonl",
    ),
    "real-blind-2023": (DATA / "real-blind-2023" / "labels.jsonl",),
    "real-blind-2023b": (DATA / "real-blind-2023b" / "labels.jsonl",),
    "blind-ml2-2026-12": (
        DATA / "blind-ml2-2026-12" / "part-a.jsonl",
        DATA / "blind-ml2-2026-12" / "part-b.jsonl",
    ),
    "real-blind-2023c": (DATA / "real-blind-2023c" / "labels.jsonl",),
    "real-blind-2023d": (DATA / "real-blind-2023d" / "labels.jsonl",),
    "blind-ml3-2026-12": (
        DATA / "blind-ml3-2026-12" / "part-a.jsonl",
        DATA / "blind-ml3-2026-12" / "part-b.jsonl",
    ),
    "real-blind-2023e": (DATA / "real-blind-2023e" / "labels.jsonl",),
    "real-blind-2023f": (DATA / "real-blind-2023f" / "labels.jsonl",),
    "blind-ml4-2026-12": (
        DATA / "blind-ml4-2026-12" / "part-a.jsonl",
        DATA / "blind-ml4-2026-12" / "part-b.jsonl",
    ),
    "real-blind-2023g": (DATA / "real-blind-2023g" / "labels.jsonl",),
}


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@cache
def realstream() -> dict[str, dict]:
    with gzip.open(REALSTREAM, "rt", encoding="utf-8") as lines:
        return {item["id"]: item for item in map(json.loads, lines)}


def available(name: str) -> bool:
    return all(path.is_file() for path in SETS[name])


def load_set(name: str) -> list[dict]:
    """Gold items of one set, each with its title and summary."""
    items = [item for path in SETS[name] for item in read_jsonl(path)]
    if items and "title" not in items[0]:
        stream = realstream()
        items = [{**stream[item["id"]], **item} for item in items]
    return items


@cache
def scorer():
    """The shared scorer as a module (its name normalisation and P/R/F)."""
    spec = importlib.util.spec_from_file_location("ceasefire_score", SCORER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score(items: list[dict], predicted: list[dict]) -> dict[str, float]:
    """The scorer's figures: alert P/R, blame F1, pair F1, level accuracy, per-language recall."""
    sc = scorer()
    count: Counter[str] = Counter()
    for gold, got in zip(items, predicted, strict=True):
        ga, pa = gold["level"] in ALERTS, got["level"] in ALERTS
        gb, pb = gold["level"] == "blame", got["level"] == "blame"
        count.update(alert_tp=ga and pa, alert_fp=pa and not ga, alert_fn=ga and not pa)
        count.update(blame_tp=gb and pb, blame_fp=pb and not gb, blame_fn=gb and not pb)
        gp, pp = sc.pairset(gold["pairs"]), sc.pairset(got["pairs"])
        count.update(pair_tp=len(gp & pp), pair_fp=len(pp - gp), pair_fn=len(gp - pp))
        count.update(level=gold["level"] == got["level"])
        lang = gold.get("lang", "en")
        count.update({f"gold_{lang}": ga, f"hit_{lang}": ga and pa})
    ap, ar, _ = sc.prf(count["alert_tp"], count["alert_fp"], count["alert_fn"])
    out = {"alert_p": ap, "alert_r": ar, "level_acc": count["level"] / len(items)}
    out["blame_f1"] = sc.prf(count["blame_tp"], count["blame_fp"], count["blame_fn"])[2]
    out["pairs_f1"] = sc.prf(count["pair_tp"], count["pair_fp"], count["pair_fn"])[2]
    for key in [k for k in count if k.startswith("gold_") and count[k]]:
        lang = key.removeprefix("gold_")
        out[f"recall_{lang}"] = count[f"hit_{lang}"] / count[key]
    return out


def predict(items: list[dict]) -> list[dict]:
    """The detector's answer for each item, in the scorer's format."""
    out = []
    for item in items:
        found = classify(item["title"], item.get("summary") or "", item.get("lang"))
        pairs = [{"accuser": p.accuser, "accused": p.accused} for p in found.pairs]
        out.append({"id": item["id"], "level": str(found.level), "pairs": pairs})
    return out
