"""/tally counts and its HTML, and the conflict areas they are grouped by."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.model import Alert
from bot.services.tally import build_tally, fit_sections, format_tally, split_days
from feeds.actors import actor_names
from feeds.conflicts import OTHER, conflict_areas, conflict_labels, conflict_of
from feeds.model import Level, Pair
from tests.fakes.telegram_api import parse_telegram_html

NOW = datetime(2024, 3, 13, 12, 0, tzinfo=UTC)
AM_AZ = Pair("Armenia", "Azerbaijan")
AZ_AM = Pair("Azerbaijan", "Armenia")
RU_UA = Pair("Russia", "Ukraine")


def alert(
    number: int,
    *,
    at: datetime,
    level: Level = Level.BLAME,
    pairs: tuple[Pair, ...] = (),
    actors: tuple[str, ...] = (),
    link: str | None = None,
) -> Alert:
    return Alert(
        id=number,
        feed_url="https://example.org/feed",
        item_key=f"k{number}",
        title=f"Story {number}",
        summary="",
        link=link or f"https://example.org/{number}",
        published=at,
        source_title="Example",
        level=level,
        pairs=pairs,
        evidence="",
        matched=(),
        actors=actors,
        lang="en",
        novelty="",
        created=at,
    )


# -- conflict areas ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actors", "area"),
    [
        (["Russia", "Azerbaijan"], "Armenia–Azerbaijan"),  # the seed story is Karabakh news
        (["Nagorno-Karabakh"], "Armenia–Azerbaijan"),
        (["Russia"], "Russia–Ukraine"),
        (["Ukraine", "Russia"], "Russia–Ukraine"),
        (["Israel"], "Israel–Gaza"),
        (["Israel", "Lebanon"], "Israel–Lebanon"),
        (["Israel", "Syria"], "Syria"),
        (["Russia", "Turkey", "Syria"], "Syria"),
        (["Pakistan"], "India–Pakistan"),
        (["Pakistan", "Afghanistan"], "Afghanistan–Pakistan"),
        (["Democratic Republic of the Congo", "Rwanda"], "DR Congo"),
        (["North Korea"], "Korea"),
        (["Thailand", "Cambodia"], "Thailand–Cambodia"),
        (["Saudi Arabia"], OTHER),  # a party to several wars says nothing alone
        (["United States"], OTHER),
        ([], OTHER),
    ],
)
def test_conflict_of(actors, area):
    """Canonical actors, accusers first, map to one conflict area label."""
    assert conflict_of(actors) == area


def test_tie_goes_to_the_actor_named_first():
    """Armenia accuses India (a tie): the accuser's war wins."""
    assert conflict_of(["Armenia", "India"]) == "Armenia–Azerbaijan"
    assert conflict_of(["India", "Armenia"]) == "India–Pakistan"


def test_every_area_is_reachable_with_the_actor_data():
    """Each area has an actor that points to it alone and that feeds.actors knows."""
    known = actor_names()
    for area in conflict_areas():
        anchors = [name for name, weight in area.weights if weight >= 2 and name in known]
        # A war between two states also fought elsewhere (Iran–Iraq) is reached by both names.
        anchors = anchors[:1] or [name for name, _ in area.weights if name in known]
        assert anchors, f"{area.label}: no actor known to feeds/data/actors"
        assert conflict_of(anchors) == area.label
    assert conflict_labels()[-1] == OTHER


# -- window argument -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], (7, [])),
        (["30"], (30, [])),
        (["30", "gaza"], (30, ["gaza"])),
        (["gaza", "30"], (7, ["gaza", "30"])),
    ],
)
def test_split_days(args, expected):
    """A leading number is the window in days; the rest are filter words."""
    assert split_days(args) == expected


@pytest.mark.parametrize("bad", ["0", "366", "9999"])
def test_split_days_refuses_out_of_range(bad):
    """The user is told the allowed range."""
    with pytest.raises(ValueError, match="1 to 365 days"):
        split_days([bad])


# -- counts --------------------------------------------------------------------------------


def test_build_tally_counts_pairs_and_violations_in_the_window():
    """Pairs per blame alert, violation reports per area, newest link per row, old ones out."""
    alerts = [
        alert(1, at=NOW - timedelta(days=1), pairs=(AM_AZ,)),
        alert(2, at=NOW - timedelta(hours=3), pairs=(AM_AZ, AZ_AM)),  # both count once
        alert(3, at=NOW - timedelta(days=3), pairs=(AM_AZ,)),
        alert(4, at=NOW - timedelta(days=2), pairs=(RU_UA,)),
        alert(5, at=NOW - timedelta(days=9), pairs=(RU_UA,)),  # outside 7 days
        alert(6, at=NOW - timedelta(hours=1), level=Level.VIOLATION, actors=("Ukraine",)),
        alert(7, at=NOW - timedelta(hours=2), level=Level.VIOLATION, actors=("Russia",)),
        alert(8, at=NOW - timedelta(hours=2), level=Level.VIOLATION, actors=("Azerbaijan",)),
        alert(9, at=NOW - timedelta(hours=5), level=Level.CEASEFIRE, actors=("Ukraine",)),
        alert(10, at=NOW + timedelta(hours=1), pairs=(RU_UA,)),  # after now
    ]
    tally = build_tally(alerts, days=7, now=NOW)
    rows = {row.label: (row.count, row.latest_link) for row in tally.accusations}
    assert rows == {
        "Armenia → Azerbaijan": (3, "https://example.org/2"),
        "Azerbaijan → Armenia": (1, "https://example.org/2"),
        "Russia → Ukraine": (1, "https://example.org/4"),
    }
    assert tally.accusations[0].label == "Armenia → Azerbaijan"
    areas = {row.label: (row.count, row.latest_link) for row in tally.violations}
    assert areas == {
        "Russia–Ukraine": (2, "https://example.org/6"),
        "Armenia–Azerbaijan": (1, "https://example.org/8"),
    }


def test_rows_with_equal_counts_put_the_most_recent_first():
    """Among equal counts, the pair active most recently leads."""
    alerts = [
        alert(1, at=NOW - timedelta(days=2), pairs=(RU_UA,)),
        alert(2, at=NOW - timedelta(hours=1), pairs=(AM_AZ,)),
    ]
    tally = build_tally(alerts, days=7, now=NOW)
    assert [r.label for r in tally.accusations] == ["Armenia → Azerbaijan", "Russia → Ukraine"]


# -- HTML ----------------------------------------------------------------------------------


def test_format_tally_is_valid_telegram_html_with_links():
    """Counts in <code>, labels escaped, one 'latest' link per row."""
    alerts = [
        alert(
            1,
            at=NOW - timedelta(hours=1),
            pairs=(Pair("A&B", "C<D"),),
            link="https://example.org/a?x=1&y=2",
        ),
        alert(2, at=NOW - timedelta(hours=2), pairs=(AM_AZ,)),
        alert(3, at=NOW - timedelta(hours=3), pairs=(AM_AZ,)),
        alert(
            4,
            at=NOW - timedelta(hours=4),
            level=Level.VIOLATION,
            actors=("Ukraine",),
            link="javascript:alert(1)",
        ),
    ]
    text = format_tally(build_tally(alerts, days=7, now=NOW))
    visible = parse_telegram_html(text)
    assert "Tally, last 7 days (6 Mar – 13 Mar 2024, UTC)" in visible
    assert "2 Armenia → Azerbaijan · latest 13 Mar" in visible
    assert "1 A&B → C<D" in visible
    assert "A&amp;B → C&lt;D" in text
    assert 'href="https://example.org/a?x=1&amp;y=2"' in text
    assert "javascript" not in text  # not a web link: the words stay, the link goes
    assert "1 Russia–Ukraine · latest 13 Mar" in visible


def test_format_tally_empty_window():
    """Nothing in the window: one plain sentence."""
    text = format_tally(build_tally([], days=1, now=NOW))
    assert text.endswith("No accusations or violation reports in the last day.")


def test_long_tally_is_cut_at_a_line_with_a_count_of_the_rest():
    """Hundreds of pairs: at most 4096 characters, whole lines, '…and N more'."""
    alerts = [
        alert(
            n,
            at=NOW - timedelta(minutes=n),
            pairs=(Pair(f"Accuser {n}", "Accused"),),
            link=f"https://example.org/{'x' * 200}/{n}",
        )
        for n in range(1, 400)
    ]
    text = format_tally(build_tally(alerts, days=7, now=NOW))
    assert len(text) <= 4096
    parse_telegram_html(text)
    shown = len(re.findall(r"latest 13 Mar", text))
    assert 0 < shown < 399
    assert text.endswith(f"…and {399 - shown} more")


def test_fit_sections_drops_a_title_without_lines():
    """A section none of whose lines fit disappears with its title."""
    text = fit_sections(["head"], [("A", ["a" * 50]), ("B", ["b" * 50])], limit=100)
    assert text == "head\n\nA\n" + "a" * 50 + "\n…and 1 more"
