"""Institution speakers, victims, fighting that stops, threats and memorial days in the nine
non-English lexicons, each on sentences written for this test."""

from __future__ import annotations

import re

import pytest

from feeds.actors import find_actors
from feeds.detect import classify
from feeds.lexicon import load_lexicon, term_to_regex
from feeds.model import Level


def pairs(title: str, lang: str) -> set[tuple[str, str]]:
    return {(p.accuser, p.accused) for p in classify(title, "", lang).pairs}


# An unnamed institution speaks for the side opposing the party it accuses.
INSTITUTION = [
    ("ru", "Министерство обороны заявило, что азербайджанские подразделения нарушили перемирие"),
    ("uk", "Міністерство оборони заявило, що азербайджанські підрозділи порушили перемир'я"),
    (
        "fr",
        "Le ministère de la Défense affirme que des unités azerbaïdjanaises ont violé "
        "le cessez-le-feu",
    ),
    ("es", "El Ministerio de Defensa afirmó que unidades azerbaiyanas violaron el alto el fuego"),
    (
        "de",
        "Das Verteidigungsministerium erklärte, aserbaidschanische Einheiten hätten "
        "die Waffenruhe gebrochen",
    ),
    ("it", "Il ministero della Difesa ha dichiarato che unità azere hanno violato la tregua"),
    ("pt", "O Ministério da Defesa afirmou que unidades azerbaijanas violaram o cessar-fogo"),
]


@pytest.mark.parametrize(("lang", "title"), INSTITUTION)
def test_an_institution_speaks_for_the_opponent_of_the_accused(lang: str, title: str) -> None:
    assert pairs(title, lang) == {("Armenia", "Azerbaijan")}


def test_an_arabic_institution_speaks_for_the_opponent_of_the_accused() -> None:
    title = "وزارة الدفاع قالت إن القوات الروسية خرقت الهدنة"
    assert pairs(title, "ar") == {("Ukraine", "Russia")}


# victim_after, read right after the actor mention: the demonym follows the noun in fr, es,
# it, pt and precedes it in ru, uk, de, tr.
VICTIM = [
    ("ru", "Двое тайских военных ранены", "Thailand"),
    ("ru", "Трое украинских военнослужащих погибли", "Ukraine"),
    ("uk", "Двоє тайських військових поранені", "Thailand"),
    ("uk", "Троє українських військовослужбовців загинули", "Ukraine"),
    ("fr", "Deux soldats thaïlandais blessés", "Thailand"),
    ("fr", "Un soldat ukrainien a été tué", "Ukraine"),
    ("es", "Dos soldados tailandeses heridos", "Thailand"),
    ("es", "Tres civiles ucranianos resultaron heridos", "Ukraine"),
    ("de", "Zwei thailändische Soldaten verletzt", "Thailand"),
    ("de", "Drei ukrainische Zivilisten wurden getötet", "Ukraine"),
    ("it", "Due soldati thailandesi feriti", "Thailand"),
    ("it", "Un soldato ucraino è rimasto ucciso", "Ukraine"),
    ("pt", "Dois soldados tailandeses feridos", "Thailand"),
    ("pt", "Um soldado ucraniano foi morto", "Ukraine"),
    ("tr", "İki Taylandlı asker yaralandı", "Thailand"),
    ("ar", "جنديان إسرائيليان أصيبا بنيران حزب الله", "Israel"),
]


@pytest.mark.parametrize(("lang", "text", "victim"), VICTIM)
def test_victim_words_follow_the_actor_mention(lang: str, text: str, victim: str) -> None:
    lex = load_lexicon(lang)
    terms = [term_to_regex(t) for t in load_lexicon_terms(lang)]
    pattern = re.compile("|".join(terms), re.IGNORECASE)
    hits = [m for m in find_actors(text, lang) if m.name == victim]
    assert hits, text
    assert pattern.match(text, hits[0].end), text
    assert lex.patterns["victim_after"].pattern


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ru", "Российские войска убили двоих"),
        ("fr", "Les forces russes ont tué deux civils"),
        ("es", "Las tropas rusas mataron a dos civiles"),
        ("it", "Le truppe russe hanno ucciso due civili"),
        ("pt", "As tropas russas mataram dois civis"),
        ("de", "Russische Truppen töteten zwei Zivilisten"),
        ("ar", "روسيا قتلت مدنيين في خاركيف"),
    ],
)
def test_an_actor_who_kills_is_no_victim(lang: str, text: str) -> None:
    pattern = re.compile("|".join(term_to_regex(t) for t in load_lexicon_terms(lang)), re.I)
    m = next(a for a in find_actors(text, lang) if a.name == "Russia")
    assert pattern.match(text, m.end) is None


def load_lexicon_terms(lang: str) -> list[str]:
    import json
    from importlib import resources

    path = resources.files("feeds") / "data" / "lexicon" / f"{lang}.json"
    return json.loads(path.read_text(encoding="utf-8"))["victim_after"]


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        (
            "fr",
            "Deux soldats thaïlandais blessés par des tirs cambodgiens malgré la trêve, "
            "affirme l'armée thaïlandaise",
        ),
        (
            "tr",
            "Tayland ordusu, Kamboçya askerlerinin ateşkese rağmen ateş açtığını ve iki "
            "Taylandlı askerin yaralandığını açıkladı",
        ),
    ],
)
def test_the_wounded_side_accuses_the_side_that_fired(lang: str, title: str) -> None:
    assert pairs(title, lang) == {("Thailand", "Cambodia")}


# halt_after: fighting that eases, stops or falls silent is no attack inside the truce.
HALT = [
    ("ru", "Обстрелы прекратились с начала перемирия"),
    ("uk", "Обстріли припинилися з початку перемир'я"),
    ("fr", "Les combats ont cessé depuis la trêve de mardi"),
    ("es", "Los combates cesaron desde la tregua del martes"),
    ("de", "Kämpfe verstummen seit der Waffenruhe vom Dienstag"),
    ("it", "I combattimenti si sono fermati dall'inizio della tregua"),
    ("pt", "Os combates cessaram desde a trégua de terça-feira"),
    ("ar", "المعارك توقفت منذ الهدنة"),
    ("ar", "توقفت المعارك منذ الهدنة"),
]


@pytest.mark.parametrize(("lang", "title"), HALT)
def test_fighting_that_stops_is_no_breach(lang: str, title: str) -> None:
    assert classify(title, "", lang).level is Level.CEASEFIRE


def test_a_halt_on_the_line_of_control_is_no_breach() -> None:
    assert classify("Kontrol hattında çatışmalar durdu", "", "tr").level is Level.NONE


# A threat or a vow to break a truce is no breach.
THREAT = [
    ("ru", "ХАМАС пригрозил нарушить перемирие"),
    ("uk", "ХАМАС погрожує порушити перемир'я"),
    ("fr", "Le Hamas menace de violer la trêve"),
    ("es", "Hamás amenaza con violar la tregua"),
    ("de", "Hamas droht mit einem Bruch der Waffenruhe"),
    ("it", "Hamas minaccia di violare la tregua"),
    ("pt", "Hamas ameaça violar a trégua"),
    ("ar", "حماس تهدد بخرق الهدنة"),
    ("tr", "Hamas ateşkesi ihlal etmekle tehdit etti"),
]


@pytest.mark.parametrize(("lang", "title"), THREAT)
def test_a_threat_to_break_the_truce_is_no_violation(lang: str, title: str) -> None:
    assert classify(title, "", lang).level is Level.CEASEFIRE


# Memorial days and "today in history" pieces are not truce news.
MEMORIAL = [
    ("fr", "Jour de l'Armistice : cérémonie à l'Arc de Triomphe"),
    ("es", "Día del Armisticio: ceremonia en Londres"),
    ("pt", "Dia do Armistício: cerimônia em Londres"),
    ("it", "Giorno dell'armistizio, cerimonia a Londra"),
    ("ru", "День перемирия: церемония в Лондоне"),
    ("de", "Waffenstillstandstag: Zeremonie in London"),
    ("tr", "Mütareke Günü törenle anıldı"),
    ("fr", "Éphéméride : un cessez-le-feu signé en Corée"),
    ("es", "Tal día como hoy se firmó un alto el fuego en Corea"),
    ("it", "Accadde oggi: firmato il cessate il fuoco in Corea"),
    ("pt", "Hoje na história: assinado o cessar-fogo na Coreia"),
    ("de", "Kalenderblatt: Waffenstillstand in Korea unterzeichnet"),
    ("tr", "Tarihte bugün: Kore'de ateşkes imzalandı"),
]


@pytest.mark.parametrize(("lang", "title"), MEMORIAL)
def test_memorial_days_are_no_truce_news(lang: str, title: str) -> None:
    assert classify(title, "", lang).level is Level.NONE


def test_an_armistice_is_still_a_truce() -> None:
    assert (
        classify("L'armistice signé à Panmunjom tient toujours", "", "fr").level is Level.CEASEFIRE
    )


# A march, petition or effort to restore a truce names a truce that is not in force.
TOPIC = [
    ("fr", "Manifestation pour un cessez-le-feu à Gaza malgré les frappes"),
    ("es", "Marcha por un alto el fuego en Gaza mientras continúan los bombardeos"),
    ("it", "Corteo per il cessate il fuoco a Gaza mentre proseguono i raid"),
    ("pt", "Protestos por cessar-fogo em Gaza enquanto bombardeios continuam"),
    ("de", "Kundgebung für eine Waffenruhe in Gaza, während Angriffe andauern"),
    ("ru", "Митинг за прекращение огня в Газе на фоне обстрелов"),
    ("tr", "Gazze'de ateşkes yürüyüşü, saldırılar sürerken"),
    ("fr", "La France veut rétablir la trêve au Liban malgré les frappes"),
    ("es", "Mediadores buscan restablecer la tregua en Gaza pese a los ataques"),
]


@pytest.mark.parametrize(("lang", "title"), TOPIC)
def test_a_campaign_or_restoration_is_no_truce_in_force(lang: str, title: str) -> None:
    assert classify(title, "", lang).level is Level.CEASEFIRE
