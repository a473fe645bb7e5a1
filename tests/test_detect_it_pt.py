"""Italian and Portuguese detection: lexicons, language guess and actor names.

Every headline here was written for this file, in the usual style of Italian and Portuguese
(European and Brazilian) wire copy; none comes from a corpus or another test.
"""

from __future__ import annotations

import json
from importlib import resources

import pytest

from feeds.actors import find_actors, resolve_actor
from feeds.detect import classify
from feeds.lang import SUPPORTED, guess_lang
from feeds.lexicon import load_lexicon
from feeds.model import Level, Pair

BLAME, VIOLATION, CEASEFIRE, NONE = Level.BLAME, Level.VIOLATION, Level.CEASEFIRE, Level.NONE


def pairs(*edges: tuple[str, str]) -> set[Pair]:
    return {Pair(accuser, accused) for accuser, accused in edges}


def mutual(a: str, b: str) -> set[Pair]:
    return pairs((a, b), (b, a))


ITALIAN = [
    # accuse: "X accusa Y di aver violato"
    (
        "La Russia accusa l'Ucraina di aver violato la tregua",
        "",
        BLAME,
        pairs(("Russia", "Ukraine")),
    ),
    (
        "Israele accusa Hamas di avere violato la tregua nella Striscia di Gaza",
        "",
        BLAME,
        pairs(("Israel", "Hamas")),
    ),
    (
        "Il governo thailandese accusa la Cambogia di aver infranto la tregua al confine",
        "",
        BLAME,
        pairs(("Thailand", "Cambodia")),
    ),
    # according to: "secondo X, Y ha violato"
    (
        "Secondo Mosca, l'esercito ucraino ha violato la tregua pasquale",
        "",
        BLAME,
        pairs(("Russia", "Ukraine")),
    ),
    # headline colon: "X: Y ha rotto"
    (
        "Kiev: le truppe russe hanno rotto il cessate il fuoco",
        "",
        BLAME,
        pairs(("Ukraine", "Russia")),
    ),
    # speech: "X ha detto che Y ha violato"
    (
        "Il Pakistan ha detto che l'India ha violato il cessate il fuoco in Kashmir",
        "",
        BLAME,
        pairs(("Pakistan", "India")),
    ),
    # post-posed speaker
    ("Hezbollah ha violato la tregua, afferma Israele", "", BLAME, pairs(("Israel", "Hezbollah"))),
    # mutual
    (
        "Armenia e Azerbaigian si accusano a vicenda di violare il cessate il fuoco",
        "",
        BLAME,
        mutual("Armenia", "Azerbaijan"),
    ),
    (
        "India e Pakistan si accusano di violazioni della tregua lungo il confine",
        "",
        BLAME,
        mutual("India", "Pakistan"),
    ),
    # the accusation in the summary
    (
        "Tregua a rischio nel Donbass",
        "Il ministero della Difesa russo ha accusato le forze ucraine di aver violato il cessate "
        "il fuoco nella notte.",
        BLAME,
        pairs(("Russia", "Ukraine")),
    ),
    # violation without a pair
    ("Razzi su Sderot nonostante la tregua", "", VIOLATION, set()),
    ("Violata la tregua nel sud del Libano: due morti", "", VIOLATION, set()),
    (
        "Scontri a fuoco a poche ore dall'avvio della tregua",
        "",
        VIOLATION,
        set(),
    ),
    # ceasefire news
    ("Entra in vigore il cessate il fuoco tra Israele e Iran", "", CEASEFIRE, set()),
    ("Colloqui al Cairo per una tregua a Gaza", "", CEASEFIRE, set()),
    # hard negatives: trade, politics, football, anniversary
    ("Tregua commerciale tra Washington e Pechino sui dazi", "", NONE, set()),
    ("Tregua politica nella maggioranza dopo lo scontro sul bilancio", "", NONE, set()),
    ("Tregua tra i tifosi prima del derby", "", NONE, set()),
    ("Cento anni fa la tregua di Natale del 1914 nelle trincee", "", NONE, set()),
]

PORTUGUESE = [
    # accuse: "X acusa Y de violar"
    ("A Rússia acusa a Ucrânia de violar o cessar-fogo", "", BLAME, pairs(("Russia", "Ukraine"))),
    ("Israel acusa o Hamas de violar a trégua em Gaza", "", BLAME, pairs(("Israel", "Hamas"))),
    (
        "Tailândia acusa Camboja de quebrar o cessar-fogo na fronteira",
        "",
        BLAME,
        pairs(("Thailand", "Cambodia")),
    ),
    # according to: "segundo X, Y violou"
    (
        "Segundo Moscou, as forças ucranianas violaram a trégua",
        "",
        BLAME,
        pairs(("Russia", "Ukraine")),
    ),
    # headline colon
    ("Kiev: tropas russas romperam o cessar-fogo", "", BLAME, pairs(("Ukraine", "Russia"))),
    # speech: "X disse que Y violou"
    (
        "O Paquistão disse que a Índia violou o cessar-fogo",
        "",
        BLAME,
        pairs(("Pakistan", "India")),
    ),
    # post-posed speaker
    ("O Hezbollah violou a trégua, afirmou Israel", "", BLAME, pairs(("Israel", "Hezbollah"))),
    # mutual
    (
        "Armênia e Azerbaijão acusam-se mutuamente de violar o cessar-fogo",
        "",
        BLAME,
        mutual("Armenia", "Azerbaijan"),
    ),
    (
        "Índia e Paquistão trocam acusações de violação da trégua na Caxemira",
        "",
        BLAME,
        mutual("India", "Pakistan"),
    ),
    # the accusation in the summary (European spelling)
    (
        "Trégua em risco no Donbass",
        "O Ministério da Defesa russo acusou as forças ucranianas de violarem o cessar-fogo "
        "durante a noite.",
        BLAME,
        pairs(("Russia", "Ukraine")),
    ),
    # violation without a pair
    ("Foguetes atingem Sderot apesar da trégua", "", VIOLATION, set()),
    ("Cessar-fogo violado no sul do Líbano; dois mortos", "", VIOLATION, set()),
    ("Tiroteios poucas horas após o início do cessar-fogo", "", VIOLATION, set()),
    # ceasefire news
    ("Cessar-fogo entre Israel e Irã entra em vigor", "", CEASEFIRE, set()),
    ("Negociadores reúnem-se no Cairo para discutir trégua em Gaza", "", CEASEFIRE, set()),
    # hard negatives: trade, politics, football, anniversary
    ("Trégua comercial entre Washington e Pequim reduz tarifas", "", NONE, set()),
    ("Trégua política no Congresso após semanas de embates", "", NONE, set()),
    ("Torcedores dos dois clubes fazem trégua antes do clássico", "", NONE, set()),
    ("Há 110 anos, a trégua de Natal de 1914 parou a guerra nas trincheiras", "", NONE, set()),
]


@pytest.mark.parametrize(("title", "summary", "level", "expected"), ITALIAN)
def test_italian(title, summary, level, expected):
    found = classify(title, summary, "it")
    assert found.level == level
    assert set(found.pairs) == expected


@pytest.mark.parametrize(("title", "summary", "level", "expected"), PORTUGUESE)
def test_portuguese(title, summary, level, expected):
    found = classify(title, summary, "pt")
    assert found.level == level
    assert set(found.pairs) == expected


def test_a_feed_tag_with_a_region_picks_the_lexicon():
    """Feeds tagged "pt-BR" and "it-IT" use their lexicon, not the English fallback."""
    found = classify("Rússia acusa Ucrânia de violar a trégua", "", "pt-BR")
    assert found.pairs == (Pair("Russia", "Ukraine"),)
    found = classify("La Russia accusa l'Ucraina di violare la tregua", "", "it-IT")
    assert found.pairs == (Pair("Russia", "Ukraine"),)


def _categories(lang: str) -> set[str]:
    path = resources.files("feeds") / "data" / "lexicon" / f"{lang}.json"
    return set(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("lang", ["it", "pt"])
def test_lexicons_carry_every_category(lang):
    """Both files are real lexicons (not the English fallback) with every category the Spanish
    and French ones have."""
    assert lang in SUPPORTED
    assert load_lexicon(lang).lang == lang
    assert (_categories("es") | _categories("fr")) <= _categories(lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Il ministero della Difesa ha dichiarato che gli attacchi sono continuati per tutta "
            "la notte nonostante la tregua.",
            "it",
        ),
        (
            "Secondo fonti locali, le forze governative hanno ripreso i bombardamenti dopo la "
            "scadenza dell'accordo.",
            "it",
        ),
        ("La Russia accusa l'Ucraina di aver violato la tregua", "it"),
        (
            "O governo afirmou que os ataques continuaram durante a noite, apesar da trégua "
            "anunciada na véspera.",
            "pt",
        ),
        (
            "Segundo fontes locais, as forças do governo retomaram os bombardeamentos após o fim "
            "do acordo.",
            "pt",
        ),
        ("A Rússia acusa a Ucrânia de violar o cessar-fogo", "pt"),
        # Spanish, French and English keep their guesses
        ("El Gobierno dijo que los ataques continuaron durante la noche pese a la tregua.", "es"),
        (
            "Según fuentes locales, el ejército reanudó los bombardeos tras el fin del acuerdo.",
            "es",
        ),
        ("Le gouvernement a déclaré que les frappes se sont poursuivies malgré la trêve.", "fr"),
        ("Selon des sources locales, l'armée a repris les bombardements à Moscou.", "fr"),
        ("The army said the attacks continued overnight despite the truce.", "en"),
    ],
)
def test_guess_lang_tells_italian_and_portuguese(text, lang):
    assert guess_lang(text) == lang


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("it", "le truppe russe e l'esercito ucraino", ["Russia", "Ukraine"]),
        ("it", "raid israeliani nel sud del Libano", ["Israel", "Lebanon"]),
        ("it", "il ministero della Difesa russo e Kiev", ["Russia", "Ukraine"]),
        ("it", "Mosca, Gerusalemme e Teheran", ["Russia", "Israel", "Iran"]),
        ("it", "i ribelli Houthi e l'Onu", ["Houthis", "United Nations"]),
        ("it", "Stati Uniti e Cina", ["United States", "China"]),
        ("pt", "as tropas russas e o Exército ucraniano", ["Russia", "Ukraine"]),
        ("pt", "ataques israelenses e forças israelitas", ["Israel", "Israel"]),
        ("pt", "o Ministério da Defesa da Rússia e Kiev", ["Russia", "Ukraine"]),
        ("pt", "Moscovo, Moscou e Teerão", ["Russia", "Russia", "Iran"]),
        ("pt", "Irã e Iêmen, Irão e Iémen", ["Iran", "Yemen", "Iran", "Yemen"]),
        ("pt", "as Nações Unidas e a União Europeia", ["United Nations", "European Union"]),
        ("pt", "Estados Unidos e EUA", ["United States", "United States"]),
    ],
)
def test_actor_names_in_italian_and_portuguese(lang, text, expected):
    assert [m.name for m in find_actors(text, lang)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "i leader dell'America Latina",
        "presidentes latino-americanos",
        "la Chiesa ortodossa russa",
        "a Igreja Ortodoxa Russa",
    ],
)
def test_italian_and_portuguese_false_friends(text):
    assert find_actors(text) == []


@pytest.mark.parametrize("lang", ["it", "pt"])
def test_every_un_member_has_its_cldr_name(lang):
    """CLDR's Italian and Portuguese (Brazil and Portugal) name of every member state."""
    babel = pytest.importorskip("babel")
    from tests.test_actors import UN_MEMBERS

    locales = ["it"] if lang == "it" else ["pt", "pt_PT"]
    for locale in locales:
        local = babel.Locale.parse(locale).territories
        missing = [c for c in UN_MEMBERS if resolve_actor(local[c].split(" (")[0]) is None]
        assert missing == []
