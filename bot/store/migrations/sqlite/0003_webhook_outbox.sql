-- Outgoing webhooks (issue 13): one row per alert per receiver URL, written in the same
-- transaction as the alert, so a restart loses none and sends none twice once it is sent.
CREATE TABLE webhook_outbox (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'refused')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (alert_id, url)
);
CREATE INDEX webhook_outbox_pending ON webhook_outbox (url, status, id);
CREATE INDEX webhook_outbox_done ON webhook_outbox (status, created);
-- Each receiver's health: a failing streak backs off, a long one pauses it (reported once).
CREATE TABLE webhook_targets (
    url TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    failing_since TEXT,
    next_attempt TEXT,
    paused_at TEXT,
    last_error TEXT
);
