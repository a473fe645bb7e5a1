CREATE TABLE feeds (
    url TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    lang TEXT,
    added_at TEXT NOT NULL,
    added_by INTEGER,
    etag TEXT,
    last_modified TEXT,
    last_polled TEXT,
    last_ok TEXT,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_poll TEXT NOT NULL DEFAULT ''
);
-- Items outlive their feed row on purpose: re-adding a feed must not re-alert old items.
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    feed_url TEXT NOT NULL,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    published TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    level TEXT NOT NULL,
    UNIQUE (feed_url, key)
);
CREATE INDEX items_last_seen ON items (last_seen);
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    feed_url TEXT NOT NULL,
    item_key TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    link TEXT NOT NULL,
    published TEXT NOT NULL,
    source_title TEXT NOT NULL,
    level TEXT NOT NULL,
    pairs TEXT NOT NULL,
    evidence TEXT NOT NULL,
    matched TEXT NOT NULL,
    actors TEXT NOT NULL,
    lang TEXT,
    novelty TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    UNIQUE (feed_url, item_key)
);
CREATE INDEX alerts_created ON alerts (created);
-- Every feed that carried the story, the first one included.
CREATE TABLE alert_reports (
    alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    feed_url TEXT NOT NULL,
    link TEXT NOT NULL,
    seen TEXT NOT NULL,
    PRIMARY KEY (alert_id, feed_url)
);
CREATE TABLE subscriptions (
    chat_id INTEGER PRIMARY KEY,
    chat_type TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    levels TEXT NOT NULL,
    words TEXT NOT NULL DEFAULT '[]',
    is_active INTEGER NOT NULL DEFAULT 1,
    is_instant INTEGER NOT NULL DEFAULT 1,
    digest_time TEXT,
    last_digest TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    chat_id INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT NOT NULL DEFAULT '',
    last_error TEXT,
    message_id INTEGER,
    created TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (alert_id, chat_id)
);
CREATE INDEX outbox_pending ON outbox (status, not_before, id);
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
