"""Feed library: fetch, parse, detect and group ceasefire news. No Telegram, no SQL."""
