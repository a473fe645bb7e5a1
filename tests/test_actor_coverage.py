"""Parties of ceasefire wars since 1946 are known, in the ten languages.

Every headline was written for this file (none comes from a corpus): each names one armed group
of a war outside the recent-news set, and the accusation is found only if the actor table knows it.
"""

from __future__ import annotations

import pytest

from feeds.actors import find_actors, group_state
from feeds.conflicts import conflict_of
from feeds.detect import classify
from feeds.model import Level, Pair

SL, NEP, UK = "Sierra Leone", "Nepal", "United Kingdom"

HEADLINES = [
    # Europe
    ("Government accuses the RUF of breaking the Lomé ceasefire", "en", (SL, "RUF")),
    ("Britain accuses the IRA of breaching its ceasefire", "en", (UK, "IRA")),
    ("Лондон обвинил ИРА в нарушении перемирия", "ru", (UK, "IRA")),
    ("Spain accuses ETA of breaking its truce", "en", ("Spain", "ETA")),
    ("España acusa a ETA de romper la tregua", "es", ("Spain", "ETA")),
    ("Ankara reproche au PKK une violation du cessez-le-feu", "fr", ("Turkey", "PKK")),
    (
        "Belgrade accuses the KLA of violating the ceasefire",
        "en",
        ("Serbia", "Kosovo Liberation Army"),
    ),
    (
        "Bosnian government accuses Bosnian Serbs of violating the truce",
        "en",
        ("Bosnia and Herzegovina", "Republika Srpska"),
    ),
    (
        "Сараево обвинило боснийских сербов в нарушении перемирия",
        "ru",
        ("Bosnia and Herzegovina", "Republika Srpska"),
    ),
    (
        "Croatia accuses Krajina Serbs of violating the ceasefire",
        "en",
        ("Croatia", "Republic of Serbian Krajina"),
    ),
    (
        "Москва обвинила дудаевцев в нарушении перемирия",
        "ru",
        ("Russia", "Chechen Republic of Ichkeria"),
    ),
    (
        "Russia accuses Chechen rebels of breaking the truce",
        "en",
        ("Russia", "Chechen Republic of Ichkeria"),
    ),
    ("Moldova accuses Transnistria of violating the ceasefire", "en", ("Moldova", "Transnistria")),
    # Middle East and North Africa
    ("Iraq accuses the Mahdi Army of breaking the truce", "en", ("Iraq", "Mahdi Army")),
    ("العراق يتهم جيش المهدي بخرق الهدنة", "ar", ("Iraq", "Mahdi Army")),
    ("The PUK accuses the KDP of violating the ceasefire", "en", ("PUK", "KDP")),
    ("Israel accuses the PLO of violating the ceasefire", "en", ("Israel", "PLO")),
    ("Israel accuses the PFLP of breaking the truce", "en", ("Israel", "PFLP")),
    (
        "Marokko wirft der Polisario vor, die Waffenruhe gebrochen zu haben",
        "de",
        ("Morocco", "Polisario Front"),
    ),
    (
        "Syria accuses Jaysh al-Islam of violating the truce in Ghouta",
        "en",
        ("Syria", "Jaysh al-Islam"),
    ),
    ("Syria accuses Ahrar al-Sham of breaking the ceasefire", "en", ("Syria", "Ahrar al-Sham")),
    # Africa
    ("Angola accuses UNITA of violating the ceasefire", "en", ("Angola", "UNITA")),
    ("Ангола обвинила УНИТА в нарушении перемирия", "ru", ("Angola", "UNITA")),
    ("Moçambique acusa a Renamo de violar o cessar-fogo", "pt", ("Mozambique", "Renamo")),
    ("Uganda accuses the LRA of violating the truce", "en", ("Uganda", "Lord's Resistance Army")),
    ("Liberia accuses LURD of breaking the ceasefire", "en", ("Liberia", "LURD")),
    (
        "Sudan accuses JEM of violating the Darfur ceasefire",
        "en",
        ("Sudan", "Justice and Equality Movement"),
    ),
    ("Khartoum accuses the SPLM/A of breaking the truce", "en", ("Sudan", "SPLM/A")),
    ("Bujumbura accuse les FNL de violer le cessez-le-feu", "fr", ("Burundi", "FNL")),
    (
        "Kinshasa accuse le CNDP de violer le cessez-le-feu",
        "fr",
        ("Democratic Republic of the Congo", "CNDP"),
    ),
    (
        "Abidjan accuse les Forces nouvelles de violer le cessez-le-feu",
        "fr",
        ("Ivory Coast", "Forces Nouvelles"),
    ),
    ("Dakar accuse le MFDC de violer le cessez-le-feu", "fr", ("Senegal", "MFDC")),
    ("Nigeria accuses Boko Haram of breaking the ceasefire", "en", ("Nigeria", "Boko Haram")),
    ("Ethiopia accuses the ONLF of violating the ceasefire", "en", ("Ethiopia", "ONLF")),
    (
        "Bangui accuse le FPRC de violer le cessez-le-feu",
        "fr",
        ("Central African Republic", "FPRC"),
    ),
    # Asia
    ("Nepal accuses the Maoists of Nepal of breaking the ceasefire", "en", (NEP, "CPN (Maoist)")),
    ("Непал обвинил непальских маоистов в нарушении перемирия", "ru", (NEP, "CPN (Maoist)")),
    (
        "Indonesia accuses GAM of violating the ceasefire in Aceh",
        "en",
        ("Indonesia", "Free Aceh Movement"),
    ),
    ("Sri Lanka accuses the LTTE of violating the ceasefire", "en", ("Sri Lanka", "LTTE")),
    ("Manila accuses the MNLF of violating the ceasefire", "en", ("Philippines", "MNLF")),
    ("Filipinas acusa al MILF de violar el alto el fuego", "es", ("Philippines", "MILF")),
    ("India accuses the NSCN-IM of violating the ceasefire", "en", ("India", "NSCN-IM")),
    (
        "Myanmar accuses the UWSA of violating the ceasefire",
        "en",
        ("Myanmar", "United Wa State Army"),
    ),
    (
        "Tajikistan accuses the United Tajik Opposition of breaking the truce",
        "en",
        ("Tajikistan", "United Tajik Opposition"),
    ),
    (
        "Kambodscha wirft den Roten Khmer vor, die Waffenruhe gebrochen zu haben",
        "de",
        ("Cambodia", "Khmer Rouge"),
    ),
    # Americas
    ("El Salvador acusa al FMLN de violar la tregua", "es", ("El Salvador", "FMLN")),
    ("Nicaragua accuses the Contras of violating the ceasefire", "en", ("Nicaragua", "Contras")),
    ("Perú acusa a Sendero Luminoso de romper la tregua", "es", ("Peru", "Shining Path")),
    ("Il Guatemala accusa l'URNG di aver violato la tregua", "it", ("Guatemala", "URNG")),
]


@pytest.mark.parametrize(("title", "lang", "edge"), HEADLINES)
def test_blame_names_the_group(title, lang, edge):
    found = classify(title, "", lang)
    assert found.level == Level.BLAME, found
    assert Pair(*edge) in set(found.pairs), found


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Maoisten in Nepal", "de", "CPN (Maoist)"),
        ("los maoístas nepalíes", "es", "CPN (Maoist)"),
        ("serbobosnios", "es", "Republika Srpska"),
        ("ПКК", "ru", "PKK"),
        ("ІРА", "uk", "IRA"),
        ("جيش المهدي", "ar", "Mahdi Army"),
        ("UÇK", "tr", "Kosovo Liberation Army"),
        ("Jugoslawische Volksarmee", "de", "Yugoslavia"),
        ("ЮНА", "ru", "Yugoslavia"),
        ("Union soviétique", "fr", "Soviet Union"),
        ("Rhodesian forces", "en", "Rhodesia"),
        ("les Khmers rouges", "fr", "Khmer Rouge"),
        ("Vietcong", "de", "Viet Cong"),
        ("Exército de Resistência do Senhor", "pt", "Lord's Resistance Army"),
        ("Esercito di liberazione del Kosovo", "it", "Kosovo Liberation Army"),
        ("Tamil Tigers", "en", "LTTE"),
        ("Kızıl Kmerler", "tr", "Khmer Rouge"),
        ("Haut-Katanga", "fr", None),
        ("naxalites", "fr", "CPI (Maoist)"),
    ],
)
def test_aliases_in_each_language(text, lang, expected):
    assert [m.name for m in find_actors(text, lang)] == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("They were told to mend the fences", "en"),  # MEND is not an alias
        ("The ship switched off its AIS transponder", "en"),  # AIS (Islamic Salvation Army)
        ("Los senderistas subieron al monte", "es"),  # hikers, not Shining Path
        ("los pros y los contras del acuerdo", "es"),  # cons, not the Contras
        ("эта новость", "ru"),  # "this", not ETA
        ("una coppia unita", "it"),  # united, not UNITA
        ("ZANU-PF won the vote", "en"),  # Zimbabwe's ruling party, not ZANLA
        ("Soviet-era weapons", "en"),  # an adjective of time, not a party
        ("un fatto grave", "it"),
        ("فتح المعبر", "ar"),  # "opened the crossing", not Fatah
        ("Amal Clooney spoke", "en"),  # a first name, not the Amal movement
        ("The Free Papua concert", "en"),
    ],
)
def test_ordinary_words_are_not_actors(text, lang):
    assert find_actors(text, lang) == []


def test_lebanese_forces_lower_case_are_the_lebanese_state():
    assert [m.name for m in find_actors("Lebanese forces deployed in the south", "en")] == [
        "Lebanon"
    ]


@pytest.mark.parametrize(
    ("group", "state"),
    [
        ("RUF", "Sierra Leone"),
        ("CPN (Maoist)", "Nepal"),
        ("ETA", "Spain"),
        ("Kosovo Liberation Army", "Yugoslavia"),
        ("Viet Cong", "South Vietnam"),
        ("ZANLA", "Rhodesia"),
        ("Free Aceh Movement", "Indonesia"),
    ],
)
def test_group_state_of_new_groups(group, state):
    assert group_state(group) == state


@pytest.mark.parametrize(
    ("actors", "label"),
    [
        (["United Kingdom", "IRA"], "Northern Ireland"),
        (["Spain", "ETA"], "Basque Country"),
        (["Bosnia and Herzegovina", "Republika Srpska"], "Bosnia"),
        (["Sierra Leone", "RUF"], "Sierra Leone"),
        (["Nepal", "CPN (Maoist)"], "Nepal"),
        (["Indonesia", "Free Aceh Movement"], "Aceh"),
        (["Turkey", "PKK"], "Turkey–PKK"),
        (["Russia", "Chechen Republic of Ichkeria"], "Chechnya"),
        (["Sudan", "Justice and Equality Movement"], "Darfur"),
        (["Angola", "UNITA"], "Angola"),
        (["Sudan", "Rapid Support Forces"], "Sudan"),
        (["Russia", "Ukraine"], "Russia–Ukraine"),
    ],
)
def test_conflict_areas_of_new_wars(actors, label):
    assert conflict_of(actors) == label
