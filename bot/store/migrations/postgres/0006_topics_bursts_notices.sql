-- Schema version 6, as sqlite/0006_topics_bursts_notices.sql (issue 12: one delivery path).
-- A subscription is keyed by chat and forum topic; thread_id 0 is the whole chat (its General
-- topic), not NULL, because NULLs never collide in a key. Quiet hours live on it.
ALTER TABLE subscriptions ADD COLUMN thread_id bigint NOT NULL DEFAULT 0;
ALTER TABLE subscriptions ADD COLUMN quiet_hours text;
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_pkey;
ALTER TABLE subscriptions ADD PRIMARY KEY (chat_id, thread_id);
-- Outbox rows of several kinds: 'alert' carries alert_id; digests, bursts and notices carry
-- their text. A burst covers pending alert rows: they wait as 'merged' with burst_id set.
ALTER TABLE outbox ADD COLUMN kind text NOT NULL DEFAULT 'alert'
    CHECK (kind IN ('alert', 'digest', 'burst', 'notice'));
ALTER TABLE outbox ADD COLUMN thread_id bigint NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN text text;
ALTER TABLE outbox ADD COLUMN is_silent boolean NOT NULL DEFAULT false;
ALTER TABLE outbox ADD COLUMN burst_id bigint;
ALTER TABLE outbox ALTER COLUMN alert_id DROP NOT NULL;
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'merged', 'sent', 'failed', 'dropped'));
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_alert CHECK ((kind = 'alert') = (alert_id IS NOT NULL));
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_text CHECK ((kind = 'alert') = (text IS NULL));
ALTER TABLE outbox DROP CONSTRAINT outbox_alert_id_chat_id_key;
ALTER TABLE outbox ADD CONSTRAINT outbox_alert_chat_thread UNIQUE (alert_id, chat_id, thread_id);
CREATE INDEX outbox_burst ON outbox (burst_id) WHERE burst_id IS NOT NULL;
-- Waiting bursts go first (they carry alerts queued before the rows behind them).
CREATE INDEX outbox_pending_bursts ON outbox (id) WHERE kind = 'burst' AND status = 'pending';
-- A chat's backlog (bursts are decided on it), and dropping or moving a chat's rows.
CREATE INDEX outbox_chat ON outbox (chat_id, status);
-- An outage starts at a feed's first failure; the operators hear of it once (outage_reported
-- set) and once more when it ends (cleared). Feeds failing now started at their last success.
ALTER TABLE feeds ADD COLUMN failing_since timestamptz;
ALTER TABLE feeds ADD COLUMN outage_reported timestamptz;
UPDATE feeds SET failing_since = coalesce(last_ok, added_at) WHERE failures > 0;
