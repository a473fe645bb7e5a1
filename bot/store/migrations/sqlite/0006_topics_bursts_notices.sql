-- One delivery path (issue 12): forum topics, quiet hours, outbox rows of several kinds,
-- bursts and operator notices.
-- A topic is stored as thread_id 0 for "the whole chat" (its General topic in a forum), not
-- NULL: NULLs never collide in a primary key or UNIQUE constraint, so a chat could hold two
-- whole-chat subscriptions or one alert twice. The store maps 0 to None and back.
CREATE TABLE subscriptions_new (
    chat_id INTEGER NOT NULL,
    thread_id INTEGER NOT NULL DEFAULT 0,
    chat_type TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    levels TEXT NOT NULL,
    words TEXT NOT NULL DEFAULT '[]',
    is_active INTEGER NOT NULL DEFAULT 1,
    is_instant INTEGER NOT NULL DEFAULT 1,
    digest_time TEXT,
    last_digest TEXT,
    quiet_hours TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (chat_id, thread_id)
);
INSERT INTO subscriptions_new (chat_id, thread_id, chat_type, title, levels, words, is_active,
    is_instant, digest_time, last_digest, created, updated)
    SELECT chat_id, 0, chat_type, title, levels, words, is_active, is_instant, digest_time,
        last_digest, created, updated
    FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_new RENAME TO subscriptions;
-- kind 'alert' carries alert_id; digests, bursts and notices carry their text. A burst
-- covers pending alert rows: they wait as 'merged' with burst_id set and share its fate.
CREATE TABLE outbox_new (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'alert'
        CHECK (kind IN ('alert', 'digest', 'burst', 'notice')),
    alert_id INTEGER REFERENCES alerts (id) ON DELETE CASCADE,
    chat_id INTEGER NOT NULL,
    thread_id INTEGER NOT NULL DEFAULT 0,
    text TEXT,
    is_silent INTEGER NOT NULL DEFAULT 0,
    burst_id INTEGER,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'merged', 'sent', 'failed', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT NOT NULL DEFAULT '',
    last_error TEXT,
    message_id INTEGER,
    created TEXT NOT NULL,
    sent_at TEXT,
    CHECK ((kind = 'alert') = (alert_id IS NOT NULL)),
    CHECK ((kind = 'alert') = (text IS NULL)),
    UNIQUE (alert_id, chat_id, thread_id)
);
INSERT INTO outbox_new (id, kind, alert_id, chat_id, thread_id, status, attempts, not_before,
    last_error, message_id, created, sent_at)
    SELECT id, 'alert', alert_id, chat_id, 0, status, attempts, not_before, last_error,
        message_id, created, sent_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (status, not_before, id);
CREATE INDEX outbox_done ON outbox (status, created);
CREATE INDEX outbox_burst ON outbox (burst_id) WHERE burst_id IS NOT NULL;
-- Waiting bursts go first (they carry alerts queued before the rows behind them).
CREATE INDEX outbox_pending_bursts ON outbox (id) WHERE kind = 'burst' AND status = 'pending';
-- A chat's backlog (bursts are decided on it), and dropping or moving a chat's rows.
CREATE INDEX outbox_chat ON outbox (chat_id, status, not_before);
-- An outage starts at a feed's first failure; the operators hear of it once (outage_reported
-- set) and once more when it ends (cleared). Feeds failing now started at their last success.
ALTER TABLE feeds ADD COLUMN failing_since TEXT;
ALTER TABLE feeds ADD COLUMN outage_reported TEXT;
UPDATE feeds SET failing_since = coalesce(last_ok, added_at) WHERE failures > 0;
