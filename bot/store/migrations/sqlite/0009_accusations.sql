-- One row per accusation (each pair of a blame alert), keyed by pair and event time, so a
-- novelty line counts one pair's recent accusations and finds its latest through the index,
-- whatever else was said that week: a cycle's cost does not grow with the database's age.
-- An event's time is min(published, created), as in bot.services.history.event_time.
CREATE TABLE accusations (
    accuser TEXT NOT NULL,
    accused TEXT NOT NULL,
    made TEXT NOT NULL,
    alert_id INTEGER NOT NULL,
    PRIMARY KEY (accuser, accused, made, alert_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO accusations (accuser, accused, made, alert_id)
    SELECT json_extract(p.value, '$[0]'), json_extract(p.value, '$[1]'),
        min(a.published, a.created), a.id
    FROM alerts a, json_each(a.pairs) p WHERE a.level = 'blame';
-- The earliest accusation on record ("in the 96 days on record") without reading every pair.
CREATE INDEX blame_pairs_first_seen ON blame_pairs (first_seen);
