"""Conflict areas: which war an alert is about, from its canonical actors ("Armenia–Azerbaijan").

The data ships in feeds/data/conflicts.json. Names there are resolved through
`feeds.actors.resolve_actor`, so the file may use any alias and still agrees with the actor data
when canonical names change. Pure; imports the stdlib and feeds.actors only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from feeds.actors import resolve_actor

OTHER = "Other"
# One actor that points to an area on its own weighs 2; a party seen in several wars weighs 1
# and needs company ("Russia blames Azerbaijan" is Karabakh news, not Ukraine news).
MIN_WEIGHT = 2


@dataclass(frozen=True, slots=True)
class ConflictArea:
    """A labelled conflict and how strongly each canonical actor points to it."""

    label: str
    weights: tuple[tuple[str, int], ...]
    sides: tuple[tuple[str, ...], ...] = ()  # each side's actors, main one first; () if many


@cache
def conflict_areas() -> tuple[ConflictArea, ...]:
    """Every conflict area in data order, actor names resolved to the canonical ones."""
    path = resources.files("feeds") / "data" / "conflicts.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    areas = []
    for entry in data["areas"]:
        weights: dict[str, int] = {}
        for name, weight in entry["actors"].items():
            # A name the actor data does not know yet (a group still to be added) stays as is.
            canonical = resolve_actor(name) or name
            weights[canonical] = max(weights.get(canonical, 0), int(weight))
        sides = tuple(
            tuple(resolve_actor(name) or name for name in side) for side in entry.get("sides", ())
        )
        areas.append(ConflictArea(entry["label"], tuple(weights.items()), sides))
    return tuple(areas)


def conflict_labels() -> tuple[str, ...]:
    """Every area label in data order, then "Other"."""
    return (*(area.label for area in conflict_areas()), OTHER)


@cache
def _weight_tables() -> tuple[tuple[str, dict[str, int]], ...]:
    """(label, actor → weight) of every area, built once: conflict_of runs for every alert."""
    return tuple((area.label, dict(area.weights)) for area in conflict_areas())


def conflict_of(actors: Sequence[str]) -> str:
    """The conflict area label for canonical actor names, most important first; else "Other".

    Pass the accusers and accused first: on a tie the area of the actor named first wins.
    """
    named = list(dict.fromkeys(actors))
    best: tuple[int, int, int] | None = None
    best_label = OTHER
    for order, (label, weights) in enumerate(_weight_tables()):
        score = sum(weights.get(name, 0) for name in named)
        if score < MIN_WEIGHT:
            continue
        first = min(i for i, name in enumerate(named) if name in weights)
        key = (-score, first, order)
        if best is None or key < best:
            best, best_label = key, label
    return best_label


def opponent_of(accused: str, actors: Sequence[str]) -> str | None:
    """The main actor of the side fighting `accused`, in the war `actors` are about when
    `accused` fights in several ("the army says Pakistani troops fired" is India speaking in
    India–Pakistan news, Afghanistan in Afghanistan–Pakistan news); None when unknown."""
    found = {}
    for area in conflict_areas():
        for i, side in enumerate(area.sides):
            if accused in side:
                found[area.label] = area.sides[1 - i][0]
    if len(found) > 1:
        return found.get(conflict_of(actors))
    return next(iter(found.values()), None)


def sides_of(actors: Sequence[str]) -> tuple[str, str] | None:
    """The main actor of each side of the war `actors` are about, if it has two sides."""
    label = conflict_of(actors)
    area = next((a for a in conflict_areas() if a.label == label and len(a.sides) == 2), None)
    return (area.sides[0][0], area.sides[1][0]) if area else None
