#!/bin/sh
# Interface languages (README "Languages"): actor names, extract → update → compile.
#   scripts/i18n.sh            refresh the catalogs after changing messages in the code
#   scripts/i18n.sh init xx    start a catalog for a new language xx (then add it to bot/i18n.py)
# Needs Babel (`pip install -e ".[test]"`). Translate the new or fuzzy entries in
# bot/locale/<lang>/LC_MESSAGES/messages.po, then run this again to compile them.
set -eu
cd "$(dirname "$0")/.."
POT=bot/locale/messages.pot
if [ "${1:-}" = init ]; then
    pybabel init -i "$POT" -d bot/locale -D messages -l "$2"
    exit 0
fi
python scripts/build_actor_names.py
NEW=$(mktemp)
trap 'rm -f "$NEW"' EXIT
PYTHONPATH=. pybabel -q extract -F babel.cfg --add-comments=Translators: --no-location \
    --sort-output --project=ceasefire-alerts --version=0.1 \
    --copyright-holder="ceasefire-alerts authors" -o "$NEW" .
# Keep the template (and every catalog's header) as it is unless a message changed.
if ! diff -q -I '^"POT-Creation-Date' "$NEW" "$POT" >/dev/null; then
    cp "$NEW" "$POT"
fi
pybabel update -i "$POT" -d bot/locale -D messages --ignore-obsolete
pybabel compile -d bot/locale -D messages --statistics
