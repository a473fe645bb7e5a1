"""Truce state (proposed, ended, in force) and strain vocabulary in every supported language.

Each language answers the same five questions: fighting "despite the truce" is a violation;
fighting "amid calls for a truce" is only truce news (a proposed truce cannot be broken); a
truce that collapses or falters is a violation; fighting "after the truce expired" is truce
news; and an accusation of breaking the truce still names who blames whom. Every headline was
written for this file; none comes from a corpus or another test.
"""

from __future__ import annotations

import pytest

from feeds.detect import classify
from feeds.model import Level

BLAME, VIOLATION, CEASEFIRE = Level.BLAME, Level.VIOLATION, Level.CEASEFIRE

CASES: dict[str, list[tuple[str, Level]]] = {
    "en": [
        ("Shelling of border villages despite the truce", VIOLATION),
        ("Strikes kill 20 amid calls for a truce", CEASEFIRE),
        ("Truce collapses as fighting resumes in the north", VIOLATION),
        ("Fighting resumed after the truce expired on Sunday", CEASEFIRE),
        ("Russia accuses Ukraine of violating the truce", BLAME),
        ("Fragile truce falters as rockets hit the city", VIOLATION),
    ],
    "ru": [
        ("Обстрел приграничных сёл несмотря на перемирие", VIOLATION),
        ("Удары унесли жизни 20 человек на фоне призывов к перемирию", CEASEFIRE),
        ("Перемирие рухнуло: бои возобновились на севере", VIOLATION),
        ("Бои возобновились после истечения перемирия", CEASEFIRE),
        ("Россия обвинила Украину в нарушении перемирия", BLAME),
        ("Хрупкое перемирие висит на волоске после ночных ударов", VIOLATION),
        ("ООН требует перемирия, пока удары продолжаются", CEASEFIRE),
    ],
    "uk": [
        ("Обстріл прикордонних сіл попри перемир'я", VIOLATION),
        ("Удари забрали життя 20 людей на тлі закликів до перемир'я", CEASEFIRE),
        ("Перемир'я розвалюється: бої відновилися на півночі", VIOLATION),
        ("Бої відновилися після закінчення перемир'я", CEASEFIRE),
        ("Україна звинуватила Росію в порушенні перемир'я", BLAME),
        ("Крихке перемир'я під загрозою після нічних ударів", VIOLATION),
        ("ООН вимагає перемир'я, поки тривають удари", CEASEFIRE),
    ],
    "fr": [
        ("Bombardements sur des villages frontaliers malgré la trêve", VIOLATION),
        ("Des frappes font 20 morts alors que se multiplient les appels à une trêve", CEASEFIRE),
        ("La trêve vole en éclats, les combats reprennent dans le nord", VIOLATION),
        ("Les combats ont repris après l'expiration de la trêve", CEASEFIRE),
        ("Kiev reproche à Moscou d'avoir violé la trêve de Pâques", BLAME),
        ("Le fragile cessez-le-feu vacille après des tirs nocturnes", VIOLATION),
        ("L'ONU réclame un cessez-le-feu tandis que les frappes se poursuivent", CEASEFIRE),
    ],
    "es": [
        ("Bombardeos sobre aldeas fronterizas pese a la tregua", VIOLATION),
        ("Ataques dejan 20 muertos mientras crecen los llamamientos a una tregua", CEASEFIRE),
        ("La tregua se tambalea tras la reanudación de los combates", VIOLATION),
        ("Los combates se reanudaron tras la expiración de la tregua", CEASEFIRE),
        ("Israel acusa a Hamás de violar el alto el fuego", BLAME),
        ("El frágil alto el fuego pende de un hilo tras nuevos disparos", VIOLATION),
        ("La ONU pide un alto el fuego mientras continúan los ataques", CEASEFIRE),
    ],
    "de": [
        ("Beschuss von Grenzdörfern trotz Waffenruhe", VIOLATION),
        ("Angriffe fordern 20 Tote, während Rufe nach einer Waffenruhe lauter werden", CEASEFIRE),
        ("Waffenruhe bröckelt: Kämpfe im Norden wieder aufgeflammt", VIOLATION),
        ("Kämpfe nach Ablauf der Waffenruhe wieder aufgenommen", CEASEFIRE),
        ("Israel wirft der Hamas Verstöße gegen die Waffenruhe vor", BLAME),
        ("Brüchige Waffenruhe steht vor dem Aus nach nächtlichen Angriffen", VIOLATION),
        ("UN fordert eine Waffenruhe, während die Angriffe weitergehen", CEASEFIRE),
    ],
    "ar": [
        ("قصف على قرى حدودية رغم الهدنة", VIOLATION),
        ("غارات تقتل 20 شخصا وسط دعوات إلى هدنة", CEASEFIRE),
        ("انهيار الهدنة في غزة مع تجدد القتال", VIOLATION),
        ("تجدد القتال في غزة بعد انتهاء الهدنة", CEASEFIRE),
        ("إسرائيل تتهم حماس بخرق وقف إطلاق النار", BLAME),
        ("الهدنة الهشة تترنح بعد قصف ليلي", VIOLATION),
        ("الأمم المتحدة تطالب بوقف إطلاق النار مع استمرار الغارات", CEASEFIRE),
    ],
    "tr": [
        ("Ateşkese rağmen sınır köylerine topçu ateşi", VIOLATION),
        ("Ateşkes çağrıları yükselirken saldırılarda 20 kişi öldü", CEASEFIRE),
        ("Ateşkes çöktü, kuzeyde çatışmalar yeniden başladı", VIOLATION),
        ("Ateşkesin süresi dolduktan sonra çatışmalar yeniden başladı", CEASEFIRE),
        ("Rusya, Ukrayna'yı ateşkesi ihlal etmekle suçladı", BLAME),
        ("Kırılgan ateşkes gece saldırılarının ardından pamuk ipliğine bağlı", VIOLATION),
        ("BM, saldırılar sürerken ateşkes çağrısında bulundu", CEASEFIRE),
    ],
}

PARAMS = [
    pytest.param(lang, title, level, id=f"{lang}-{i}")
    for lang, cases in CASES.items()
    for i, (title, level) in enumerate(cases)
]


@pytest.mark.parametrize(("lang", "title", "level"), PARAMS)
def test_truce_state(lang: str, title: str, level: Level) -> None:
    assert classify(title, "", lang).level is level
