-- Schema version 4, as sqlite/0004_report_languages.sql: the language of each report of a
-- story, so an alert can say "also reported by 3 feeds in 2 languages". Reports stored before
-- this step take their alert's language (the first report) or their feed's declared one.
ALTER TABLE alert_reports ADD COLUMN lang text;
UPDATE alert_reports r SET lang = a.lang
    FROM alerts a WHERE a.id = r.alert_id AND a.feed_url = r.feed_url;
UPDATE alert_reports r SET lang = f.lang
    FROM feeds f WHERE f.url = r.feed_url AND r.lang IS NULL;
