#!/usr/bin/env python3
"""Write feeds/data/actors/cldr.json: every UN member state's name in ten languages.

Names come from Unicode CLDR through Babel (`babel.Locale(lang).territories`). Canonical English
names follow the corpus convention (short English names: "Turkey", "Myanmar", "Democratic
Republic of the Congo"), set in CANONICAL where CLDR's English differs. Hand-written demonyms,
capitals and inflections live beside it in states.json. Run again after a Babel upgrade:

    python scripts/build_actors.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from babel import Locale

LANGS = ("en", "ru", "uk", "fr", "es", "de", "ar", "tr", "it", "pt")
# CLDR's "pt" is Brazilian ("Irã", "Quênia"); European spellings ("Irão", "Quénia") are added.
VARIANTS = {"pt": ("pt_PT",)}
OUT = Path(__file__).resolve().parent.parent / "feeds" / "data" / "actors" / "cldr.json"

# The 193 UN member states (ISO 3166-1 alpha-2), https://www.un.org/en/about-us/member-states
_UN_CODES = (
    "AF AL DZ AD AO AG AR AM AU AT AZ BS BH BD BB BY BE BZ BJ BT BO BA BW BR BN BG BF BI CV KH "
    "CM CA CF TD CL CN CO KM CG CD CR CI HR CU CY CZ DK DJ DM DO EC EG SV GQ ER EE SZ ET FJ FI FR "
    "GA GM GE DE GH GR GD GT GN GW GY HT HN HU IS IN ID IR IQ IE IL IT JM JP JO KZ KE KI KP KR KW "
    "KG LA LV LB LS LR LY LI LT LU MG MW MY MV ML MT MH MR MU MX FM MD MC MN ME MA MZ MM NA NR NP "
    "NL NZ NI NE NG MK NO OM PK PW PA PG PY PE PH PL PT QA RO RU RW KN LC VC WS SM ST SA SN RS SC "
    "SL SG SK SI SB SO ZA SS ES LK SD SR SE CH SY TJ TZ TH TL TG TO TT TN TR TM TV UG UA AE GB US "
    "UY UZ VU VE VN YE ZM ZW"
)
UN_MEMBERS = tuple(_UN_CODES.split())
# Observer states and partly recognised states that are parties to conflicts in the news.
OTHER_STATES = ("PS", "VA", "XK", "TW")

CANONICAL = {
    "BA": "Bosnia and Herzegovina",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "CI": "Ivory Coast",
    "CV": "Cape Verde",
    "CZ": "Czech Republic",
    "KN": "Saint Kitts and Nevis",
    "LC": "Saint Lucia",
    "MM": "Myanmar",
    "PS": "Palestine",
    "ST": "Sao Tome and Principe",
    "TL": "East Timor",
    "TR": "Turkey",
    "VC": "Saint Vincent and the Grenadines",
}

# Bare "Congo" means the DRC in conflict news (M23, FARDC, Kinshasa); states.json gives it to
# the DRC, so CLDR's Spanish "Congo" for Brazzaville is dropped here.
DROP = {
    "CG": {"congo", "kongo", "конго", "الكونغو"},
    "TG": {"того"},  # Russian and Ukrainian "of that"; Togo is found by "Тоголезск*"
}
# Names that are ordinary words elsewhere ("Island" is German for Iceland, English for island):
# matched only when the caller says the text is in that language.
ONLY_IN_LANG = {
    ("IS", "de"): {"Island"},
    ("CL", "fr"): {"Chili"},
}


def names_for(code: str, lang: str) -> list[str]:
    """CLDR's name for `code` in `lang`, split into its parts ("Myanmar (Burma)" -> both)."""
    out = []
    for locale in (lang, *VARIANTS.get(lang, ())):
        raw = Locale.parse(locale).territories[code]
        inner = re.fullmatch(r"(.+?)\s*\((.+)\)", raw)
        out += [inner.group(1), inner.group(2)] if inner else [raw]
    out += [name.replace(" & ", " and ") for name in out if " & " in name]
    out += [name.replace("St. ", "Saint ", 1) for name in out if name.startswith("St. ")]
    return list(dict.fromkeys(out))


_CONSONANTS = set("бвгджзклмнпрстфхцчшщ")
_RU_ADJECTIVE_ENDINGS = ("ая", "яя", "ое", "ее", "ий", "ый", "ой", "ие", "ые")


def _declines(word: str) -> bool:
    """Abbreviations ("КНДР") and names like "Самоа" or "Того" keep one form."""
    low = word.lower()
    if word.isupper() or low[-1] in "оеиуюэі":
        return False
    return not (low.endswith("а") and low[-2:-1] in ("о", "у", "и", "е"))


def ru_forms(word: str) -> list[str]:
    """Oblique cases of a one-word Russian country name ("Франция" -> "Франции", ...)."""
    low = word.lower()
    if not _declines(word):
        return []
    if low.endswith("ия"):
        stem = word[:-1]
        return [stem + "и", stem + "ю", stem + "ей"]
    if low.endswith("я"):
        stem = word[:-1]
        return [stem + "и", stem + "е", stem + "ю", stem + "ей"]
    if low.endswith("а"):
        stem = word[:-1]
        plural = "и" if stem[-1].lower() in "гкхжшщч" else "ы"
        return [stem + plural, stem + "е", stem + "у", stem + "ой"]
    if low.endswith(("ь", "й")):
        stem = word[:-1]
        return [stem + "я", stem + "ю", stem + "ем", stem + "е"]
    if low[-1] in _CONSONANTS:
        return [word + "а", word + "у", word + "ом", word + "е"]
    return []  # Мали, Перу, Того, Конго do not decline


def uk_forms(word: str) -> list[str]:
    """Oblique cases of a one-word Ukrainian country name ("Франція" -> "Франції", ...)."""
    low = word.lower()
    if not _declines(word):
        return []
    if low.endswith("ія"):
        stem = word[:-1]
        return [stem + "ї", stem + "ю", stem + "єю"]
    if low.endswith("я"):
        stem = word[:-1]
        return [stem + "ї", stem + "і", stem + "ю", stem + "єю", stem + "ею"]
    if low.endswith("а"):
        stem = word[:-1]
        return [stem + "и", stem + "і", stem + "у", stem + "ою"]
    if low.endswith("ь"):
        stem = word[:-1]
        return [stem + "я", stem + "ю", stem + "і", stem + "ем", stem + "еві"]
    if low.endswith("й"):
        stem = word[:-1]
        return [stem + "ю", stem + "я", stem + "ї", stem + "єм"]
    if low[-1] in _CONSONANTS:
        return [word + "у", word + "а", word + "і", word + "ом", word + "ові"]
    return []


def slavic_stem(word: str) -> str:
    """One word of a several-word name with its ending opened ("Южная" -> "Южн*")."""
    low = word.lower()
    if len(word) > 4 and low.endswith(_RU_ADJECTIVE_ENDINGS):
        return word[:-2] + "*"
    if len(word) > 3 and low.endswith(("а", "я", "ь", "й", "і")):
        return word[:-1] + "*"
    if low[-1] in _CONSONANTS:
        return word + "*"
    return word


def inflected(name: str, lang: str) -> list[str]:
    """Extra aliases for the cases a name takes in running text (ru, uk, de)."""
    if lang in ("ru", "uk") and " - " not in name and " – " not in name:
        words = re.split(r"([\s-]+)", name)
        if len(words) == 1:
            return ru_forms(name) if lang == "ru" else uk_forms(name)
        return ["".join(w if i % 2 else slavic_stem(w) for i, w in enumerate(words))]
    if lang == "de" and " " not in name and not name.endswith(("s", "z", "x", "ß")):
        return [name + "s"]  # genitive: "Russlands", "Irans"
    return []


def build() -> dict:
    """The cldr.json document."""
    actors = []
    for code in (*UN_MEMBERS, *OTHER_STATES):
        aliases: dict[str, list[str]] = {}
        for lang in LANGS:
            names = [n for n in names_for(code, lang) if n.lower() not in DROP.get(code, ())]
            names += [form for n in names for form in inflected(n, lang)]
            only = ONLY_IN_LANG.get((code, lang), set())
            aliases[lang] = [n for n in names if n not in only]
            if only:
                aliases[f"{lang}_only"] = sorted(only)
        name = CANONICAL.get(code) or names_for(code, "en")[0].replace(" & ", " and ")
        actors.append({"name": name, "kind": "state", "code": code, "aliases": aliases})
    return {
        "about": "Generated by scripts/build_actors.py from Unicode CLDR (via Babel "
        f"{__import__('babel').__version__}); do not edit by hand: add aliases in states.json.",
        "actors": actors,
    }


def main() -> None:
    """Write the file."""
    assert len(set(UN_MEMBERS)) == 193, len(set(UN_MEMBERS))  # noqa: S101 - a build-time check
    doc = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        fh.write('{"about": ' + json.dumps(doc["about"], ensure_ascii=False) + ',\n "actors": [\n')
        rows = [json.dumps(a, ensure_ascii=False) for a in doc["actors"]]
        fh.write(",\n".join(rows) + "\n]}\n")
    print(f"wrote {len(doc['actors'])} states to {OUT}")


if __name__ == "__main__":
    main()
