"""ceasefire-alerts application: settings, store, poller, Telegram front end, CLI."""
