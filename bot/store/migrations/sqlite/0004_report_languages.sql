-- The language of each report of a story, so an alert can say "also reported by 3 feeds in
-- 2 languages". Reports stored before this step take their alert's language (the first
-- report) or their feed's declared one; the rest stay unknown and are not counted.
ALTER TABLE alert_reports ADD COLUMN lang TEXT;
UPDATE alert_reports SET lang = (
    SELECT a.lang FROM alerts a
    WHERE a.id = alert_reports.alert_id AND a.feed_url = alert_reports.feed_url
);
UPDATE alert_reports SET lang = (
    SELECT f.lang FROM feeds f WHERE f.url = alert_reports.feed_url
) WHERE lang IS NULL;
