"""A fake Telegram Bot API server on loopback, plus the `telegram_api` fixture.

The real python-telegram-bot stack talks to it over HTTP (`base_url=fake.base_url`). It answers the
methods the bot uses, records what was sent, checks HTML parse mode and the 4096-character limit
the way Telegram does, enforces configurable rate limits with 429 + retry_after, and answers 403,
"chat not found", "migrated to supergroup" or 5xx on demand. It also knows forum topics, document
uploads, inline-button presses (callback queries) and edits, webhooks (which lock getUpdates out),
per-language command lists, and Telegram's one-consumer rule: a getUpdates held open is ended
with 409 Conflict when another arrives, as when two bot instances poll one token. It runs as a
tiny HTTP/1.1 server on `asyncio.start_server` in the test's own event loop (keep-alive, form,
JSON and multipart bodies). Imports only the standard library and pytest.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import dataclasses
import html
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Ceasefire Alerts",
    "username": "ceasefire_alerts_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}
# What Telegram puts in `from` when a group admin posts anonymously (sender_chat = the group).
ANONYMOUS_ADMIN_USER = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument", "editmessagetext"})
# Methods that carry a file, and the parameter naming it.
MEDIA_METHODS = {"sendphoto": "photo", "senddocument": "document"}
THREAD_NOT_FOUND = "Bad Request: message thread not found"
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
# The connection a request came on, so a held long poll can tell whether its client is gone.
_CLIENT: contextvars.ContextVar[asyncio.StreamReader] = contextvars.ContextVar("client")
# Fields PTB sends JSON-encoded inside form or multipart bodies.
_JSON_FIELDS = frozenset(
    {
        "link_preview_options",
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "reply_parameters",
    }
)

# Telegram's HTML mode: these tags and no others (https://core.telegram.org/bots/api#html-style).
ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "blockquote",
        "tg-emoji",
    }
)
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTRIBUTE = re.compile(
    r"""\s*([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)


class TelegramHTMLError(ValueError):
    """The text is not valid Telegram HTML; the message is Telegram's wording."""


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, index: int) -> tuple[str, int] | None:
    """Decode the entity at text[index] ('&'); return (character, end) or None."""
    match = _ENTITY.match(text, index)
    if not match:
        return None
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            return None
        return _NAMED_ENTITIES[name], match.end()
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def parse_telegram_html(text: str, *, strict_ampersand: bool = True) -> str:
    """Return the visible text of Telegram HTML, or raise TelegramHTMLError like the Bot API.

    Telegram itself keeps an `&` that starts no known entity as a literal character; with
    `strict_ampersand` (the default) the fake refuses it, so a missing `html.escape` shows up.
    """
    visible: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            decoded = _decode_entity(text, i)
            if decoded is None:
                if strict_ampersand:
                    raise TelegramHTMLError(
                        f'Can\'t parse entities: unexpected "&" at byte offset '
                        f"{_byte_offset(text, i)}: escape it as &amp;"
                    )
                visible.append("&")
                i += 1
                continue
            visible.append(decoded[0])
            i = decoded[1]
            continue
        if char != "<":
            visible.append(char)
            i += 1
            continue
        begin = i
        closing = text.startswith("</", i)
        name_match = _TAG_NAME.match(text, i + (2 if closing else 1))
        name = name_match.group(0).lower() if name_match else ""
        if closing:
            end = text.find(">", i)
            if end < 0 or not name_match or text[name_match.end() : end].strip():
                raise TelegramHTMLError(
                    f"Can't parse entities: unexpected end tag at byte offset "
                    f"{_byte_offset(text, begin)}"
                )
            if not stack:
                raise TelegramHTMLError(
                    f"Can't parse entities: unexpected end tag at byte offset "
                    f"{_byte_offset(text, begin)}"
                )
            if stack[-1] != name:
                raise TelegramHTMLError(
                    f"Can't parse entities: unmatched end tag at byte offset "
                    f'{_byte_offset(text, begin)}, expected "</{stack[-1]}>", found "</{name}>"'
                )
            stack.pop()
            i = end + 1
            continue
        if name not in ALLOWED_TAGS:
            raise TelegramHTMLError(
                f'Can\'t parse entities: unsupported start tag "{name}" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        i = name_match.end()
        attributes: dict[str, str] = {}
        while True:
            if i >= len(text):
                raise TelegramHTMLError(
                    f"Can't parse entities: unclosed start tag at byte offset "
                    f"{_byte_offset(text, begin)}"
                )
            if text[i] == ">":
                i += 1
                break
            attribute = _ATTRIBUTE.match(text, i)
            if not attribute or attribute.end() == i:
                raise TelegramHTMLError(
                    f"Can't parse entities: expected > at byte offset {_byte_offset(text, i)}, "
                    f"found {text[i]!r}"
                )
            value = next((v for v in attribute.groups()[1:] if v is not None), "")
            attributes[attribute.group(1).lower()] = html.unescape(value)
            i = attribute.end()
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise TelegramHTMLError(
                'Can\'t parse entities: tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        if name == "tg-emoji" and "emoji-id" not in attributes:
            raise TelegramHTMLError(
                'Can\'t parse entities: tag "tg-emoji" must have attribute "emoji-id" at byte '
                f"offset {_byte_offset(text, begin)}"
            )
        stack.append(name)
    if stack:
        raise TelegramHTMLError(
            f"Can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(visible)


class TelegramFault(Exception):
    """An error answer the fake sends instead of a result."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


FAULTS: dict[str, tuple[int, str]] = {
    "blocked": (403, "Forbidden: bot was blocked by the user"),
    "kicked": (403, "Forbidden: bot was kicked from the group chat"),
    "kicked_channel": (403, "Forbidden: bot is not a member of the channel chat"),
    "deactivated": (403, "Forbidden: user is deactivated"),
    "not_found": (400, "Bad Request: chat not found"),
    "server_error": (500, "Internal Server Error"),
}


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One message the fake accepted."""

    message_id: int
    method: str
    chat_id: int | str
    text: str
    parse_mode: str | None
    link_preview_options: dict[str, Any] | None
    reply_markup: dict[str, Any] | None
    time: float  # the fake's clock() when accepted (time.monotonic() unless a test sets it)
    photo: bytes | None = None
    # Fields added later default so that older tests constructing or comparing records still work.
    message_thread_id: int | None = None  # None: no topic (the General topic in a forum)
    disable_notification: bool = False
    document: bytes | None = None
    filename: str | None = None  # of the uploaded document
    caption: str | None = None  # raw caption markup of a photo or document (also in `text`)


@dataclass(frozen=True, slots=True)
class Upload:
    """One file part of a multipart request."""

    data: bytes
    filename: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """One accepted answerCallbackQuery."""

    id: str
    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Webhook:
    """What setWebhook set; the fake records it but delivers nothing to the URL."""

    url: str
    secret_token: str | None
    allowed_updates: list[str] | None
    max_connections: int = 40


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request the fake answered, whatever the outcome."""

    method: str
    params: dict[str, Any]
    status: int
    description: str = ""


@dataclass(slots=True)
class RateLimits:
    """Send limits, None = unlimited. Telegram: ~30/s overall, 1/s per chat, 20/min per group."""

    global_per_second: int | None = None
    per_chat_per_second: int | None = None
    per_group_per_minute: int | None = None


@dataclass(slots=True)
class _Window:
    """Sliding-window counter of accepted sends."""

    length: float
    limit: int
    stamps: deque[float] = field(default_factory=deque)

    def retry_after(self, now: float) -> int:
        """Seconds until one more send fits; 0 if it fits now."""
        while self.stamps and self.stamps[0] <= now - self.length:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            return 0
        return max(1, math.ceil(self.stamps[0] + self.length - now))


@dataclass(slots=True)
class _HeldPoll:
    """A getUpdates held open, and whether a newer one has ended it."""

    client: asyncio.StreamReader | None
    is_superseded: bool = False

    @property
    def has_client(self) -> bool:
        """False once the client's connection is closed (it died or gave up on the poll)."""
        client = self.client
        return client is not None and not client.at_eof() and client.exception() is None


def chat_type_for(chat_id: int | str) -> str:
    """Telegram's id conventions: users > 0, basic groups < 0, supergroups/channels -100…"""
    if isinstance(chat_id, str):
        return "channel"
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


class FakeTelegramAPI:
    """The fake Bot API: start() it, point PTB at `base_url`, inspect `sent` and `calls`."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token  # None: any token accepted; otherwise others get 401
        self.limits = RateLimits()
        # The clock of the rate limits and of `SentMessage.time`. A test that runs the bot on
        # faster simulated time gives the fake the same clock, so limits hold in that time.
        self.clock: Callable[[], float] = time.monotonic
        self.sent: list[SentMessage] = []
        self.calls: list[ApiCall] = []
        self.commands: list[dict[str, Any]] = []  # the list set last, whatever its scope
        # (scope as sorted JSON, language_code or "") -> commands, as getMyCommands resolves them
        self.commands_by_scope: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self.webhook: Webhook | None = None  # None: getUpdates allowed
        self.rate_limited = 0  # 429 answers given
        self.held_polls = 0  # getUpdates requests being held open right now
        # Long polls ended by a newer getUpdates while their client was still there: two
        # consumers of one token (a poll of a client that died does not count).
        self.poll_conflicts = 0
        self._open_polls: list[_HeldPoll] = []
        self.held_sends = 0  # send requests held by pause_sends()
        self._pause_after: int | None = None
        self.strict_ampersand = True
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(4_000_000_000_000_000_001)
        self._open_callbacks: set[str] = set()  # pushed, not answered yet
        self._chats: dict[int | str, dict[str, Any]] = {}
        self._topics: dict[int | str, dict[int, str]] = {}  # chat -> thread id -> name
        # The Message JSON each bot message shows now (after edits), for callback queries.
        self._messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self._admins: dict[int | str, set[int]] = {}
        self._creators: dict[int | str, int] = {}
        self._members: dict[int | str, set[int]] = {}
        self._faults: dict[int | str, str] = {}
        self._migrations: dict[int | str, int] = {}
        self._forced_retry: dict[int | str, deque[int]] = {}
        self._fail_next: deque[TelegramFault] = deque()
        self._windows: dict[tuple[str, int | str], _Window] = {}
        self._changed: asyncio.Condition | None = None
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._closing = False
        self.url = ""

    # ----- lifecycle

    @property
    def base_url(self) -> str:
        """What PTB's `base_url` (and TELEGRAM_API_URL) should be."""
        return f"{self.url}/bot"

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port."""
        self._changed = asyncio.Condition()
        self._server = await asyncio.start_server(self._serve_connection, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Close the listener and every open connection (held long polls included)."""
        if self._server is not None:
            self._server.close()
        # Held requests wake up and finish; closing each transport ends its read loop. The
        # connection tasks are left to end on their own: asyncio logs cancelled ones as errors.
        self._closing = True
        self._notify()
        for writer in list(self._writers):
            writer.close()
        tasks = list(self._connections)
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=5)
            for task in pending:
                task.cancel()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> FakeTelegramAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ----- configuration used by tests

    def set_limits(
        self,
        *,
        global_per_second: int | None = None,
        per_chat_per_second: int | None = None,
        per_group_per_minute: int | None = None,
    ) -> None:
        """Turn on rate limits (429 + retry_after when exceeded)."""
        self.limits = RateLimits(global_per_second, per_chat_per_second, per_group_per_minute)
        self._windows.clear()

    def fail_chat(self, chat_id: int | str, kind: str) -> None:
        """Answer every send to chat_id with a fault from FAULTS ("blocked", "not_found"...)."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULTS)}")
        self._faults[chat_id] = kind

    def block(self, chat_id: int | str) -> None:
        """The user blocked the bot: 403 from now on."""
        self.fail_chat(chat_id, "blocked")

    def clear_fault(self, chat_id: int | str) -> None:
        """Undo fail_chat/block for chat_id."""
        self._faults.pop(chat_id, None)

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """The group became a supergroup: sends to chat_id answer 400 migrate_to_chat_id."""
        self._migrations[chat_id] = new_chat_id
        old = self._chats.get(chat_id, {})
        self.add_chat(new_chat_id, "supergroup", title=old.get("title"))
        for user_id in self._admins.get(chat_id, ()):
            self._admins.setdefault(new_chat_id, set()).add(user_id)

    def fail_next_sends(
        self, count: int, *, code: int = 500, description: str = "Internal Server Error"
    ) -> None:
        """The next `count` send requests (any chat) get this error."""
        self._fail_next.extend(TelegramFault(code, description) for _ in range(count))

    def force_retry_after(self, chat_id: int | str, *seconds: int) -> None:
        """The next sends to chat_id get 429 with these retry_after values, one per send."""
        self._forced_retry.setdefault(chat_id, deque()).extend(seconds)

    def pause_sends(self, *, after: int = 0) -> None:
        """Accept `after` more sends, then hold every send request unanswered (a hung link).

        Held requests are answered 500 and not recorded once `resume_sends()` is called, as if
        they never reached Telegram; `held_sends` says how many are waiting.
        """
        self._pause_after = after

    def resume_sends(self) -> None:
        """Stop holding sends (see pause_sends)."""
        self._pause_after = None
        self._notify()

    def add_chat(
        self,
        chat_id: int | str,
        chat_type: str | None = None,
        *,
        title: str | None = None,
        is_forum: bool = False,
    ) -> dict[str, Any]:
        """Register a chat (type from the id if not given); returns its Chat JSON.

        `is_forum` turns topics on (also for a chat already registered); only supergroups can be
        forums. Sends to a forum without a thread go to its General topic.
        """
        kind = chat_type or chat_type_for(chat_id)
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind == "private":
            chat["first_name"] = title or f"User{chat_id}"
        else:
            chat["title"] = title or f"{kind.title()} {chat_id}"
        chat = self._chats.setdefault(chat_id, chat)
        if is_forum:
            if chat["type"] != "supergroup":
                raise ValueError(f"only supergroups can be forums, {chat_id} is {chat['type']}")
            chat["is_forum"] = True
        return chat

    def add_topic(
        self, chat_id: int | str, thread_id: int | None = None, *, name: str | None = None
    ) -> int:
        """Create a forum topic in chat_id (made a forum if it is not yet); returns its thread id.

        Telegram numbers a topic after the service message that created it, so a new id comes
        from the message counter unless `thread_id` is given.
        """
        self.add_chat(chat_id, is_forum=True)
        thread = next(self._message_ids) if thread_id is None else thread_id
        self._topics.setdefault(chat_id, {})[thread] = name or f"Topic {thread}"
        return thread

    def delete_topic(self, chat_id: int | str, thread_id: int) -> None:
        """Delete a forum topic: sends to it answer 400 "message thread not found" from now on."""
        self._topics.get(chat_id, {}).pop(thread_id, None)

    def set_admins(self, chat_id: int | str, *user_ids: int, creator: int | None = None) -> None:
        """Who getChatMember reports as administrator (and creator) of chat_id."""
        self._admins[chat_id] = set(user_ids)
        if creator is not None:
            self._creators[chat_id] = creator

    def set_member(self, chat_id: int | str, user_id: int) -> None:
        """Make user_id a plain member (the default answer, made explicit)."""
        self._members.setdefault(chat_id, set()).add(user_id)

    # ----- updates

    def command_update(
        self,
        chat_id: int | str,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        title: str | None = None,
        anonymous_admin: bool = False,
        message_thread_id: int | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Build the Update JSON Telegram sends for a command typed in a chat (not queued).

        With `message_thread_id` the command was typed in that forum topic (the chat becomes a
        forum and the topic exists, since a user typed in it). `language_code` is the user's app
        language (None: the client shares none).
        """
        in_topic = message_thread_id is not None
        chat = dict(self.add_chat(chat_id, chat_type, title=title, is_forum=in_topic))
        if chat_type is not None:
            chat["type"] = chat_type
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "text": text,
            **_command_entities(text),
        }
        if message_thread_id is not None:
            topics = self._topics.setdefault(chat_id, {})
            topics.setdefault(message_thread_id, f"Topic {message_thread_id}")
            message.update(message_thread_id=message_thread_id, is_topic_message=True)
        if chat["type"] == "channel":
            channel_post = {**message, "sender_chat": chat}
            return {"update_id": next(self._update_ids), "channel_post": channel_post}
        if anonymous_admin:
            message.update({"sender_chat": chat, "from": ANONYMOUS_ADMIN_USER})
        else:
            default_user = chat_id if chat["type"] == "private" else 424242
            message["from"] = _user(
                int(default_user if user_id is None else user_id), language_code
            )
        return {"update_id": next(self._update_ids), "message": message}

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates and wake a waiting long poll."""
        self._updates.append(update)
        self._notify()
        return update

    def push_command(
        self,
        chat_id: int | str,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        title: str | None = None,
        anonymous_admin: bool = False,
        message_thread_id: int | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Queue a command as if typed in chat_id (channel_post for channels)."""
        return self.push_update(
            self.command_update(
                chat_id,
                text,
                user_id=user_id,
                chat_type=chat_type,
                title=title,
                anonymous_admin=anonymous_admin,
                message_thread_id=message_thread_id,
                language_code=language_code,
            )
        )

    def push_callback(
        self,
        chat_id: int | str,
        user_id: int,
        message_id: int,
        data: str,
        *,
        language_code: str | None = None,
        forged: bool = False,
    ) -> str:
        """Queue a press on the inline button with callback `data` under the bot's message.

        The update carries the message as it looks now (edits included). Returns the
        callback_query_id the bot must answer once with answerCallbackQuery. `forged=True`
        sends data no button shows: Telegram does not check callback data against the
        keyboard, so a modified client can send anything and the bot must validate it.
        """
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise ValueError(f"the bot sent no message {message_id} to chat {chat_id}")
        buttons = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        if not forged and data not in {b.get("callback_data") for row in buttons for b in row}:
            # An ordinary client presses only buttons the message shows; catches a test's typo.
            raise ValueError(f"message {message_id} has no button with callback_data {data!r}")
        query_id = str(next(self._callback_ids))
        self._open_callbacks.add(query_id)
        query = {
            "id": query_id,
            "from": _user(user_id, language_code),
            "message": copy.deepcopy(message),
            "chat_instance": f"instance{chat_id}",
            "data": data,
        }
        self.push_update({"update_id": next(self._update_ids), "callback_query": query})
        return query_id

    @property
    def pending_updates(self) -> int:
        """Updates queued but not yet confirmed by an offset."""
        return len(self._updates)

    # ----- inspection

    def messages_to(self, chat_id: int | str) -> list[SentMessage]:
        """Accepted messages for one chat, in order."""
        return [m for m in self.sent if m.chat_id == chat_id]

    def documents_to(self, chat_id: int | str) -> list[SentMessage]:
        """Accepted sendDocument messages for one chat, in order."""
        return [m for m in self.messages_to(chat_id) if m.method == "senddocument"]

    def calls_to(self, method: str) -> list[ApiCall]:
        """Answered requests for one method (case-insensitive)."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    async def wait_for(self, predicate: Callable[[], bool], *, within: float = 10.0) -> None:
        """Wait until predicate() holds (checked after every request); TimeoutError otherwise."""
        assert self._changed is not None, "start() the fake first"
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(predicate)

    async def wait_for_messages(
        self, count: int, *, chat_id: int | str | None = None, within: float = 10.0
    ) -> list[SentMessage]:
        """Wait until at least `count` messages were accepted (for chat_id if given)."""

        def selected() -> list[SentMessage]:
            return self.sent if chat_id is None else self.messages_to(chat_id)

        await self.wait_for(lambda: len(selected()) >= count, within=within)
        return list(selected())

    def _notify(self) -> None:
        if self._changed is None:
            return

        async def notify(condition: asyncio.Condition) -> None:
            async with condition:
                condition.notify_all()

        # Called from sync code inside the loop; the notification runs right after.
        task = asyncio.get_running_loop().create_task(notify(self._changed))
        self._connections.add(task)
        task.add_done_callback(self._connections.discard)

    # ----- HTTP

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self._writers.add(writer)
        _CLIENT.set(reader)
        try:
            while not self._closing:
                request = await _read_request(reader)
                if request is None:
                    break
                _method, target, headers, body = request
                status, payload = await self._dispatch(target, headers, body)
                data = json.dumps(payload).encode()
                keep_alive = headers.get("connection", "").lower() != "close"
                writer.write(
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                    f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._connections.discard(task)
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _dispatch(
        self, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(target)
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", parts.path)
        if not match:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, method = match.groups()
        params, files = _decode_body(headers.get("content-type", ""), body)
        params.update((k, v) for k, v in parse_qsl(parts.query) if k not in params)
        if self.token is not None and token != self.token:
            fault = TelegramFault(401, "Unauthorized")
        else:
            fault = None
        status, description = 200, ""
        try:
            if fault is not None:
                raise fault
            result = await self._answer(method, params, files)
            payload: dict[str, Any] = {"ok": True, "result": result}
        except TelegramFault as exc:
            status, description, payload = exc.code, exc.description, exc.body()
            if exc.code == 429:
                self.rate_limited += 1
        self.calls.append(ApiCall(method, params, status, description))
        self._notify()
        return status, payload

    async def _answer(self, method: str, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        name = method.lower()
        if name in SEND_METHODS:
            if self._pause_after is not None and self._pause_after <= 0:
                await self._hold_send()
            result = self._send(name, params, files)
            if self._pause_after is not None:
                self._pause_after -= 1
            return result
        if name == "getupdates":
            return await self._get_updates(params)
        handler = self._handler(name)
        if handler is None:
            raise TelegramFault(404, "Not Found")
        return handler(params)

    def _handler(self, name: str) -> Callable[[dict[str, Any]], Any] | None:
        """The answer to a method that neither sends nor long-polls, by lower-case name."""
        return {
            "getme": lambda _params: BOT_USER,
            "logout": lambda _params: True,
            "close": lambda _params: True,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": lambda _params: self._webhook_info(),
            "setmycommands": self._set_commands,
            "getmycommands": lambda params: self.commands_by_scope.get(_scope_key(params), []),
            "deletemycommands": self._delete_commands,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "answercallbackquery": self._answer_callback,
            "editmessagereplymarkup": self._edit_reply_markup,
        }.get(name)

    async def _hold_send(self) -> None:
        assert self._changed is not None
        self.held_sends += 1
        self._notify()
        try:
            async with self._changed:
                await self._changed.wait_for(lambda: self._pause_after is None or self._closing)
        finally:
            self.held_sends -= 1
        # The client gave up on this request long ago (it was "lost in transit"), so it is
        # answered with an error and not recorded as delivered.
        raise TelegramFault(500, "Internal Server Error")

    def _set_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise TelegramFault(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise TelegramFault(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands_by_scope[_scope_key(params)] = list(commands)
        self.commands = list(commands)
        return True

    def _delete_commands(self, params: dict[str, Any]) -> bool:
        self.commands_by_scope.pop(_scope_key(params), None)
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(params)  # Telegram: an empty URL removes the webhook
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise TelegramFault(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        if (parts.port or 443) not in WEBHOOK_PORTS:
            raise TelegramFault(
                400,
                "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or "
                "8443",
            )
        secret = params.get("secret_token") or None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise TelegramFault(400, "Bad Request: secret token contains unallowed characters")
        # Without allowed_updates Telegram keeps the previous setting.
        previous = self.webhook.allowed_updates if self.webhook else None
        self.webhook = Webhook(
            url=url,
            secret_token=secret,
            allowed_updates=params.get("allowed_updates", previous),
            max_connections=int(params.get("max_connections") or 40),
        )
        if _flag(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if _flag(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    def _webhook_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
        return info

    def _answer_callback(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise TelegramFault(400, QUERY_TOO_OLD)
        self._open_callbacks.discard(query_id)
        self.callback_answers.append(
            CallbackAnswer(
                id=query_id,
                text=params.get("text") or None,
                show_alert=_flag(params.get("show_alert")),
                url=params.get("url") or None,
            )
        )
        return True

    def _chat_id(self, params: dict[str, Any]) -> int | str:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise TelegramFault(400, "Bad Request: chat_id is empty")
        try:
            return int(raw)
        except (TypeError, ValueError):
            return str(raw)

    def _check_chat(self, chat_id: int | str) -> None:
        if chat_id in self._migrations:
            raise TelegramFault(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrations[chat_id]},
            )
        kind = self._faults.get(chat_id)
        if kind is not None:
            code, description = FAULTS[kind]
            raise TelegramFault(code, description)

    def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        self._check_chat(chat_id)
        chat = dict(self.add_chat(chat_id))
        chat.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return chat

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        self._check_chat(chat_id)
        user_id = int(params["user_id"])
        user = (
            BOT_USER
            if user_id == BOT_USER["id"]
            else {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        )
        if self._creators.get(chat_id) == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in self._admins.get(chat_id, ()) or user_id == BOT_USER["id"]:
            rights = dict.fromkeys(
                (
                    "can_be_edited",
                    "is_anonymous",
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_promote_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                    "can_post_messages",
                    "can_edit_messages",
                ),
                False,
            )
            rights.update(can_manage_chat=True, can_post_messages=True)
            return {"status": "administrator", "user": user, **rights}
        return {"status": "member", "user": user}

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise TelegramFault(409, WEBHOOK_CONFLICT)
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            # Telegram forgets updates once an offset above them is seen.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

        def available() -> list[dict[str, Any]]:
            return [u for u in self._updates if u["update_id"] >= offset][:limit]

        # Telegram serves one getUpdates per bot at a time: a new one ends those held open.
        for held in self._open_polls:
            held.is_superseded = True
        if not available() and timeout > 0:
            await self._hold_poll(available, seconds=timeout)
        return available()

    async def _hold_poll(self, available: Callable[[], list[Any]], *, seconds: float) -> None:
        assert self._changed is not None
        poll = _HeldPoll(client=_CLIENT.get(None))
        self._open_polls.append(poll)
        self.held_polls += 1
        self._notify()
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds), self._changed:
                    await self._changed.wait_for(
                        lambda: bool(available()) or self._closing or poll.is_superseded
                    )
        finally:
            self.held_polls -= 1
            self._open_polls.remove(poll)
        if poll.is_superseded:
            if poll.has_client:
                self.poll_conflicts += 1
            raise TelegramFault(409, POLL_CONFLICT)

    def _send(self, name: str, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat_id = self._chat_id(params)
        self._check_deliverable(chat_id)
        if name == "editmessagetext":
            return self._edit_text(chat_id, params)
        thread = self._thread(chat_id, params)
        text, visible = self._checked_text(name, params)
        upload = self._upload(name, params, files)
        self._check_rate(chat_id)
        now = self.clock()
        self._stamp(chat_id, now)
        is_media = name in MEDIA_METHODS
        record = SentMessage(
            message_id=next(self._message_ids),
            method=name,
            chat_id=chat_id,
            text=text,
            parse_mode=params.get("parse_mode") or None,
            link_preview_options=params.get("link_preview_options"),
            reply_markup=params.get("reply_markup"),
            time=now,
            photo=upload.data if upload and name == "sendphoto" else None,
            message_thread_id=thread,
            disable_notification=_flag(params.get("disable_notification")),
            document=upload.data if upload and name == "senddocument" else None,
            filename=upload.filename if upload and name == "senddocument" else None,
            caption=(text or None) if is_media else None,
        )
        self.sent.append(record)
        message = self._message_json(record, visible, upload)
        self._messages[(chat_id, record.message_id)] = message
        return message

    def _check_deliverable(self, chat_id: int | str) -> None:
        """Faults that hit any send before its content is looked at."""
        if self._fail_next:
            raise self._fail_next.popleft()
        self._check_chat(chat_id)
        forced = self._forced_retry.get(chat_id)
        if forced:
            seconds = forced.popleft()
            raise TelegramFault(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )

    def _thread(self, chat_id: int | str, params: dict[str, Any]) -> int | None:
        raw = params.get("message_thread_id")
        if raw is None or raw == "":
            return None
        thread = int(raw)
        # Outside forums there are no topics to send to, so any thread id is unknown there too.
        if thread not in self._topics.get(chat_id, {}):
            raise TelegramFault(400, THREAD_NOT_FOUND)
        return thread

    def _checked_text(self, name: str, params: dict[str, Any]) -> tuple[str, str]:
        """(raw text or caption, visible text) after Telegram's parse and length checks."""
        is_media = name in MEDIA_METHODS
        text = params.get("caption" if is_media else "text") or ""
        visible = self._visible_text(text, params.get("parse_mode") or None)
        if not is_media and not visible.strip():
            raise TelegramFault(400, "Bad Request: message text is empty")
        if len(visible.strip()) > (MAX_CAPTION_LENGTH if is_media else MAX_MESSAGE_LENGTH):
            raise TelegramFault(
                400,
                "Bad Request: message caption is too long"
                if is_media
                else "Bad Request: message is too long",
            )
        return text, visible

    def _upload(
        self, name: str, params: dict[str, Any], files: dict[str, Upload]
    ) -> Upload | None:
        """The file a photo or document send carries (None: a file_id or URL was given)."""
        field_name = MEDIA_METHODS.get(name)
        if field_name is None:
            return None
        reference = params.get(field_name, "")
        if isinstance(reference, str) and reference.startswith("attach://"):
            upload = files.get(reference.removeprefix("attach://"))
        else:
            upload = files.get(field_name)
        if upload is None and not reference:
            raise TelegramFault(400, f"Bad Request: there is no {field_name} in the request")
        if upload is not None and not upload.data:
            raise TelegramFault(400, "Bad Request: file must be non-empty")
        return upload

    def _message_json(
        self, record: SentMessage, visible: str, upload: Upload | None
    ) -> dict[str, Any]:
        """The Message Telegram answers a send with."""
        chat = dict(self.add_chat(record.chat_id))
        message: dict[str, Any] = {
            "message_id": record.message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
        }
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        if record.message_thread_id is not None:
            message.update(message_thread_id=record.message_thread_id, is_topic_message=True)
        if record.method in MEDIA_METHODS:
            message.update(_media_json(record, upload))
            if visible:
                message["caption"] = visible
        else:
            message["text"] = visible
        # Only inline keyboards stay attached to the message; reply keyboards belong to the chat.
        if record.reply_markup and "inline_keyboard" in record.reply_markup:
            message["reply_markup"] = record.reply_markup
        return message

    def _sent_message(self, chat_id: int | str, params: dict[str, Any]) -> dict[str, Any]:
        message = self._messages.get((chat_id, int(params.get("message_id") or 0)))
        if message is None:
            raise TelegramFault(400, "Bad Request: message to edit not found")
        return message

    def _edit_text(self, chat_id: int | str, params: dict[str, Any]) -> dict[str, Any]:
        current = self._sent_message(chat_id, params)
        if "text" not in current:
            raise TelegramFault(400, "Bad Request: there is no text in the message to edit")
        text, visible = self._checked_text("editmessagetext", params)
        markup = params.get("reply_markup")
        if (visible, markup) == (current["text"], current.get("reply_markup")):
            raise TelegramFault(400, NOT_MODIFIED)
        self._check_rate(chat_id)
        now = self.clock()
        self._stamp(chat_id, now)
        # Edits stay records of their own in `sent`, as before, so tests can count them.
        record = SentMessage(
            message_id=current["message_id"],
            method="editmessagetext",
            chat_id=chat_id,
            text=text,
            parse_mode=params.get("parse_mode") or None,
            link_preview_options=params.get("link_preview_options"),
            reply_markup=markup,
            time=now,
            message_thread_id=current.get("message_thread_id"),
        )
        self.sent.append(record)
        # An edit without reply_markup drops the inline keyboard, as in Telegram.
        return self._replace_message(chat_id, current, text=visible, reply_markup=markup)

    def _edit_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        self._check_chat(chat_id)
        current = self._sent_message(chat_id, params)
        markup = params.get("reply_markup") or None
        if markup == current.get("reply_markup"):
            raise TelegramFault(400, NOT_MODIFIED)
        # The latest record of the message shows the keyboard it has now.
        for index in range(len(self.sent) - 1, -1, -1):
            sent = self.sent[index]
            if (sent.chat_id, sent.message_id) == (chat_id, current["message_id"]):
                self.sent[index] = dataclasses.replace(sent, reply_markup=markup)
                break
        return self._replace_message(chat_id, current, reply_markup=markup)

    def _replace_message(
        self, chat_id: int | str, current: dict[str, Any], **changes: Any
    ) -> dict[str, Any]:
        """Store the edited Message (None values drop the field) and return it."""
        message = {**current, **changes, "edit_date": int(time.time())}
        message = {k: v for k, v in message.items() if v is not None}
        if "inline_keyboard" not in (message.get("reply_markup") or {}):
            message.pop("reply_markup", None)
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _visible_text(self, text: str, parse_mode: str | None) -> str:
        if parse_mode is None:
            return text
        if parse_mode.upper() != "HTML":
            raise TelegramFault(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
        try:
            return parse_telegram_html(text, strict_ampersand=self.strict_ampersand)
        except TelegramHTMLError as exc:
            raise TelegramFault(400, f"Bad Request: {exc}") from exc

    def _is_group(self, chat_id: int | str) -> bool:
        return chat_type_for(chat_id) != "private"

    def _windows_for(self, chat_id: int | str) -> Iterable[_Window]:
        limits = self.limits
        specs: list[tuple[tuple[str, int | str], float, int | None]] = [
            (("global", 0), 1.0, limits.global_per_second),
            (("chat", chat_id), 1.0, limits.per_chat_per_second),
        ]
        if self._is_group(chat_id):
            specs.append((("group", chat_id), 60.0, limits.per_group_per_minute))
        for key, length, limit in specs:
            if limit is None:
                continue
            window = self._windows.get(key)
            if window is None:
                window = self._windows[key] = _Window(length, limit)
            yield window

    def _check_rate(self, chat_id: int | str) -> None:
        now = self.clock()
        wait = max((w.retry_after(now) for w in self._windows_for(chat_id)), default=0)
        if wait:
            raise TelegramFault(
                429, f"Too Many Requests: retry after {wait}", {"retry_after": wait}
            )

    def _stamp(self, chat_id: int | str, now: float) -> None:
        for window in self._windows_for(chat_id):
            window.stamps.append(now)


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
    """Telegram keeps one command list per scope and language ("" = all languages)."""
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), params.get("language_code") or ""


def _flag(value: Any) -> bool:
    """A Boolean parameter: JSON true/false in form and multipart bodies, a bool in JSON ones."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1"}
    return bool(value)


def _user(user_id: int, language_code: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
    if language_code is not None:
        user["language_code"] = language_code
    return user


def _command_entities(text: str) -> dict[str, Any]:
    """The bot_command entity Telegram adds when text starts with a command, as message fields."""
    command = text.split(maxsplit=1)[0] if text.strip() else ""
    if not command.startswith("/"):
        return {}
    # Entity offsets and lengths count UTF-16 code units.
    length = len(command.encode("utf-16-le")) // 2
    return {"entities": [{"type": "bot_command", "offset": 0, "length": length}]}


def _media_json(record: SentMessage, upload: Upload | None) -> dict[str, Any]:
    """The photo or document part of a sent Message."""
    number = record.message_id
    if record.method == "sendphoto":
        size = {"file_id": f"photo{number}", "file_unique_id": f"p{number}"}
        return {"photo": [{**size, "width": 1, "height": 1}]}
    document: dict[str, Any] = {"file_id": f"document{number}", "file_unique_id": f"d{number}"}
    if upload is not None:
        document["file_size"] = len(upload.data)
        if upload.filename:
            document["file_name"] = upload.filename
        if upload.mime_type:
            document["mime_type"] = upload.mime_type
    return {"document": document}


def _decode_value(name: str, value: str) -> Any:
    if name in _JSON_FIELDS:
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


def _decode_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Form, JSON or multipart body → (params, files)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return {}, {}
    if kind == "application/json":
        return dict(json.loads(body)), {}
    if kind == "multipart/form-data":
        message = BytesParser(policy=policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        params: dict[str, Any] = {}
        files: dict[str, Upload] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                files[str(name)] = Upload(payload, filename or None, part.get_content_type())
            else:
                params[str(name)] = _decode_value(str(name), payload.decode("utf-8"))
        return params, files
    pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    return {k: _decode_value(k, v) for k, v in pairs}, {}


async def _read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, dict[str, str], bytes] | None:
    """One HTTP/1.1 request off a keep-alive connection; None when the client hung up."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            chunks.append(chunk[:-2])
        body = b"".join(chunks)
    else:
        body = await reader.readexactly(int(headers.get("content-length") or 0))
    return method, target, headers, body


@pytest.fixture
async def telegram_api(monkeypatch):
    """A running fake Bot API on loopback; `telegram_api.base_url` goes to PTB's base_url."""
    # PTB 22 warns on every RetryAfter unless this opts in to timedelta periods, and under
    # filterwarnings=error that warning would replace the RetryAfter the test expects.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    fake = FakeTelegramAPI()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
