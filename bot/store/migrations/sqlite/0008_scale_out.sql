-- Scale-out (issue 11). A feed being polled carries a lease: the worker polling it and when the
-- lease runs out, so workers sharing a PostgreSQL database never fetch one feed at once, and
-- the feeds of a worker that died are polled by the others once its leases expire. SQLite runs
-- one process; it keeps the same columns so that a schema number means one schema.
ALTER TABLE feeds ADD COLUMN leased_by TEXT;
ALTER TABLE feeds ADD COLUMN lease_until TEXT;
-- In the order claims take them, so a claim reads a few index entries, not the whole table.
CREATE INDEX feeds_next_poll ON feeds (next_poll, url);
-- Workers seen recently, for /status: name (host:pid:random), start, last heartbeat, and whether
-- it held the sender role then.
CREATE TABLE workers (
    name TEXT PRIMARY KEY,
    started TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    is_sender INTEGER NOT NULL DEFAULT 0
);
