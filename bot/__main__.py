"""`python -m bot` is the same as `ceasefire-alerts`."""

import sys

from bot.cli import main

sys.exit(main())
