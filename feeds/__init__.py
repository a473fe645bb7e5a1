"""Feed library: fetch, parse, detect and group ceasefire news. Knows nothing of Telegram or SQL."""
