"""One test per detection mechanism added for real news, each on sentences written for it."""

from __future__ import annotations

import pytest

from feeds.detect import classify
from feeds.model import Level


def pairs(title: str, summary: str = "", lang: str | None = "en") -> set[tuple[str, str]]:
    return {(p.accuser, p.accused) for p in classify(title, summary, lang).pairs}


def level(title: str, summary: str = "", lang: str | None = "en") -> Level:
    return classify(title, summary, lang).level


@pytest.mark.parametrize(
    "title",
    [
        "Kashmir truce under strain as both armies trade artillery fire",
        "Sudan truce falls apart within hours, residents report heavy gunfire",
        "Tripoli ceasefire teeters after a night of clashes",
        "Yemen truce crumbles as fighting flares near Marib",
        "Militia razes three villages during the ceasefire, aid groups say",
        "Dozens of civilians killed since the Tigray truce began",
        "Donbas ceasefire not being respected, observers warn",
    ],
)
def test_breach_told_in_other_words_is_a_violation(title):
    assert level(title) in (Level.VIOLATION, Level.BLAME)


@pytest.mark.parametrize(
    "title",
    [
        "Airstrikes kill 30 in Khartoum amid growing calls for a ceasefire",
        "Shelling continues as the cabinet meets to approve a ceasefire deal",
        "Drones hit Odesa hours before the announced ceasefire",
        "Fighting rages in Gaza as pressure grows for a truce",
        "Clashes erupt as ceasefire talks stall in Doha",
        "Fighting resumed in Gaza after the truce with Hamas expired",
        "Forty killed since the ceasefire ended in southern Lebanon",
        "Hamas could resume fighting if Israel violates the truce, official warns",
    ],
)
def test_fighting_with_no_truce_in_force_is_not_a_breach(title):
    assert level(title) in (Level.CEASEFIRE, Level.NONE)


def test_a_breach_word_reaches_a_truce_that_has_since_ended():
    title = "Israel says Hamas violated the truce before it expired on Friday"
    assert pairs(title) == {("Israel", "Hamas")}


def test_mutual_blame_over_an_ended_truce():
    summary = "The Jeddah truce ended on Sunday, with the army and the RSF blaming each other."
    assert pairs("Sudan truce lapses", summary) == {
        ("Sudan", "Rapid Support Forces"),
        ("Rapid Support Forces", "Sudan"),
    }


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Army says Pakistani troops violated the ceasefire near Poonch", ("India", "Pakistan")),
        ("The defence ministry said Azerbaijani units broke the truce", ("Armenia", "Azerbaijan")),
        ("Military spokesman says Hamas gunmen breached the truce", ("Israel", "Hamas")),
        (
            "The ministry said Russian forces shelled Kharkiv despite the truce",
            ("Ukraine", "Russia"),
        ),
    ],
)
def test_an_unnamed_institution_speaks_for_the_side_opposing_the_accused(title, expected):
    assert pairs(title) == {expected}


def test_a_victim_is_not_the_accused():
    title = "Two Thai soldiers wounded as Cambodian troops open fire despite truce, Thai army says"
    assert pairs(title) == {("Thailand", "Cambodia")}


def test_states_joined_to_a_place_are_places():
    title = "UN says refugees fled into Chad and South Sudan as airstrikes threatened the truce"
    assert pairs(title) == set()


def test_negated_fire_accuses_no_one():
    summary = "The headquarters said Ukrainian units held their fire and did not return fire."
    assert ("Russia", "Ukraine") not in pairs("Truce holds in Donbas", summary)
