"""Italian and Portuguese truce state: proposals, truces in force, strain and expiry.

Every headline here was written for this file; none comes from a corpus or another test.
"""

from __future__ import annotations

import pytest

from feeds.detect import classify
from feeds.model import Level, Pair

BLAME, VIOLATION, CEASEFIRE = Level.BLAME, Level.VIOLATION, Level.CEASEFIRE


def pairs(*edges: tuple[str, str]) -> set[Pair]:
    return {Pair(accuser, accused) for accuser, accused in edges}


ITALIAN = [
    # fighting despite a truce
    ("Bombardamenti su Kharkiv nonostante la tregua", VIOLATION, set()),
    ("Colpi di mortaio sul Donbass malgrado il cessate il fuoco", VIOLATION, set()),
    # a truce only called for: fighting alongside it breaches nothing
    (
        "Raid israeliani uccidono 20 persone a Gaza mentre l'Onu chiede una tregua",
        CEASEFIRE,
        set(),
    ),
    (
        "Gaza, raid uccidono 20 persone mentre cresce l'appello per il cessate il fuoco",
        CEASEFIRE,
        set(),
    ),
    ("Scontri in Sudan durante i negoziati per una tregua", CEASEFIRE, set()),
    # strain on a truce in force
    ("Crolla la tregua a Gaza, riprendono i combattimenti", VIOLATION, set()),
    ("La tregua in Libano vacilla dopo nuovi raid israeliani", VIOLATION, set()),
    ("Tregua a rischio nel Donbass", VIOLATION, set()),
    ("Salta il cessate il fuoco tra Israele e Hamas", VIOLATION, set()),
    # fighting after the truce ended is news of its end
    ("Ripresi i combattimenti nel Donbass dopo la scadenza della tregua", CEASEFIRE, set()),
    ("A Gaza i combattimenti sono ripresi dopo che la tregua è scaduta", CEASEFIRE, set()),
    ("Violenze a Gaza dopo la fine della tregua", CEASEFIRE, set()),
    # accusation
    (
        "Israele accusa Hamas di aver violato la tregua",
        BLAME,
        pairs(("Israel", "Hamas")),
    ),
    # a truce that holds
    ("La tregua a Gaza regge", CEASEFIRE, set()),
    ("Il cessate il fuoco in vigore in Libano regge", CEASEFIRE, set()),
]

PORTUGUESE = [
    ("Bombardeios em Kharkiv apesar da trégua", VIOLATION, set()),
    ("Disparos de morteiro no Donbass mesmo com o cessar-fogo", VIOLATION, set()),
    (
        "Ataques israelenses matam 20 em Gaza enquanto a ONU pede um cessar-fogo",
        CEASEFIRE,
        set(),
    ),
    ("Ataques matam 20 em Gaza em meio a apelo a uma trégua", CEASEFIRE, set()),
    ("Combates no Sudão durante negociações por uma trégua", CEASEFIRE, set()),
    ("Trégua em Gaza desmorona com a retomada dos combates", VIOLATION, set()),
    ("Cessar-fogo no Líbano colapsa após novos ataques de Israel", VIOLATION, set()),
    ("Trégua por um fio no Donbass", VIOLATION, set()),
    ("Combates recomeçam em Gaza após o fim da trégua", CEASEFIRE, set()),
    ("Combates foram retomados em Gaza depois que a trégua expirou", CEASEFIRE, set()),
    ("Violência em Gaza após o fim da trégua", CEASEFIRE, set()),
    (
        "Israel acusa o Hamas de violar o cessar-fogo",
        BLAME,
        pairs(("Israel", "Hamas")),
    ),
    ("O cessar-fogo em Gaza se mantém", CEASEFIRE, set()),
    ("Cessar-fogo em Gaza está em vigor", CEASEFIRE, set()),
]


@pytest.mark.parametrize(("title", "level", "expected"), ITALIAN)
def test_italian_truce_state(title: str, level: Level, expected: set[Pair]) -> None:
    d = classify(title, "", "it")
    assert d.level is level, (title, d.level, d.matched)
    assert set(d.pairs) == expected, (title, d.pairs)


@pytest.mark.parametrize(("title", "level", "expected"), PORTUGUESE)
def test_portuguese_truce_state(title: str, level: Level, expected: set[Pair]) -> None:
    d = classify(title, "", "pt")
    assert d.level is level, (title, d.level, d.matched)
    assert set(d.pairs) == expected, (title, d.pairs)
