"""Interface languages: complete catalogs, compiled and extracted up to date, and the bot speaking
the chat's language through the real PTB stack against the fake Bot API."""

from __future__ import annotations

import io
import re
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from telegram import Bot, Update
from telegram.ext import ApplicationBuilder

from bot.app import set_commands
from bot.config import Settings
from bot.frontend.context import SERVICES_KEY, Services
from bot.frontend.delivery import DeliveryWorker, SendLimiter
from bot.frontend.format import format_alert
from bot.frontend.handlers import register
from bot.i18n import (
    DEFAULT_LANGUAGE,
    FSI,
    LANGUAGES,
    LOCALE_DIR,
    PDI,
    RLM,
    actor_name,
    isolate,
    normalise_language,
    pair_text,
    rtl_lines,
)
from bot.model import Alert, Destination, NewStory
from bot.services.history import Fact, FactKind, Novelty, novelty_text
from bot.store import SqliteStore
from feeds.fetch import make_client
from feeds.model import Detection, Item, Level, Pair
from tests.fakes.telegram_api import parse_telegram_html
from tests.test_telegram_e2e import WITHIN, alerts_to, command, running_bot

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE]
TOKEN = "123456:I18N-test"  # noqa: S105 - a fake token for the fake server
NOW = datetime(2024, 6, 3, 9, 30, tzinfo=UTC)
# Placeholders a plural form may leave out: the number itself ("اتهامان" is "two accusations").
COUNTS = frozenset({"count", "days", "hours"})
_TAG = re.compile(r"</?([a-z]+)[^>]*>")
_COMMAND = re.compile(r"(?<![\w/])/[a-z]+\b")


def catalog(path: Path, locale: str | None = None):
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def placeholders(text: str) -> set[str]:
    """The {names} a message formats; a malformed brace fails the test here."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def texts(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


POT = catalog(LOCALE_DIR / "messages.pot")
MESSAGE_IDS = [(m.context, m.id) for m in POT if m.id]


def test_the_template_holds_the_bot_messages():
    """The template is not empty and holds both code messages and data (conflict labels)."""
    ids = {texts(msgid)[0] for _, msgid in MESSAGE_IDS}
    assert {"Ceasefire breach", "Read the source", "Armenia–Azerbaijan"} <= ids
    assert len(MESSAGE_IDS) > 200


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_is_translated(language):
    """Each msgid of messages.pot has a non-empty, non-fuzzy translation with the same
    placeholders, HTML tags and /commands (a missing {name} would raise KeyError when sent)."""
    translated = catalog(LOCALE_DIR / language / "LC_MESSAGES" / "messages.po", language)
    problems = []
    for context, msgid in MESSAGE_IDS:
        message = translated.get(msgid, context=context)
        source = texts(msgid)
        if message is None or message.fuzzy or not all(texts(message.string)):
            problems.append(f"untranslated: {source[0]!r}")
            continue
        wanted = set().union(*(placeholders(s) for s in source))
        forms = texts(message.string)
        for form in forms:
            found = placeholders(form)
            required = wanted - COUNTS if len(forms) > 1 else wanted
            if not required <= found <= wanted:
                problems.append(f"placeholders {sorted(found)} in {form!r}, want {sorted(wanted)}")
            if sorted(_TAG.findall(form)) != sorted(_TAG.findall(source[0])):
                problems.append(f"HTML tags differ: {form!r}")
            if not set(_COMMAND.findall(source[0])) <= set(_COMMAND.findall(form)):
                problems.append(f"a /command was translated: {form!r}")
        if len(forms) > 1 and placeholders(forms[-1]) != wanted:
            problems.append(f"the general plural form lacks a placeholder: {forms[-1]!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", SHIPPED)
def test_compiled_catalogs_match_their_sources(language):
    """Each shipped .mo is what `pybabel compile` makes of its .po today."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    compiled = io.BytesIO()
    write_mo(compiled, catalog(folder / "messages.po", language))
    assert (folder / "messages.mo").read_bytes() == compiled.getvalue(), "run scripts/i18n.sh"


def test_template_is_up_to_date_with_the_code(tmp_path, monkeypatch):
    """Extracting again finds exactly the committed message ids (new strings got translated)."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", "babel.cfg", "--no-location", "-o", str(out), "."]
    )
    fresh = {(m.context, m.id) for m in catalog(out) if m.id}
    assert fresh == set(MESSAGE_IDS), "run scripts/i18n.sh and translate what it adds"


def test_actor_names_table_is_up_to_date():
    """bot/locale/actor_names.json is what scripts/build_actor_names.py makes from CLDR now."""
    from scripts.build_actor_names import OUT, build, render

    assert OUT.read_text(encoding="utf-8") == render(build())


@pytest.mark.parametrize(
    ("name", "language", "shown"),
    [
        ("Russia", "ru", "Россия"),
        ("Azerbaijan", "ru", "Азербайджан"),
        ("Turkey", "de", "Türkei"),
        ("Myanmar", "uk", "Мʼянма"),  # CLDR's "(Бірма)" alternative is dropped
        ("Palestine", "ru", "Палестина"),  # our name wins over "Палестинские территории"
        ("Hamas", "ar", "حماس"),  # a group: the actor data's own name
        ("Estado Mayor de Bloques y Frente", "ru", "Estado Mayor de Bloques y Frente"),
        ("Russia", "en", "Russia"),
        ("Russia", "pt-BR", "Rússia"),
        ("Russia", "xx", "Russia"),
    ],
)
def test_actor_names_in_the_chat_language(name, language, shown):
    """CLDR for states, our names for groups and bodies, else the English name."""
    assert actor_name(name, language) == shown


@pytest.mark.parametrize(
    ("code", "language"),
    [("ru", "ru"), ("pt-br", "pt"), ("PT_br", "pt"), ("uk", "uk"), ("zh-hans", None), ("", None)],
)
def test_language_codes_from_telegram(code, language):
    """Telegram's IETF tags map to a shipped catalog, else None (English)."""
    assert normalise_language(code) == language


def test_right_to_left_marks_only_where_needed():
    """Arabic lines get RLM, Latin spans an isolate; other languages are left alone."""
    assert rtl_lines("مثال\nThe Moscow Times", "ar") == f"{RLM}مثال\nThe Moscow Times"
    assert rtl_lines("мир\nworld", "ru") == "мир\nworld"
    assert isolate("ELN", "ar") == f"{FSI}ELN{PDI}"
    assert isolate("ELN", "ru") == "ELN"
    clan = "Clan del Golfo"  # no Arabic name: the English one, kept left to right
    assert pair_text(clan, "Colombia", "ar") == f"{FSI}{clan}{PDI} ← {FSI}كولومبيا{PDI}"
    assert pair_text("Russia", "Azerbaijan", "ru") == "Россия → Азербайджан"


def alert(**changes) -> Alert:
    fields = {
        "id": 7,
        "feed_url": "https://feed.test/rss",
        "item_key": "k7",
        "title": "Moscow says Baku forces fired on Karabakh posts overnight",
        "summary": "The ministry said two drones struck positions near the contact line.",
        "link": "https://feed.test/news/7",
        "published": datetime(2021, 8, 13, 10, 2, tzinfo=UTC),
        "source_title": "Feed Test",
        "level": Level.BLAME,
        "pairs": (Pair("Russia", "Azerbaijan"),),
        "evidence": "",
        "matched": (),
        "actors": ("Russia", "Azerbaijan"),
        "lang": "en",
        "novelty": Novelty((Fact(FactKind.FIRST, Pair("Russia", "Azerbaijan")),), 96).encode(),
        "created": datetime(2021, 8, 13, 10, 5, tzinfo=UTC),
        "also_reported": 2,
    }
    return Alert(**{**fields, **changes})


def test_russian_alert():
    """Labels, actor names, date, novelty and plural forms in Russian; feed text as written."""
    text = format_alert(alert(), language="ru")
    visible = parse_telegram_html(text)
    assert visible.startswith("🔴 Обвинение в нарушении перемирия: Россия → Азербайджан\n")
    assert "Впервые за 96 дней наблюдений: Россия → Азербайджан" in visible
    assert "13 авг. 2021, 10:02 UTC · также сообщили 2 ленты" in visible
    assert ">Читать источник</a>" in text
    assert "Moscow says Baku forces fired" in visible


def test_arabic_alert_reads_right_to_left():
    """Arabic labels and actor names; the arrow points from accuser to accused in reading order;
    our lines start right to left and Latin fragments keep their own direction."""
    text = format_alert(alert(), language="ar")
    lines = parse_telegram_html(text).split("\n")
    head = f"{RLM}🔴 اتهام بخرق وقف إطلاق النار: {FSI}روسيا{PDI} ← {FSI}أذربيجان{PDI}"
    assert lines[0] == head
    assert lines[1] == "Moscow says Baku forces fired on Karabakh posts overnight"  # LTR, no RLM
    novelty = next(line for line in lines if "لأول مرة" in line)
    assert novelty.startswith(RLM)
    assert f"{FSI}روسيا{PDI} ← {FSI}أذربيجان{PDI}" in novelty
    source = next(line for line in lines if "Feed Test" in line)
    assert source.startswith(f"{RLM}{FSI}Feed Test{PDI} · 13 أغسطس 2021")
    assert "نقله أيضًا مصدران آخران" in source  # the dual, Arabic's plural form for 2
    assert ">اقرأ المصدر</a>" in text


def test_novelty_is_worded_per_language_and_old_lines_stay():
    """The stored facts read in any language; a line stored as text before stays as it was."""
    stored = Novelty(
        (
            Fact(FactKind.REPEAT, Pair("Armenia", "Azerbaijan"), 3, 1),
            Fact(FactKind.COUNTER, Pair("Armenia", "Azerbaijan"), 125),
        ),
        40,
    ).encode()
    assert novelty_text(stored) == (
        "3rd accusation by Armenia against Azerbaijan in 24 h; "
        "Azerbaijan also accused Armenia 2 h ago"
    )
    assert novelty_text(stored, "de") == (
        "3. Vorwurf Armenien → Aserbaidschan binnen 24 Std.; "
        "Gegenvorwurf Aserbaidschan → Armenien vor 2 Std."
    )
    assert novelty_text("First time on record", "fr") == "First time on record"
    assert novelty_text("{not json", "fr") == "{not json"


# -- through the real PTB stack and the fake Bot API --------------------------------------------


@pytest.fixture
async def store(db_path):
    store = await SqliteStore.open(db_path)
    yield store
    await store.close()


@pytest.fixture
async def app(telegram_api, store, db_path):
    """The real Application with our handlers, initialised against the fake."""
    settings = Settings(
        telegram_bot_token=TOKEN, telegram_api_url=telegram_api.base_url, database_path=db_path
    )
    application = ApplicationBuilder().token(TOKEN).base_url(telegram_api.base_url).updater(None)
    application = application.build()
    register(application)
    async with make_client() as client:
        application.bot_data[SERVICES_KEY] = Services(
            store=store, settings=settings, client=client, clock=lambda: NOW
        )
        async with application:
            await application.start()
            try:
                yield application
            finally:
                await application.stop()


async def send(app, telegram_api, chat_id, text, **kw):
    """Process one command update; return the visible text of the reply."""
    before = len(telegram_api.messages_to(chat_id))
    payload = telegram_api.command_update(chat_id, text, **kw)
    await app.process_update(Update.de_json(payload, app.bot))
    await telegram_api.wait_for_messages(before + 1, chat_id=chat_id, within=10)
    return telegram_api.messages_to(chat_id)[before].text


async def test_help_for_a_russian_user_comes_in_russian(app, telegram_api):
    """/help from a user whose Telegram app speaks Russian: Russian text, Russian example."""
    text = await send(app, telegram_api, 31, "/help", language_code="ru")
    assert "следит за новостными лентами" in text
    assert "🔴 Обвинение в нарушении перемирия: Россия → Азербайджан" in text
    assert "/subscribe digest 07:30" in text  # commands stay as typed
    english = await send(app, telegram_api, 32, "/help", language_code="en")
    assert "watches news feeds" in english


async def test_subscriber_language_then_language_command(app, telegram_api, store):
    """A pt-br user's subscription speaks Portuguese; /language shows, refuses, then switches."""
    reply = await send(app, telegram_api, 41, "/subscribe", language_code="pt-br")
    assert reply.startswith("Assinatura feita: violações")
    assert (await store.get_chat_language(41)).language == "pt"
    shown = await send(app, telegram_api, 41, "/language", language_code=None)
    assert shown.startswith("Idioma deste chat: Português.")
    refused = await send(app, telegram_api, 41, "/language klingon", language_code="pt-br")
    assert "«klingon» não é um idioma" in refused
    assert "uk (Українська)" in refused
    switched = await send(app, telegram_api, 41, "/language de", language_code="pt-br")
    assert switched.startswith("Ab jetzt schreibe ich hier auf Deutsch")
    # The user's app language no longer decides once the chat chose one.
    assert (await send(app, telegram_api, 41, "/filters", language_code="pt-br")).startswith(
        "Dieser Chat bekommt Verstöße"
    )
    await send(app, telegram_api, 41, "/subscribe", language_code="fr")
    assert (await store.get_chat_language(41)).language == "de"


async def test_only_group_admins_change_the_language(app, telegram_api, store):
    """In a group a member's /language is refused in the chat's language; an admin's works."""
    telegram_api.set_admins(-500, 51)
    refused = await send(app, telegram_api, -500, "/language fr", user_id=52, language_code="es")
    assert refused == "Solo los administradores de este grupo pueden cambiar su idioma."
    assert await store.get_chat_language(-500) is None
    await send(app, telegram_api, -500, "/language fr", user_id=51, language_code="es")
    assert (await store.get_chat_language(-500)).language == "fr"


async def test_command_menus_in_each_language(app, telegram_api):
    """setMyCommands per language_code: a Ukrainian client shows Ukrainian descriptions."""
    await set_commands(app)
    english = {c.command: c.description for c in await app.bot.get_my_commands()}
    ukrainian = {
        c.command: c.description for c in await app.bot.get_my_commands(language_code="uk")
    }
    assert english.keys() == ukrainian.keys() >= {"subscribe", "language", "help"}
    assert ukrainian["unsubscribe"] == "Зупинити сигнали в цьому чаті"
    assert english["unsubscribe"] == "Stop alerts in this chat"


async def test_alert_to_an_arabic_chat(telegram_api, store):
    """An alert routed to a chat whose language is Arabic goes out with Arabic labels and actor
    names; the same alert to an English chat stays English."""
    await store.set_chat_language(-100900, "ar", is_chosen=True, now=NOW)
    item = Item(
        key="ar-1",
        feed_url="https://feed.test/rss",
        title="Moscow accuses Baku of shelling near the contact line",
        summary="Officials said shelling hit two villages before dawn.",
        link="https://feed.test/news/ar-1",
        published=NOW - timedelta(minutes=5),
        source_title="Feed Test",
        lang="en",
    )
    detection = Detection(
        level=Level.BLAME,
        pairs=(Pair("Russia", "Azerbaijan"),),
        summary=item.summary,
        actors=("Russia", "Azerbaijan"),
    )
    story = NewStory(item, detection, recipients=(Destination(-100900), Destination(900)))
    await store.ingest(item.feed_url, [story], now=NOW)
    async with Bot(TOKEN, base_url=telegram_api.base_url) as bot:
        limiter = SendLimiter(per_second=0, chat_interval=0, group_per_minute=0)
        report = await DeliveryWorker(bot, store, limiter=limiter, clock=lambda: NOW).run_once()
    assert report.sent == 2
    (arabic,) = telegram_api.messages_to(-100900)
    assert "اتهام بخرق وقف إطلاق النار" in arabic.text
    assert f"{FSI}روسيا{PDI} ← {FSI}أذربيجان{PDI}" in arabic.text
    (english,) = telegram_api.messages_to(900)
    assert english.text.startswith("🔴 Ceasefire breach: Russia → Azerbaijan")
    assert ">Read the source</a>" in english.text


STORY = {
    "title": "Russia accuses Azerbaijan of violating the Karabakh ceasefire",
    "link": "https://news.test/karabakh-ceasefire",
    "guid": "https://news.test/karabakh-ceasefire",
    "published": datetime(2021, 8, 13, 10, 2, tzinfo=UTC),
    "description": (
        "Moscow said Azerbaijani units fired mortars at posts held by Karabakh forces late on "
        "Tuesday, breaching the truce."
    ),
}


async def test_running_bot_speaks_each_subscribers_language(settings, telegram_api, feed_server):
    """End to end over getUpdates: an Arabic and a Russian subscriber get the same story in
    their languages, and the command menu is registered per language at start."""
    async with running_bot(settings) as application:
        arabic = await command(telegram_api, 700, "/subscribe", language_code="ar")
        assert arabic.startswith(f"{RLM}تم الاشتراك")
        russian = await command(telegram_api, 701, "/subscribe", language_code="ru")
        assert russian.startswith("Подписка оформлена")
        menu = await application.bot.get_my_commands(language_code="ar")
        assert {c.command: c.description for c in menu}["help"] == "ما يفعله البوت وكيف تستخدمه"
        feed_server.publish_rss("/mt.xml", [STORY], title="The Moscow Times")
        await telegram_api.wait_for(
            lambda: alerts_to(telegram_api, 700) and alerts_to(telegram_api, 701), within=WITHIN
        )
    (to_arabic,) = alerts_to(telegram_api, 700)
    assert to_arabic.text.startswith(
        f"{RLM}🔴 اتهام بخرق وقف إطلاق النار: {FSI}روسيا{PDI} ← {FSI}أذربيجان{PDI}\n"
    )
    assert ">اقرأ المصدر</a>" in to_arabic.text
    (to_russian,) = alerts_to(telegram_api, 701)
    assert to_russian.text.startswith("🔴 Обвинение в нарушении перемирия: Россия → Азербайджан\n")
    assert "Впервые с начала наблюдений" in to_russian.text


def first(accuser: str, accused: str) -> Fact:
    return Fact(FactKind.FIRST, Pair(accuser, accused))


# Every kind of fact and every way two "first time" facts merge, records of 0 to 111 days.
ALL_FACTS = (
    Novelty((first("Armenia", "Azerbaijan"),), 0),
    Novelty((first("Russia", "Ukraine"),), 1),
    Novelty((first("Armenia", "Azerbaijan"), first("Azerbaijan", "Armenia")), 21),
    Novelty((first("Russia", "Ukraine"), first("Russia", "Hamas")), 2),
    Novelty((first("Israel", "Hamas"), first("Egypt", "Hamas")), 111),
    Novelty((first("Israel", "Hamas"), first("ELN", "M23")), 5),
    Novelty(
        (
            Fact(FactKind.REPEAT, Pair("Israel", "Hamas"), 2, 7),
            Fact(FactKind.RETURN, Pair("Sudan", "Rapid Support Forces"), 11),
        ),
        40,
    ),
    Novelty((Fact(FactKind.COUNTER, Pair("Israel", "Hamas"), 1),), 40),
    Novelty((Fact(FactKind.COUNTER, Pair("Israel", "Hamas"), 3 * 24 * 60),), 40),
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_formatter_works_in_every_language(language):
    """Each piece the bot writes formats in every language (plural forms 0, 1, 2, 5, 11, 21 and
    101 included) and the Telegram HTML stays valid."""
    from bot.frontend.handlers import chart_caption, help_text
    from bot.services.digest import build_digest
    from bot.services.filters import ALL_LEVELS, describe, describe_delivery
    from bot.services.history import render_novelty
    from bot.services.tally import build_tally, format_tally

    for novelty in ALL_FACTS:
        assert render_novelty(novelty, language)
    alerts = [
        alert(id=n, created=NOW - timedelta(hours=n), also_reported=n, novelty=facts.encode())
        for n, facts in enumerate(ALL_FACTS, 1)
    ]
    alerts.append(alert(id=99, level=Level.VIOLATION, pairs=(), created=NOW, novelty="text"))
    for text in (
        *(format_alert(a, language=language) for a in alerts),
        format_tally(build_tally(alerts, days=7, now=NOW, language=language), language),
        format_tally(build_tally([], days=1, now=NOW, language=language), language),
        build_digest(alerts, day_start=NOW - timedelta(days=1), day_end=NOW, language=language),
        build_digest([], day_start=NOW - timedelta(days=1), day_end=NOW, language=language),
        help_text(language, is_operator=True),
    ):
        parse_telegram_html(text)
    for count in (0, 1, 2, 5, 11, 21, 101):
        assert chart_caption(count, count or 1, ["gaza", "hamas"], language)
        assert chart_caption(count, 7, [], language)
    assert describe(ALL_LEVELS, ["a1", "b2", "c3"], language)
    assert describe_delivery(True, "07:30", language)


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("ru", [["🔕 Заглушить эту пару на 24 ч"], ["Ещё об этом конфликте", "Почему?"]]),
        ("ar", [["🔕 اكتم هذا الزوج 24 ساعة"], ["المزيد عن هذا النزاع", "لماذا؟"]]),
    ],
)
def test_buttons_under_an_alert_speak_the_chat_language(language, labels):
    """The keyboard the delivery worker attaches is worded in the row's chat language."""
    from bot.frontend.buttons import keyboard_maker
    from bot.frontend.callback_data import CallbackCodec, new_key

    markup = keyboard_maker(CallbackCodec(new_key()))(alert(), 900, language)
    assert [[button.text for button in row] for row in markup.inline_keyboard] == labels
