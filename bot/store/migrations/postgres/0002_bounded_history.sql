-- Schema version 2, as sqlite/0002_bounded_history.sql: outbox retention, reports that follow
-- their items, and the per-pair blame record, so the novelty line never loads the whole
-- history. An event's time is least(published, created), as in history.event_time.
CREATE INDEX outbox_done ON outbox (status, created);
CREATE INDEX items_first_seen ON items (first_seen);
ALTER TABLE alert_reports ADD COLUMN item_key text;
UPDATE alert_reports r SET item_key = a.item_key
    FROM alerts a WHERE a.id = r.alert_id AND a.feed_url = r.feed_url;
UPDATE alert_reports r SET item_key = (
    SELECT i.key FROM items i
    WHERE i.feed_url = r.feed_url AND i.link = r.link
    ORDER BY i.id LIMIT 1
) WHERE item_key IS NULL;
-- A report whose item was already pruned goes, as it would have with its item.
DELETE FROM alert_reports WHERE item_key IS NULL;
CREATE INDEX alert_reports_item ON alert_reports (feed_url, item_key);
CREATE TABLE blame_pairs (
    accuser text NOT NULL,
    accused text NOT NULL,
    first_seen timestamptz NOT NULL,
    last_seen timestamptz NOT NULL,
    count integer NOT NULL,
    PRIMARY KEY (accuser, accused)
);
CREATE TABLE blame_pair_days (
    accuser text NOT NULL,
    accused text NOT NULL,
    day date NOT NULL,  -- the UTC day of the accusations it counts
    count integer NOT NULL,
    last_seen timestamptz NOT NULL,
    PRIMARY KEY (accuser, accused, day)
);
CREATE INDEX alerts_level_created ON alerts (level, created);
INSERT INTO blame_pairs (accuser, accused, first_seen, last_seen, count)
    SELECT p.value ->> 0, p.value ->> 1,
        min(least(a.published, a.created)), max(least(a.published, a.created)), count(*)
    FROM alerts a CROSS JOIN LATERAL jsonb_array_elements(a.pairs) p
    WHERE a.level = 'blame'
    GROUP BY 1, 2;
INSERT INTO blame_pair_days (accuser, accused, day, count, last_seen)
    SELECT p.value ->> 0, p.value ->> 1,
        (least(a.published, a.created) AT TIME ZONE 'UTC')::date, count(*),
        max(least(a.published, a.created))
    FROM alerts a CROSS JOIN LATERAL jsonb_array_elements(a.pairs) p
    WHERE a.level = 'blame'
    GROUP BY 1, 2, 3;
