#!/usr/bin/env bash
# Smoke test: the test cluster answers and the installed extension can be
# created (and dropped) in a scratch database. Run by scripts/test.sh with the
# cluster's PG* environment; prints TAP.
set -uo pipefail

psql=(psql -X -q -v ON_ERROR_STOP=1 -At)
db=cjourney_smoke
echo "1..3"

if [[ $("${psql[@]}" -c 'SELECT 1' 2>&1) == 1 ]]; then
    echo "ok 1 - server answers"
else
    echo "not ok 1 - server answers"
fi

if "${psql[@]}" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" &&
    "${psql[@]}" -d "$db" -c 'CREATE EXTENSION cjourney'; then
    echo "ok 2 - CREATE EXTENSION cjourney"
else
    echo "not ok 2 - CREATE EXTENSION cjourney"
fi

if "${psql[@]}" -d "$db" -c 'DROP EXTENSION cjourney' &&
    "${psql[@]}" -c "DROP DATABASE $db"; then
    echo "ok 3 - DROP EXTENSION cjourney leaves nothing behind"
else
    echo "not ok 3 - DROP EXTENSION cjourney leaves nothing behind"
fi
