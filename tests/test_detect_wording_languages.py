"""Ways of naming a truce, and of dating fighting after one, across the ten lexicons: an elided
article before "agreement", moratoria on strikes, truces declared for an anniversary, verbal
ceasefires ("agree to halt fire"), "two days after the truce", and an unnamed institution that
calls a strike a breach. Each on sentences written for this test."""

from __future__ import annotations

import pytest

from feeds.detect import classify
from feeds.model import Level


def pairs(title: str, summary: str, lang: str) -> set[tuple[str, str]]:
    return {(p.accuser, p.accused) for p in classify(title, summary, lang).pairs}


# A weak truce word ("accord", "intesa") governed by "despite" or a breach word, with an elided
# article clinging to it.
ELIDED = [
    ("fr", "Des tirs d'artillerie au Kivu malgré l'accord conclu avec le M23"),
    ("fr", "Kinshasa dénonce des attaques du M23 en violation de l'accord de Luanda"),
    ("it", "Colpi di artiglieria nel Kivu nonostante l'intesa raggiunta con l'M23"),
    ("it", "Raid nel Kivu in barba all'accordo firmato a Luanda"),
]


@pytest.mark.parametrize(("lang", "title"), ELIDED)
def test_a_weak_truce_word_after_an_elided_article_is_governed(lang: str, title: str) -> None:
    assert classify(title, "", lang).level.is_alert


# A concessive ending in an elided article leads into the truce term that follows it.
def test_an_italian_concessive_may_end_in_an_elided_article() -> None:
    title = "Bombardamenti sul confine a dispetto dell'armistizio firmato in primavera"
    assert classify(title, "", "it").level is Level.VIOLATION


# Arabic "the opposition" (المعارضة) is no "opposes" (عارض): the truce near it is no proposal.
def test_the_arabic_opposition_does_not_make_a_truce_a_proposal() -> None:
    title = "فصائل المعارضة تقصف مواقع الجيش رغم الهدنة"
    assert classify(title, "", "ar").level is Level.VIOLATION


# A moratorium on strikes is a partial truce, whatever the preposition.
MORATORIUM = [
    (
        "de",
        "Kiew: Russische Raketen trafen Kraftwerke und verstießen gegen das Moratorium für "
        "Angriffe auf die Stromversorgung",
    ),
    ("de", "Kiew wirft Moskau vor, das Moratorium gegen Schläge auf Häfen gebrochen zu haben"),
    ("fr", "Kiev accuse Moscou d'avoir violé le moratoire sur les attaques contre les ports"),
    ("es", "Kiev acusa a Moscú de violar la moratoria de ataques contra los puertos"),
    ("it", "Kiev accusa Mosca di aver violato la moratoria sui bombardamenti dei porti"),
    ("pt", "Kiev acusa Moscou de violar a moratória de bombardeios contra os portos"),
    ("tr", "Kiev, Moskova'yı limanlara yönelik saldırı moratoryumunu ihlal etmekle suçladı"),
]


@pytest.mark.parametrize(("lang", "title"), MORATORIUM)
def test_a_moratorium_on_strikes_is_a_truce(lang: str, title: str) -> None:
    assert pairs(title, "", lang) == {("Ukraine", "Russia")}


# A truce declared for an anniversary is news of a truce now, not history; the anniversary of an
# old truce stays history.
OCCASION = [
    ("en", "ELN announces a ten-day ceasefire to mark the 60th anniversary of its founding"),
    ("fr", "L'ELN décrète une trêve de dix jours pour le 60e anniversaire de sa fondation"),
    ("es", "El ELN decreta un cese al fuego de diez días por el 60.º aniversario de su fundación"),
    ("it", "L'ELN proclama una tregua di dieci giorni per il 60° anniversario della fondazione"),
    ("pt", "O ELN decreta trégua de dez dias pelo 60.º aniversário da sua fundação"),
    ("de", "ELN verkündet zehntägige Waffenruhe zum 60. Jahrestag ihrer Gründung"),
    ("ru", "ELN объявила перемирие на десять дней в честь 60-й годовщины своего основания"),
    ("uk", "ELN оголосила перемир'я на десять днів з нагоди 60-ї річниці заснування"),
    ("tr", "ELN, kuruluşunun 60. yıl dönümü nedeniyle on günlük ateşkes ilan etti"),
    ("ar", "جيش التحرير الوطني يعلن هدنة لعشرة أيام بمناسبة الذكرى الستين لتأسيسه"),
]


@pytest.mark.parametrize(("lang", "title"), OCCASION)
def test_a_truce_for_an_anniversary_is_truce_news(lang: str, title: str) -> None:
    assert classify(title, "", lang).level is Level.CEASEFIRE


OLD_TRUCE = [
    ("en", "Veterans gather for the 70th anniversary of the 1953 armistice"),
    ("en", "The armistice of 1918 honoured for its centenary in Paris"),
    ("es", "Se cumplen 50 años del alto el fuego de 1975: un aniversario discreto"),
    ("ru", "В Корее отметили 70-ю годовщину перемирия"),
    ("tr", "Kore ateşkesinin 70. yıl dönümü anıldı"),
]


@pytest.mark.parametrize(("lang", "title"), OLD_TRUCE)
def test_the_anniversary_of_an_old_truce_is_history(lang: str, title: str) -> None:
    assert classify(title, "", lang).level is Level.NONE


# A ceasefire told by its verb: agree to halt fire, to stop all firing, to cease hostilities.
VERBAL = [
    ("en", "Thailand and Cambodia agree to halt fire along the disputed border"),
    ("en", "Both armies agreed to stop all firing from midnight"),
    ("en", "Commanders agree to cease fire at the border crossings"),
    ("en", "The two sides will stop all military action on Friday"),
    ("fr", "Les deux armées conviennent de cesser tous les tirs à la frontière"),
    ("fr", "Les deux armées s'engagent à arrêter les tirs dès minuit"),
    ("es", "Ambos ejércitos acuerdan cesar el fuego en la frontera"),
    ("es", "Los dos bandos acuerdan detener los disparos desde la medianoche"),
    ("it", "I due eserciti concordano di cessare il fuoco lungo il confine"),
    ("it", "Le due parti concordano lo stop a tutti gli spari"),
    ("pt", "Os dois exércitos concordam em parar todos os disparos na fronteira"),
    ("de", "Beide Armeen vereinbaren, das Feuer an der Grenze einzustellen"),
    ("de", "Die Konfliktparteien vereinbaren ein Ende der Feindseligkeiten"),
    ("ru", "Стороны договорились прекратить всякую стрельбу на границе"),
    ("ru", "Стороны договорились о прекращении всех боевых действий"),
    ("uk", "Сторони домовилися про припинення всіх бойових дій"),
    ("tr", "İki ordu sınırda ateşi durdurma konusunda anlaştı"),
    ("ar", "الطرفان يتفقان على وقف كل الأعمال العسكرية على الحدود"),
]


@pytest.mark.parametrize(("lang", "title"), VERBAL)
def test_a_verbal_ceasefire_is_truce_news(lang: str, title: str) -> None:
    assert classify(title, "", lang).level is Level.CEASEFIRE


# Fighting "two days after the truce" breaks it; after a weak word ("agreement") a span of time
# governs it too, a bare "since" does not ("the worst violence since the Good Friday Agreement").
DAYS_AFTER = [
    ("fr", "Juba affirme que le SPLM-IO a attaqué une caserne deux jours après la trêve"),
    ("es", "Yuba afirma que el SPLM-IO atacó un cuartel dos días después de la tregua"),
    ("de", "Juba sagt, die SPLM-IO habe zwei Tage nach der Waffenruhe eine Kaserne angegriffen"),
    ("ru", "Джуба заявила, что SPLM-IO атаковало казарму через два дня после перемирия"),
    ("uk", "Джуба заявила, що SPLM-IO атакувало казарму через два дні після перемир'я"),
    ("tr", "Cuba, SPLM-IO'nun ateşkesten iki gün sonra bir kışlaya saldırdığını açıkladı"),
    ("ar", "جوبا: الحركة الشعبية في المعارضة هاجمت ثكنة بعد يومين من الهدنة"),
]


@pytest.mark.parametrize(("lang", "title"), DAYS_AFTER)
def test_fighting_days_after_the_truce_breaks_it(lang: str, title: str) -> None:
    assert classify(title, "", lang).level.is_alert


AGREEMENT_AFTER = [
    ("en", "Juba said SPLM-IO fighters attacked a barracks, three days after the peace agreement"),
    ("fr", "Juba affirme que le SPLM-IO a attaqué une caserne trois jours après l'accord de paix"),
    ("es", "Yuba afirma que el SPLM-IO atacó un cuartel tres días después del acuerdo de paz"),
    (
        "it",
        "Giuba afferma che l'SPLM-IO ha attaccato una caserma tre giorni dopo l'accordo di pace",
    ),
    ("de", "Juba sagt, die SPLM-IO habe drei Tage nach dem Friedensabkommen Kasernen angegriffen"),
    ("ru", "Джуба заявила, что SPLM-IO атаковало казарму через три дня после мирного соглашения"),
]


@pytest.mark.parametrize(("lang", "title"), AGREEMENT_AFTER)
def test_fighting_days_after_an_agreement_breaks_it(lang: str, title: str) -> None:
    assert classify(title, "", lang).level.is_alert


def test_violence_since_a_political_agreement_is_no_breach() -> None:
    title = "Riots in Belfast: the worst unrest since the Good Friday Agreement, police say"
    assert classify(title, "Petrol bombs were thrown at officers.", "en").level is Level.NONE


# "X says Y's troops fired. The army called the firing a breach": an unnamed institution right
# after X's own report is X's; it does not accuse X.
CALLED = [
    (
        "en",
        "India says Pakistani troops fired at its border posts.",
        "The army called the firing a violation of the ceasefire.",
    ),
    (
        "ru",
        "Армения заявила, что азербайджанские военные обстреляли её позиции.",
        "В министерстве назвали обстрел нарушением перемирия.",
    ),
]


@pytest.mark.parametrize(("lang", "title", "summary"), CALLED)
def test_an_institution_calling_the_strike_a_breach_keeps_its_side(
    lang: str, title: str, summary: str
) -> None:
    accuser, accused = ("India", "Pakistan") if lang == "en" else ("Armenia", "Azerbaijan")
    assert pairs(title, summary, lang) == {(accuser, accused)}
