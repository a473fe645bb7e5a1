-- Schema version 7, as sqlite/0007_chat_languages.sql: a chat's interface language, chosen
-- with /language (is_chosen) or else taken from the user who last subscribed it.
CREATE TABLE chat_languages (
    chat_id bigint PRIMARY KEY,
    language text NOT NULL,
    is_chosen boolean NOT NULL DEFAULT false,
    updated timestamptz NOT NULL
);
