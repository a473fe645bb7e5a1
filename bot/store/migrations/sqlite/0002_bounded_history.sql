-- Bounded for years (outbox retention, reports follow their items) and a per-pair blame
-- record, so the novelty line never loads the whole history. An event's time is
-- min(published, created), as in bot.services.history.event_time.
CREATE INDEX outbox_done ON outbox (status, created);
CREATE INDEX items_first_seen ON items (first_seen);
ALTER TABLE alert_reports ADD COLUMN item_key TEXT;
UPDATE alert_reports SET item_key = (
    SELECT a.item_key FROM alerts a
    WHERE a.id = alert_reports.alert_id AND a.feed_url = alert_reports.feed_url
);
UPDATE alert_reports SET item_key = (
    SELECT i.key FROM items i
    WHERE i.feed_url = alert_reports.feed_url AND i.link = alert_reports.link
    ORDER BY i.id LIMIT 1
) WHERE item_key IS NULL;
-- A report whose item was already pruned goes, as it would have with its item.
DELETE FROM alert_reports WHERE item_key IS NULL;
CREATE INDEX alert_reports_item ON alert_reports (feed_url, item_key);
CREATE TABLE blame_pairs (
    accuser TEXT NOT NULL,
    accused TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (accuser, accused)
);
CREATE TABLE blame_pair_days (
    accuser TEXT NOT NULL,
    accused TEXT NOT NULL,
    day TEXT NOT NULL,
    count INTEGER NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (accuser, accused, day)
);
CREATE INDEX alerts_level_created ON alerts (level, created);
INSERT INTO blame_pairs (accuser, accused, first_seen, last_seen, count)
    SELECT json_extract(p.value, '$[0]'), json_extract(p.value, '$[1]'),
        min(min(a.published, a.created)), max(min(a.published, a.created)), count(*)
    FROM alerts a, json_each(a.pairs) p WHERE a.level = 'blame'
    GROUP BY 1, 2;
INSERT INTO blame_pair_days (accuser, accused, day, count, last_seen)
    SELECT json_extract(p.value, '$[0]'), json_extract(p.value, '$[1]'),
        substr(min(a.published, a.created), 1, 10), count(*),
        max(min(a.published, a.created))
    FROM alerts a, json_each(a.pairs) p WHERE a.level = 'blame'
    GROUP BY 1, 2, 3;
