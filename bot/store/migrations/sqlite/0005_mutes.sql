-- "Mute this pair 24 h": one row per chat and accuser → accused pair, extended when pressed
-- again. Rows whose `until` has passed are ignored and reused; the key bounds the table.
CREATE TABLE mutes (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    accuser TEXT NOT NULL,
    accused TEXT NOT NULL,
    until TEXT NOT NULL,
    muted_by INTEGER,
    created TEXT NOT NULL,
    UNIQUE (chat_id, accuser, accused)
);
CREATE INDEX mutes_until ON mutes (until);
