"""Officials, spokespeople and institutions resolve to their side in blame headlines.

Every headline was written for this file (none comes from a corpus): the speaker is named only by
a person or an office, so the accusation is found only if the actor table knows who they speak for.
"""

from __future__ import annotations

import pytest

from feeds.actors import find_actors
from feeds.detect import classify
from feeds.model import Level, Pair

HEADLINES = [
    # United States (NSC, State Department) on Gaza
    ("Kirby says Hamas broke the truce", "en", ("United States", "Hamas")),
    (
        "Matthew Miller accuses Hamas of violating the ceasefire in Gaza",
        "en",
        ("United States", "Hamas"),
    ),
    ("Рубио обвинил ХАМАС в нарушении перемирия", "ru", ("United States", "Hamas")),
    # Russia-Ukraine, Donbas
    ("Konashenkov says Ukrainian forces violated the Easter truce", "en", ("Russia", "Ukraine")),
    (
        "Lawrow wirft der Ukraine vor, die Waffenruhe gebrochen zu haben",
        "de",
        ("Russia", "Ukraine"),
    ),
    ("Budanov accusa Mosca di aver violato la tregua", "it", ("Ukraine", "Russia")),
    (
        "Басурин обвинил ВСУ в нарушении режима прекращения огня",
        "ru",
        ("Donetsk People's Republic", "Ukraine"),
    ),
    # Israel-Hamas-Hezbollah, Iran, mediators
    ("Hagari accuses Hezbollah of violating the ceasefire", "en", ("Israel", "Hezbollah")),
    ("أدرعي يتهم حزب الله بخرق وقف إطلاق النار", "ar", ("Israel", "Hezbollah")),
    ("أبو عبيدة يتهم إسرائيل بخرق الهدنة", "ar", ("Hamas", "Israel")),
    ("Abou Obeida accuse Israël de violer la trêve", "fr", ("Hamas", "Israel")),
    ("Baghaei accuses Israel of violating the ceasefire", "en", ("Iran", "Israel")),
    ("Mikati accuses Israel of violating the ceasefire", "en", ("Lebanon", "Israel")),
    ("Majed al-Ansari diz que Israel violou o cessar-fogo", "pt", ("Qatar", "Israel")),
    # India-Pakistan, Armenia-Azerbaijan
    ("Jaishankar accuses Pakistan of violating the ceasefire", "en", ("India", "Pakistan")),
    ("Bayramov accuses Armenia of violating the ceasefire", "en", ("Azerbaijan", "Armenia")),
    ("Мирзоян обвинил Азербайджан в нарушении перемирия", "ru", ("Armenia", "Azerbaijan")),
    # Sudan, Yemen, Libya, Syria
    ("Kabbashi accuses the RSF of breaching the truce", "en", ("Sudan", "Rapid Support Forces")),
    (
        "Yahya Saree says the Saudi-led coalition violated the truce",
        "en",
        ("Houthis", "Saudi Arabia"),
    ),
    ("Al-Eryani accuses the Houthis of violating the truce", "en", ("Yemen", "Houthis")),
    (
        "Mismari accuses GNA forces of breaking the ceasefire",
        "en",
        ("Libyan National Army", "Libya"),
    ),
    (
        "Shaibani accuses the SDF of violating the ceasefire",
        "en",
        ("Syria", "Syrian Democratic Forces"),
    ),
    # Great Lakes, Ethiopia
    (
        "Muyaya accuses M23 of violating the ceasefire",
        "en",
        ("Democratic Republic of the Congo", "M23"),
    ),
    (
        "Kanyuka accuse les FARDC de violer le cessez-le-feu",
        "fr",
        ("M23", "Democratic Republic of the Congo"),
    ),
    (
        "Nduhungirehe accuses Kinshasa of violating the ceasefire",
        "en",
        ("Rwanda", "Democratic Republic of the Congo"),
    ),
    (
        "Redwan Hussien accuses the TPLF of violating the truce",
        "en",
        ("Ethiopia", "Tigray People's Liberation Front"),
    ),
    # Thailand-Cambodia, Myanmar, Colombia
    ("Anutin accuses Cambodia of violating the ceasefire", "en", ("Thailand", "Cambodia")),
    ("Maly Socheata says Thai troops violated the ceasefire", "en", ("Cambodia", "Thailand")),
    (
        "Zaw Min Tun accuses the Arakan Army of violating the truce",
        "en",
        ("Myanmar", "Arakan Army"),
    ),
    ("Iván Velásquez acusa al ELN de violar el cese al fuego", "es", ("Colombia", "ELN")),
]


@pytest.mark.parametrize(("title", "lang", "edge"), HEADLINES)
def test_official_speaks_for_their_side(title, lang, edge):
    found = classify(title, "", lang)
    assert found.level == Level.BLAME
    assert set(found.pairs) == {Pair(*edge)}


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Генштаб ЗСУ повідомив про обстріли", "uk", "Ukraine"),
        ("Генштабу ЗСУ", "uk", "Ukraine"),
        ("штаб АТО сообщил", "ru", "Ukraine"),
        ("JFO HQ reported shelling", "en", "Ukraine"),
        ("Hamas's armed wing said", "en", "Hamas"),
        ("forces loyal to Haftar", "en", "Libyan National Army"),
        ("Ansar Allah", "en", "Houthis"),
        ("Tatmadaw", "en", "Myanmar"),
        ("Russian MoD", "en", "Russia"),
        ("Azerbaijani MoD", "en", "Azerbaijan"),
        ("Armenian MoD", "en", "Armenia"),
        ("Sudanese Armed Forces", "en", "Sudan"),
        ("Кирби заявил", "ru", "United States"),
        ("Гегсет заявив", "uk", "United States"),
        ("هيغسيث", "ar", "United States"),
        ("Şoygu açıkladı", "tr", "Russia"),
        ("Sacharowa sagte", "de", "Russia"),
    ],
)
def test_offices_and_officials_resolve(text, lang, expected):
    assert [m.name for m in find_actors(text, lang)] == [expected]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Matthew said the deal was done", "en"),  # a first name alone is nobody
        ("Lloyd's insurers raised war-risk premiums", "en"),
        ("Austin police said the suspect fled", "en"),
        ("Лапидарно и тихо", "ru"),  # "лапидарный", "тихий" are words, not Lapid or Tykhyi
        ("Плотницкие работы", "ru"),
        ("Reisi ve muallim toplantıya katıldı", "tr"),  # Turkish words "chief", "teacher"
    ],
)
def test_common_words_are_not_officials(text, lang):
    assert find_actors(text, lang) == []
