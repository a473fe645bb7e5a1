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
    title = "Aid agency says families crossed into Chad and South Sudan while the truce was shaken"
    assert pairs(title) == set()


def test_negated_fire_accuses_no_one():
    summary = "The headquarters said Ukrainian units held their fire and did not return fire."
    assert ("Russia", "Ukraine") not in pairs("Truce holds in Donbas", summary)


def test_a_wire_dateline_is_a_place_not_a_party():
    summary = "ANKARA, Turkey: Kurdish militants attacked a border post despite the truce."
    assert ("Turkey", "Kurdish militants") not in pairs("Border post attacked", summary)
    assert pairs("Truce broken", "KYIV (AP) — Russia violated the truce, Ukraine said.") == {
        ("Ukraine", "Russia")
    }


def test_an_acronym_before_a_colon_still_speaks():
    assert pairs("IDF: Hamas gunmen violated the truce near Khan Younis") == {("Israel", "Hamas")}


@pytest.mark.parametrize(
    "title",
    [
        "Fighting has stopped in Khartoum since the Eid ceasefire took hold",
        "Families return to the border villages during the truce, hoping the fighting is over",
    ],
)
def test_fighting_that_stops_is_no_breach(title):
    assert level(title) is Level.CEASEFIRE


@pytest.mark.parametrize(
    "title",
    [
        "Veterans lay wreaths on Armistice Day in Edinburgh",
        "Today in history: the Korean armistice is signed at Panmunjom",
    ],
)
def test_memorials_and_history_are_not_truce_news(title):
    assert level(title) is Level.NONE


@pytest.mark.parametrize(
    "title",
    [
        "Council criticised for a resolution that fails to call for a ceasefire in Sudan",
        "Envoys urge both armies to respect the deal after earlier failed peace attempts",
        "Lawmakers trade barbs over aid to Kyiv as the winter session closes",
        "History lesson: in 1973 the Syrian army broke the truce on the Golan",
    ],
)
def test_failures_of_other_things_and_old_breaches_raise_no_alert(title):
    assert level(title) in (Level.CEASEFIRE, Level.NONE)


@pytest.mark.parametrize(
    ("title", "lang", "expected"),
    [
        (
            "General Staff: Russian troops shelled Sumy despite the truce",
            "en",
            ("Ukraine", "Russia"),
        ),
        (
            "Генштаб ЗСУ: російські війська обстріляли Суми попри перемир'я",
            "uk",
            ("Ukraine", "Russia"),
        ),
        (
            "État-major : les forces russes ont bombardé Soumy malgré la trêve",
            "fr",
            ("Ukraine", "Russia"),
        ),
    ],
)
def test_an_institution_before_a_headline_colon_speaks(title, lang, expected):
    assert pairs(title, "", lang) == {expected}


def test_a_country_before_a_headline_colon_is_a_topic():
    assert level("Lebanon: Israeli drone kills two despite truce") is Level.VIOLATION
    assert pairs("Lebanon: Israeli drone kills two despite truce") == set()


@pytest.mark.parametrize(
    ("title", "lang"),
    [
        (
            "Two Thai soldiers wounded as Cambodian troops opened fire despite the truce, "
            "the Thai army said",
            "en",
        ),
        (
            "Deux soldats thaïlandais blessés par des tirs cambodgiens malgré la trêve, "
            "selon l'armée thaïlandaise",
            "fr",
        ),
    ],
)
def test_the_wounded_side_is_not_accused(title, lang):
    assert ("Thailand", "Thailand") not in pairs(title, "", lang)
    assert ("Cambodia", "Thailand") not in pairs(title, "", lang)


def test_mutual_blame_by_unnamed_sides_of_a_named_war():
    assert pairs("Libya's two camps accuse each other of violating the truce") == {
        ("Libya", "Libyan National Army"),
        ("Libyan National Army", "Libya"),
    }


def test_unnamed_rebels_accusing_the_government_are_its_opponent():
    title = "Rebels accuse the Congolese government of violating the ceasefire"
    assert pairs(title) == {("M23", "Democratic Republic of the Congo")}


@pytest.mark.parametrize(
    "title",
    [
        "Clashes continue in Darfur as the army chief backs a truce extension",
        "Shelling goes on in Marib while the truce, due to expire on Sunday, still stands",
        "Air strikes hit Omdurman on the last day of the truce",
        "Rocket fire mars the fragile Gaza truce",
        "Heavy fighting eclipses the week-old Tigray truce",
        "Troops trade fire across the ceasefire line in Kashmir",
        "Mortar shells hit a peacekeepers' post near the buffer zone",
    ],
)
def test_more_breaches_of_a_truce_in_force(title):
    assert level(title) in (Level.VIOLATION, Level.BLAME)


@pytest.mark.parametrize(
    "title",
    [
        "Sudan's rivals agree to protect civilians but fail to agree a ceasefire",
        "Children get a break from war on the beach as the truce holds",
        "Why the Karabakh truce was destined to fail: an analysis",
        "Fighting rages in Khartoum despite talk of truce progress",
    ],
)
def test_more_truce_news_without_a_breach(title):
    assert level(title) in (Level.CEASEFIRE, Level.NONE)


@pytest.mark.parametrize(
    "title",
    [
        "Rebels order their units to stop firing from midnight",
        "Government announces suspension of offensive operations in the east",
        "Militia freezes its military activity for six months",
        "Army halts offensive on the rebel-held town for the holiday",
        "Armed group announces complete cessation of military operations",
    ],
)
def test_truce_news_in_other_words(title):
    assert level(title) is Level.CEASEFIRE


@pytest.mark.parametrize(
    "title",
    [
        "Government accuses the rebels of tearing up the truce",
        "Shelling resumed hours after the ceasefire was signed in Geneva",
        "Ceasefire monitors confirm a deadly exchange of fire near the border",
        "The ceasefire in Tigray is no longer observed, aid workers say",
    ],
)
def test_breach_vocabulary_of_wire_reports(title):
    assert level(title) in (Level.VIOLATION, Level.BLAME)


def test_the_militant_movement_is_the_items_one_armed_group():
    summary = (
        "The truce with the ELN took effect on Monday. The army said on Tuesday that a patrol "
        "had come under fire, blaming the guerrilla movement for breaking the truce."
    )
    assert pairs("Colombian truce shaken", summary) == {("Colombia", "ELN")}


@pytest.mark.parametrize(
    "title",
    [
        "Two UN peacekeepers killed by a roadside bomb in northern Mali",
        "Rebels and army try a new 48-hour truce after a failed ceasefire last week",
        "Celebrations broke out in Ramallah after the truce freed the first prisoners",
        "Police break up a rally outside parliament calling for a truce",
        "Families inspect the damage to their homes during the truce",
        "Minister under pressure to back the ceasefire amendment",
    ],
)
def test_words_that_only_look_like_breaches(title):
    assert level(title) in (Level.CEASEFIRE, Level.NONE)


def test_an_extended_truce_with_fighting_after_but_is_breached():
    assert level("Tigray truce extended, but fighting continues near Adigrat") is Level.VIOLATION


@pytest.mark.parametrize(
    ("title", "summary", "expected"),
    [
        (
            "Azerbaijan breaks the truce with drone strikes: Armenia",
            "",
            {("Armenia", "Azerbaijan")},
        ),
        ("Shelling of Kherson despite Putin's Easter truce — Kyiv", "", {("Ukraine", "Russia")}),
        (
            "Army shells Goma outskirts after M23 'breaks truce'",
            "",
            {("Democratic Republic of the Congo", "M23")},
        ),
        (
            "Clashes go on in Khartoum",
            "Rival forces accuse each other of breaking the truce.",
            {("Sudan", "Rapid Support Forces"), ("Rapid Support Forces", "Sudan")},
        ),
        (
            "Fighting resumes in Gaza as the truce expires",
            "The army said Hamas fired rockets in the final hours of the truce.",
            {("Israel", "Hamas")},
        ),
    ],
)
def test_headline_credits_quoted_claims_and_unnamed_sides(title, summary, expected):
    assert pairs(title, summary) == expected


def test_a_speaker_before_the_colon_is_not_a_trailing_speaker():
    assert pairs("Israel: Hamas broke the truce overnight") == {("Israel", "Hamas")}


@pytest.mark.parametrize(
    ("title", "lang"),
    [
        ("Fresh clashes in the east despite the Addis Ababa agreement", "en"),
        ("Nuevos combates en el norte pese al acuerdo firmado en Lomé", "es"),
        ("Neue Kämpfe im Norden trotz des Abkommens von Arusha", "de"),
        ("Rebels accused of violating the military accord signed in June", "en"),
    ],
)
def test_a_weak_truce_word_governed_by_despite_or_a_breach_is_a_truce(title, lang):
    assert level(title, "", lang) in (Level.VIOLATION, Level.BLAME)


def test_a_weak_word_alone_is_no_truce():
    assert level("Markets rally despite the trade deal") is Level.NONE


@pytest.mark.parametrize(
    ("title", "lang", "expected"),
    [
        ("Les deux camps s'accusent mutuellement de violer la trêve au Soudan", "fr", "sides"),
        ("Обе стороны обвиняют друг друга в нарушении перемирия в Судане", "ru", "sides"),
        ("Rusia rompe la tregua con nuevos ataques: Ucrania", "es", {("Ukraine", "Russia")}),
        (
            "Russland bricht die Waffenruhe mit neuen Angriffen: Ukraine",
            "de",
            {("Ukraine", "Russia")},
        ),
        (
            "Армия обстреляла пригород Гомы после того, как M23 «нарушило перемирие»",
            "ru",
            {("Democratic Republic of the Congo", "M23")},
        ),
    ],
)
def test_unnamed_sides_credits_and_quoted_claims_in_other_languages(title, lang, expected):
    if expected == "sides":
        expected = {("Sudan", "Rapid Support Forces"), ("Rapid Support Forces", "Sudan")}
    assert pairs(title, "", lang) == expected


@pytest.mark.parametrize(
    ("title", "lang"),
    [
        ("Nuit de fusillades à Bouaké malgré le cessez-le-feu", "fr"),
        ("Attentati a Mogadiscio malgrado la tregua", "it"),
        ("Primo scontro armato dalla tregua di marzo", "it"),
        ("У передмісті знову стріляють попри перемир'я", "uk"),
        ("Suriye'de ateşkes bir gün bile sürmedi", "tr"),
        ("The Yemen truce did not last a day in Marib", "en"),
        ("Truce monitors log serious incidents near the buffer zone", "en"),
        ("Les rebelles veulent torpiller le cessez-le-feu, accuse le gouvernement malien", "fr"),
    ],
)
def test_more_breach_cues_in_several_languages(title, lang):
    assert level(title, "", lang) in (Level.VIOLATION, Level.BLAME)


@pytest.mark.parametrize(
    ("title", "lang"),
    [
        ("Наблюдатели ООН фиксируют перестрелку у линии разъединения", "ru"),
        ("Des observateurs de l'ONU signalent des tirs dans la zone tampon", "fr"),
        ("UN-Beobachter melden Artilleriefeuer im Grenzgebiet", "de"),
        ("На кордоні стріляють, хоча угода про припинення вогню набула чинності", "uk"),
        ("قتال عنيف في المدينة رغم سريان وقف إطلاق النار", "ar"),
    ],
)
def test_fire_under_truce_observers_and_although_clauses(title, lang):
    assert level(title, "", lang) is Level.VIOLATION


@pytest.mark.parametrize(
    ("title", "summary", "lang"),
    [
        ("Un soldato ucciso in piena tregua a Yala", "La tregua è scaduta ieri sera.", "it"),
        ("Les observateurs de l'ONU notent des infractions à la trêve au Liban", "", "fr"),
        ("Disparos cerca de la frontera ponen a prueba la tregua del Cóndor", "", "es"),
        ("Ordu, Kahire anlaşmasını çiğniyor", "Kamplar topa tutuldu.", "tr"),
    ],
)
def test_truce_held_then_and_more_breach_forms(title, summary, lang):
    assert level(title, summary, lang) in (Level.VIOLATION, Level.BLAME)
