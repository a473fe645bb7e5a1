-- Schema version 8, as sqlite/0008_scale_out.sql. A feed being polled carries a lease (the
-- worker polling it, and when the lease runs out): workers claim due feeds with
-- SELECT … FOR UPDATE SKIP LOCKED, so no feed is fetched by two at once, and the feeds of a
-- worker that died are polled by the others once its leases expire.
ALTER TABLE feeds ADD COLUMN leased_by text, ADD COLUMN lease_until timestamptz;
-- In the order claims take them, so a claim reads a few index entries, not the whole table.
CREATE INDEX feeds_next_poll ON feeds (next_poll NULLS FIRST, url COLLATE "C");
-- Workers seen recently, for /status: name (host:pid:random), start, last heartbeat, and whether
-- it held the sender role then.
CREATE TABLE workers (
    name text PRIMARY KEY,
    started timestamptz NOT NULL,
    last_seen timestamptz NOT NULL,
    is_sender boolean NOT NULL DEFAULT false
);
