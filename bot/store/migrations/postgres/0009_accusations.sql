-- Schema version 9, as sqlite/0009_accusations.sql: one row per accusation (each pair of a
-- blame alert), keyed by pair and event time, so a novelty line counts one pair's recent
-- accusations and finds its latest through the index, whatever else was said that week.
-- An event's time is least(published, created), as in bot.services.history.event_time.
CREATE TABLE accusations (
    accuser text NOT NULL,
    accused text NOT NULL,
    made timestamptz NOT NULL,
    alert_id bigint NOT NULL,
    PRIMARY KEY (accuser, accused, made, alert_id)
);
INSERT INTO accusations (accuser, accused, made, alert_id)
    SELECT p.value ->> 0, p.value ->> 1, least(a.published, a.created), a.id
    FROM alerts a CROSS JOIN LATERAL jsonb_array_elements(a.pairs) p
    WHERE a.level = 'blame'
    ON CONFLICT DO NOTHING;
-- The earliest accusation on record ("in the 96 days on record") without reading every pair.
CREATE INDEX blame_pairs_first_seen ON blame_pairs (first_seen);
