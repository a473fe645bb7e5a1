"""Truce news in other words, strain verbs, extensions, "in the middle of the truce", ceasefire
lines, observers shot down and unnamed rebels in the nine non-English lexicons, each on
sentences written for this test."""

from __future__ import annotations

import pytest

from feeds.detect import classify
from feeds.model import Level

# "Rebels order a halt to firing", "army suspends offensive operations": truce news.
TRUCE_IN_OTHER_WORDS = [
    ("ru", "Повстанцы приказали своим отрядам прекратить стрельбу с полуночи"),
    ("ru", "Армия объявила о приостановке наступательных операций на востоке"),
    ("ru", "Группировка заморозила военную активность на полгода"),
    ("uk", "Повстанці наказали своїм загонам припинити стрілянину з опівночі"),
    ("uk", "Армія оголосила про призупинення наступальних операцій на сході"),
    ("fr", "Les rebelles ordonnent à leurs unités de cesser le feu à minuit"),
    ("fr", "Le gouvernement annonce la suspension des opérations offensives dans l'est"),
    ("fr", "La milice gèle ses activités militaires pour six mois"),
    ("es", "Los rebeldes ordenan a sus unidades dejar de disparar a medianoche"),
    ("es", "El Gobierno anuncia el cese de las operaciones militares en el este"),
    ("es", "La milicia congela su actividad militar durante seis meses"),
    ("de", "Rebellen befehlen ihren Einheiten, ab Mitternacht das Feuer einzustellen"),
    ("de", "Regierung kündigt Aussetzung der Offensivoperationen im Osten an"),
    ("de", "Miliz friert ihre militärischen Aktivitäten für sechs Monate ein"),
    ("ar", "المتمردون يأمرون وحداتهم بوقف إطلاق النار عند منتصف الليل"),
    ("ar", "الحكومة تعلن وقف العمليات العسكرية في الشرق"),
    ("ar", "الجيش يعلن وقفا فوريا لإطلاق النار"),
    ("tr", "Ordu doğudaki saldırı operasyonlarını askıya aldığını açıkladı"),
    ("tr", "İsyancılar birliklerine gece yarısından itibaren ateşi kesme emri verdi"),
    ("it", "I ribelli ordinano alle loro unità di smettere di sparare da mezzanotte"),
    ("it", "Il governo annuncia la sospensione delle operazioni offensive nell'est"),
    ("it", "La milizia congela le sue attività militari per sei mesi"),
    ("pt", "Os rebeldes ordenam às suas unidades que parem de disparar à meia-noite"),
    ("pt", "O governo anuncia a suspensão das operações ofensivas no leste"),
    ("pt", "A milícia congela as suas atividades militares por seis meses"),
]

# Strain ("rocket fire mars the truce"), an extension read while fighting goes on, an attack in
# the middle or on the last day of a truce, fire on a ceasefire line, an observers' aircraft
# shot down despite the truce.
BREACHES = [
    ("ru", "Ракетный обстрел омрачил хрупкое перемирие в Газе"),
    ("ru", "Командующий армией поддержал продление перемирия, но бои в Дарфуре продолжаются"),
    ("ru", "Взрыв заминированного автомобиля в Могадишо в разгар перемирия"),
    ("ru", "Войска обменялись огнём на линии соприкосновения"),
    ("ru", "Вертолёт с наблюдателями ООН сбит, несмотря на перемирие"),
    ("uk", "Ракетний обстріл затьмарив крихке перемир'я в Газі"),
    ("uk", "Командувач армії підтримав продовження перемир'я, але бої в Дарфурі тривають"),
    ("uk", "Вибух замінованого автомобіля в Могадишо в розпал перемир'я"),
    ("uk", "Війська обмінялися вогнем на лінії зіткнення"),
    ("uk", "Гелікоптер зі спостерігачами ООН збито попри перемир'я"),
    ("fr", "Des tirs de roquettes entachent la fragile trêve à Gaza"),
    (
        "fr",
        "Les combats se poursuivent au Darfour alors que le chef de l'armée soutient une "
        "prolongation de la trêve",
    ),
    ("fr", "Une voiture piégée explose à Mogadiscio en pleine trêve"),
    ("fr", "Des soldats échangent des tirs sur la ligne de cessez-le-feu"),
    ("fr", "Un hélicoptère d'observateurs de l'ONU abattu malgré la trêve"),
    ("es", "El lanzamiento de cohetes empaña la frágil tregua en Gaza"),
    (
        "es",
        "Siguen los combates en Darfur mientras el jefe del ejército respalda la prórroga de la "
        "tregua",
    ),
    ("es", "Estalla un coche bomba en Mogadiscio en plena tregua"),
    ("es", "Soldados intercambian disparos en la línea de alto el fuego"),
    ("es", "Derriban un helicóptero de observadores de la ONU pese a la tregua"),
    ("de", "Raketenbeschuss überschattet brüchige Waffenruhe in Gaza"),
    (
        "de",
        "Kämpfe in Darfur gehen weiter, während der Armeechef eine Verlängerung der Waffenruhe "
        "unterstützt",
    ),
    ("de", "Autobombe explodiert mitten in der Waffenruhe in Mogadischu"),
    ("de", "Soldaten liefern sich Schusswechsel an der Kontaktlinie"),
    ("de", "Hubschrauber mit UN-Beobachtern trotz Waffenruhe abgeschossen"),
    ("ar", "قصف صاروخي يعكر صفو الهدنة الهشة في غزة"),
    ("ar", "سيارة مفخخة تنفجر في مقديشو في خضم الهدنة"),
    ("ar", "تبادل لإطلاق النار بين الجنود على خط وقف إطلاق النار"),
    ("ar", "إسقاط مروحية تقل مراقبين أمميين رغم الهدنة"),
    ("tr", "Roket saldırısı Gazze'deki kırılgan ateşkese gölge düşürdü"),
    ("tr", "Ordu komutanı ateşkesin uzatılmasını destekledi, ancak Darfur'da çatışmalar sürüyor"),
    ("tr", "Mogadişu'da ateşkesin ortasında bomba yüklü araç patladı"),
    ("tr", "Askerler temas hattında karşılıklı ateş açtı"),
    ("tr", "Ateşkese rağmen BM gözlemcilerini taşıyan helikopter düşürüldü"),
    ("it", "Lanci di razzi offuscano la fragile tregua a Gaza"),
    (
        "it",
        "Continuano gli scontri in Darfur mentre il capo dell'esercito appoggia la proroga "
        "della tregua",
    ),
    ("it", "Autobomba esplode a Mogadiscio in piena tregua"),
    ("it", "Soldati si scambiano colpi di artiglieria lungo la linea del cessate il fuoco"),
    ("it", "Elicottero di osservatori dell'Onu abbattuto nonostante la tregua"),
    ("pt", "Disparos de foguetes ofuscam a frágil trégua em Gaza"),
    (
        "pt",
        "Os combates continuam em Darfur enquanto o chefe do exército apoia a prorrogação da "
        "trégua",
    ),
    ("pt", "Carro-bomba explode em Mogadíscio em plena trégua"),
    ("pt", "Soldados trocam tiros na linha de cessar-fogo"),
    ("pt", "Helicóptero de observadores da ONU derrubado apesar da trégua"),
]

# "fail to agree a ceasefire": no truce to break.
NO_BREACH = [
    (
        "ru",
        "Стороны конфликта в Судане договорились защищать мирных жителей, но не смогли "
        "согласовать перемирие",
    ),
    (
        "uk",
        "Сторони конфлікту в Судані домовилися захищати цивільних, але не змогли узгодити "
        "перемир'я",
    ),
    (
        "fr",
        "Les belligérants soudanais s'engagent à protéger les civils mais échouent à conclure "
        "un cessez-le-feu",
    ),
    (
        "es",
        "Las partes sudanesas acuerdan proteger a los civiles pero no logran pactar un alto el "
        "fuego",
    ),
    (
        "de",
        "Sudans Kriegsparteien wollen Zivilisten schützen, einigen sich aber nicht auf eine "
        "Waffenruhe",
    ),
    (
        "ar",
        "طرفا النزاع في السودان يتفقان على حماية المدنيين لكنهما يفشلان في الاتفاق على وقف "
        "إطلاق النار",
    ),
    (
        "it",
        "Le parti sudanesi si impegnano a proteggere i civili ma non riescono a concordare un "
        "cessate il fuoco",
    ),
    (
        "pt",
        "As partes sudanesas se comprometem a proteger civis, mas não conseguem acordar um "
        "cessar-fogo",
    ),
]

# "Rebels accuse the government of the DR Congo of violating the truce": the unnamed rebels are
# the government's opponent.
REBELS_ACCUSE = [
    ("ru", "Повстанцы обвиняют правительство ДР Конго в нарушении перемирия"),
    ("uk", "Повстанці звинувачують уряд ДР Конго в порушенні перемир'я"),
    ("fr", "Les rebelles accusent le gouvernement de la RD Congo de violer le cessez-le-feu"),
    (
        "es",
        "Los rebeldes acusan al Gobierno de la República Democrática del Congo de violar la "
        "tregua",
    ),
    ("de", "Rebellen werfen Kinshasa Verstöße gegen die Waffenruhe vor"),
    (
        "it",
        "I ribelli accusano il governo della Repubblica Democratica del Congo di violare la "
        "tregua",
    ),
    ("pt", "Os rebeldes acusam o governo da República Democrática do Congo de violar a trégua"),
]


@pytest.mark.parametrize(("lang", "title"), TRUCE_IN_OTHER_WORDS)
def test_truce_news_in_other_words(lang, title):
    assert classify(title, "", lang).level is Level.CEASEFIRE


@pytest.mark.parametrize(("lang", "title"), BREACHES)
def test_breaches_of_a_truce_in_force(lang, title):
    assert classify(title, "", lang).level in (Level.VIOLATION, Level.BLAME)


@pytest.mark.parametrize(("lang", "title"), NO_BREACH)
def test_failing_to_agree_a_truce_is_no_breach(lang, title):
    assert classify(title, "", lang).level in (Level.CEASEFIRE, Level.NONE)


@pytest.mark.parametrize(("lang", "title"), REBELS_ACCUSE)
def test_unnamed_rebels_accuse_the_government(lang, title):
    pairs = {(p.accuser, p.accused) for p in classify(title, "", lang).pairs}
    assert pairs == {("M23", "Democratic Republic of the Congo")}
