"""Regression guard: classify every labelled set and hold each figure above its floor.

Each floor is 0.03 below the figure measured when the floor was set (docs/evaluation.md), so a
change that costs more than noise fails here. Sets that read the shared corpora skip when those
are absent; CI has them beside the clone.
"""

from __future__ import annotations

import pytest

from tests.corpora import available, load_set, predict, score

MARGIN = 0.03
# Figures measured on 2026-12-06 (docs/evaluation.md); the floor is each minus MARGIN.
MEASURED = {
    "dev": {"alert_p": 1.0, "alert_r": 1.0, "blame_f1": 1.0, "pairs_f1": 1.0, "level_acc": 1.0},
    "dev-written-1": {
        "alert_p": 1.0,
        "alert_r": 1.0,
        "blame_f1": 1.0,
        "pairs_f1": 0.960,
        "level_acc": 0.988,
    },
    "dev-written-2": {
        "alert_p": 1.0,
        "alert_r": 1.0,
        "blame_f1": 1.0,
        "pairs_f1": 0.959,
        "level_acc": 1.0,
    },
    "dev-written-3": {
        "alert_p": 0.976,
        "alert_r": 1.0,
        "blame_f1": 0.936,
        "pairs_f1": 0.868,
        "level_acc": 0.925,
    },
    "real-dev-2023": {
        "alert_p": 0.815,
        "alert_r": 0.786,
        "blame_f1": 0.632,
        "pairs_f1": 0.720,
        "level_acc": 0.893,
    },
}


@pytest.mark.parametrize("name", sorted(MEASURED))
def test_figures_stay_above_their_floors(name):
    if not available(name):
        pytest.skip(f"{name}: corpus files not found (the shared corpora live beside the clone)")
    items = load_set(name)
    got = score(items, predict(items))
    low = {
        metric: (round(got[metric], 3), measured)
        for metric, measured in MEASURED[name].items()
        if got[metric] < measured - MARGIN
    }
    assert not low, f"{name}: below floor (got, measured): {low}"
