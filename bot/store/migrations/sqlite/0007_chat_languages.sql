-- A chat's interface language (issue 13): chosen with /language (is_chosen = 1), else the
-- language of the user who last subscribed it. Kept after /unsubscribe: it is the chat's.
CREATE TABLE chat_languages (
    chat_id INTEGER PRIMARY KEY,
    language TEXT NOT NULL,
    is_chosen INTEGER NOT NULL DEFAULT 0,
    updated TEXT NOT NULL
);
