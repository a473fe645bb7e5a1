"""Story grouping across languages (feeds.group, feeds.places, feeds.numbers), one test per
mechanism with sentences written for it, and a floor on the labelled set (tests/stories.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from feeds.detect import classify
from feeds.group import Story, best_match, is_same_story, normalise_link, story_score
from feeds.model import Level, Pair
from feeds.numbers import counts
from feeds.places import is_similar, place_keys, place_words, skeleton
from tests.stories import group_stories, load_stories, score

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def story(title: str, summary: str, lang: str, *, hours: float = 0.0, link: str = "") -> Story:
    """A report as the poller sees it: the real detector, then Story.of."""
    found = classify(title, summary, lang)
    return Story.of(
        title=title,
        summary=found.summary or summary,
        link=link or f"https://{lang}.example/{abs(hash(title))}",
        level=found.level,
        published=T0 + timedelta(hours=hours),
        pairs=found.pairs,
        actors=found.actors,
        lang=lang,
    )


# --- places ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        ([("Shusha", "en"), ("Шуша", "ru"), ("Şuşa", "tr"), ("Choucha", "fr"), ("Schuscha", "de"),
          ("شوشة", "ar")], "jj"),
        ([("Tartus", "en"), ("Тартус", "ru"), ("Tartous", "fr"), ("طرطوس", "ar")], "trts"),
        ([("Jenin", "en"), ("Dschenin", "de"), ("Djénine", "fr"), ("جنين", "ar")], "jnn"),
        ([("Kharkiv", "en"), ("Харків", "uk"), ("Jarkiv", "es"), ("Charkiw", "de")], "krkf"),
    ],
)  # fmt: skip
def test_one_place_has_one_key_in_every_script(spellings, key):
    """Each language's spelling rules and the consonant classes meet on one key."""
    assert {skeleton(word, lang) for word, lang in spellings} == {key}


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("krkf", "krkff", True),  # an inflection left one more consonant ("Харкова")
        ("frkl", "kfrkl", True),  # a letter taken for an Arabic clitic
        ("trts", "trtk", True),  # one letter heard differently
        ("tm", "tmr", False),  # too short to be forgiven
        ("krkf", "bsr", False),
    ],
)
def test_similar_keys(a, b, similar):
    """Keys of three or more classes may differ by one at an end or in one place."""
    assert is_similar(a, b) is similar


@pytest.mark.parametrize(
    ("text", "lang", "words"),
    [
        ("Shelling hit the village of Marwa near Tartus overnight", "en", ["Marwa", "Tartus"]),
        ("Monday: Shelling was reported in Marwa", "en", ["Marwa"]),  # weekday, sentence start
        ("Shelling Hits Marwa Near Tartus Overnight", "en", ["Tartus"]),  # title case
        ("Beschuss im Dorf Marwa, Soldaten in Kraft", "de", ["Marwa"]),  # German nouns
        ("Marwa: Beschuss trotz Waffenruhe", "de", ["Marwa"]),  # dateline
        ("Marwa'da ateşkes ihlali", "tr", ["Marwa"]),  # Turkish locative suffix
        ("قصف على بلدة مروة قرب طرطوس", "ar", ["مروة", "طرطوس"]),  # after a place noun, a locative
        ("Обстрел села Марва под Тартусом", "ru", ["Марва", "Тартусом"]),
        ("Syrian army shells Russian base near Marwa", "en", ["Marwa"]),  # actors are not places
    ],
)  # fmt: skip
def test_place_words(text, lang, words):
    """Names: capitalised mid-sentence words, words after a marker, datelines, suffixes."""
    assert place_words(text, lang) == words


def test_a_name_written_joined_or_split_shares_a_key():
    """'Kfar Kila' in one language is 'كفركلا' in another."""
    split = place_keys("A drone strike hit a car in Kfar Kila on Monday", "", "en")
    joined = place_keys("غارة على بلدة كفركلا", "", "ar")
    assert split & joined


# --- counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "lang", "expected"),
    [
        ("Twelve drones shot down, 3 soldiers hurt", "en", {12, 3}),
        ("Сбиты двенадцать беспилотников", "ru", {12}),
        ("مقتل ثلاثة مدنيين و٤ جنود", "ar", {3, 4}),
        ("Zwölf Drohnen abgeschossen", "de", {12}),
        ("Strike on 9 December at 03:40 kills 5", "en", {5}),  # a date and a time are no counts
        ("Атака 9 грудня: загинули п'ятеро", "uk", set()),  # "п'ятеро" is not in the table
        ("M23 rebels seize a town, 2024 truce in tatters", "en", set()),  # names and years
    ],
)
def test_counts(title, lang, expected):
    """Digits in any script and number words count; dates, times, years and names do not."""
    assert counts(title, "", lang) == expected


# --- same story or not ------------------------------------------------------------------------

SHUSHA = [
    story(
        "Azerbaijan accuses Armenia of breaking the truce near Shusha",
        "Baku says Armenian units fired mortars at its posts outside Shusha, wounding three.",
        "en",
    ),
    story(
        "Азербайджан обвинил Армению в нарушении перемирия под Шушой",
        "По данным Баку, армянские подразделения обстреляли посты у Шуши, ранены трое.",
        "ru",
        hours=3,
    ),
    story(
        "Azerbaycan, Ermenistan'ı Şuşa yakınlarında ateşkesi ihlal etmekle suçladı",
        "Bakü'ye göre Ermeni birlikleri Şuşa'daki mevzilere ateş açtı, üç asker yaralandı.",
        "tr",
        hours=9,
    ),
]
KFAR_KILA = [
    story(
        "Israeli strike kills two in Kfar Kila despite the ceasefire",
        "Two people died when an Israeli drone hit a car in Kfar Kila in south Lebanon.",
        "en",
    ),
    story(
        "غارة إسرائيلية تقتل شخصين في بلدة كفركلا رغم وقف إطلاق النار",
        "قتل شخصان في غارة لمسيرة إسرائيلية على سيارة في بلدة كفركلا جنوب لبنان.",
        "ar",
        hours=2,
    ),
    story(
        "Frappe israélienne à Kfar Kila malgré le cessez-le-feu : deux morts",
        "Deux personnes ont péri quand un drone israélien a visé une voiture à Kfar Kila.",
        "fr",
        hours=4,
    ),
]


@pytest.mark.parametrize("reports", [SHUSHA, KFAR_KILA], ids=["blame", "violation"])
def test_one_event_in_three_languages_is_one_story(reports):
    """Pair or actors, conflict, hours apart, place and count agree across the languages."""
    first, *others = reports
    assert all(is_same_story(first, other) for other in others)


def test_same_pair_another_day_is_another_story():
    """Three days later the same accusation is news again (outside the window)."""
    later = story(
        "Azerbaijan accuses Armenia of breaking the truce near Shusha",
        "Baku says Armenian units fired at its posts outside Shusha, wounding three.",
        "en",
        hours=72,
    )
    assert story_score(SHUSHA[0], later) is None


def test_blame_the_other_way_round_is_another_story():
    """The same day and place, but Yerevan accusing Baku: two stories."""
    reverse = story(
        "Armenia accuses Azerbaijan of breaking the truce near Shusha",
        "Yerevan says Azerbaijani units fired at its posts outside Shusha, wounding three.",
        "en",
        hours=1,
    )
    assert not any(is_same_story(reverse, report) for report in SHUSHA)


def test_same_day_other_place_and_count_is_another_story():
    """An Israeli strike elsewhere in south Lebanon that day, with another toll."""
    elsewhere = story(
        "Israeli strike kills four in Aitaroun despite the ceasefire",
        "Four people died when Israeli jets hit a house in Aitaroun in south Lebanon.",
        "en",
        hours=3,
    )
    assert not any(is_same_story(elsewhere, report) for report in KFAR_KILA)


def test_truce_news_of_one_war_on_one_day_is_one_story():
    """Two announcements of the same truce group; the same words about another war do not."""
    spoken = story("Armenia and Azerbaijan agree a humanitarian truce", "", "en")
    written = story("Ереван и Баку согласовали гуманитарное перемирие", "", "ru", hours=5)
    elsewhere = story("Sudan's army and the RSF agree a humanitarian truce", "", "en", hours=1)
    assert spoken.level is Level.CEASEFIRE
    assert is_same_story(spoken, written)
    assert not is_same_story(spoken, elsewhere)


def test_a_mutual_accusation_names_no_direction():
    """'A and B accuse each other' keeps both sides but no one-way pair, and counts as a breach."""
    mutual = Story.of(
        title="",
        summary="",
        link="",
        level=Level.BLAME,
        published=T0,
        pairs=[Pair("Armenia", "Azerbaijan"), Pair("Azerbaijan", "Armenia")],
    )
    assert mutual.pairs == frozenset()
    assert mutual.level is Level.VIOLATION
    assert mutual.actors == {"Armenia", "Azerbaijan"}


def test_the_same_link_is_always_the_same_story():
    """A syndicated copy with tracking parameters is the same article."""
    a = story("Ceasefire holds in Tartus", "", "en", link="https://news.example/a?utm_source=x")
    b = story(
        "Перемирие в Тартусе соблюдается", "", "ru", hours=30, link="https://www.news.example/a"
    )
    assert normalise_link(a.link) == normalise_link(b.link)
    assert is_same_story(a, b)


def test_best_match_takes_the_story_that_agrees_most():
    """A report joins the story it shares most with, not the first that would do."""
    weaker = story(
        "Israeli strike in south Lebanon despite the ceasefire",
        "An Israeli drone hit a car in south Lebanon.",
        "en",
        hours=1,
    )
    known = [weaker, KFAR_KILA[0]]
    assert best_match(KFAR_KILA[2], known) == 1


# --- the labelled set ---------------------------------------------------------------------------

MARGIN = 0.03
# Measured on 2026-12-06 (docs/evaluation.md, "Story grouping", dev score after the detector
# work of branch detect-ml); the floor is each minus MARGIN.
MEASURED = {"precision": 1.0, "recall": 0.843, "alerted_recall": 0.929}


def test_grouping_holds_its_floor_on_the_labelled_set():
    """Pairwise precision and recall on tests/data/stories-ml stay above their floors."""
    result = score(group_stories(load_stories()))
    for name, measured in MEASURED.items():
        assert getattr(result, name) >= measured - MARGIN, name
