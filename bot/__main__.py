"""`python -m bot` is the same as `ceasefire-alerts`."""

import sys

from bot.cli import main

# The guard matters: parser processes are started with "spawn", which imports this module again.
if __name__ == "__main__":
    sys.exit(main())
