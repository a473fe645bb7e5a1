"""Regression guard: classify every labelled set and hold each figure above its floor.

Each floor is 0.03 below the figure measured when the floor was set (docs/evaluation.md), so a
change that costs more than noise fails here. Sets that read the shared corpora skip when those
are absent; CI has them beside the clone.
"""

from __future__ import annotations

import pytest

from tests.corpora import available, load_set, predict, score

MARGIN = 0.03
# Figures measured on 2026-12-06 at the end of the detection work (docs/evaluation.md: the sets
# named blind were scored blind once, then joined dev); the floor is each minus MARGIN.
MEASURED = {
    "dev": {"alert_p": 1.0, "alert_r": 1.0, "blame_f1": 1.0, "pairs_f1": 1.0, "level_acc": 1.0},
    "dev-written-1": {
        "alert_p": 1.0,
        "alert_r": 1.0,
        "blame_f1": 1.0,
        "pairs_f1": 0.96,
        "level_acc": 0.988,
    },
    "dev-written-2": {
        "alert_p": 1.0,
        "alert_r": 1.0,
        "blame_f1": 1.0,
        "pairs_f1": 0.98,
        "level_acc": 1.0,
    },
    "dev-written-3": {
        "alert_p": 1.0,
        "alert_r": 1.0,
        "blame_f1": 0.936,
        "pairs_f1": 0.868,
        "level_acc": 0.938,
    },
    "real-dev-2023": {
        "alert_p": 0.857,
        "alert_r": 0.857,
        "blame_f1": 0.7,
        "pairs_f1": 0.769,
        "level_acc": 0.907,
    },
    "realstream-alerts-2023": {
        "alert_p": 0.669,
        "alert_r": 1.0,
        "blame_f1": 0.704,
        "pairs_f1": 0.719,
        "level_acc": 0.633,
    },
    "blind-ml-2026-12": {
        "alert_p": 0.992,
        "alert_r": 0.929,
        "blame_f1": 0.883,
        "pairs_f1": 0.565,
        "level_acc": 0.858,
    },
    "real-blind-2023": {
        "alert_p": 0.63,
        "alert_r": 0.739,
        "blame_f1": 0.667,
        "pairs_f1": 0.727,
        "level_acc": 0.913,
    },
    "real-blind-2023b": {
        "alert_p": 0.791,
        "alert_r": 0.739,
        "blame_f1": 0.833,
        "pairs_f1": 0.857,
        "level_acc": 0.825,
    },
    "blind-ml2-2026-12": {
        "alert_p": 0.992,
        "alert_r": 0.921,
        "blame_f1": 0.8,
        "pairs_f1": 0.447,
        "level_acc": 0.833,
    },
    "real-blind-2023c": {
        "alert_p": 0.81,
        "alert_r": 0.773,
        "blame_f1": 0.769,
        "pairs_f1": 0.625,
        "level_acc": 0.903,
    },
    "real-blind-2023d": {
        "alert_p": 0.833,
        "alert_r": 0.769,
        "blame_f1": 0.6,
        "pairs_f1": 0.609,
        "level_acc": 0.875,
    },
    "blind-ml3-2026-12": {
        "alert_p": 0.992,
        "alert_r": 0.929,
        "blame_f1": 0.865,
        "pairs_f1": 0.663,
        "level_acc": 0.863,
    },
    "real-blind-2023e": {
        "alert_p": 0.538,
        "alert_r": 0.5,
        "blame_f1": 0.4,
        "pairs_f1": 0.4,
        "level_acc": 0.897,
    },
    "real-blind-2023f": {
        "alert_p": 0.8,
        "alert_r": 0.727,
        "blame_f1": 1.0,
        "pairs_f1": 0.909,
        "level_acc": 0.9,
    },
    "blind-ml4-2026-12": {
        "alert_p": 0.969,
        "alert_r": 0.907,
        "blame_f1": 0.786,
        "pairs_f1": 0.579,
        "level_acc": 0.792,
    },
    "real-blind-2023g": {
        "alert_p": 0.286,
        "alert_r": 0.333,
        "blame_f1": 0.0,
        "pairs_f1": 0.0,
        "level_acc": 0.91,
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
