#!/usr/bin/env bash
# response_scipy.sh -- segment response statistics against scipy. Prints TAP.
#
# Loads the sample data into a database of its own, then runs
# test/lib/response_reference.py with $CJ_PYTHON (a python3 with Debian's
# scipy): generated counts (tiny, ~1e9, no responders, all responders),
# Welch moments, A/B/n tables and the sample data per segment are computed
# in SQL and independently in Python, compared to 1e-9 relative; one TAP
# line per comparison group.
set -uo pipefail
export LC_ALL=C

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PY=${CJ_PYTHON:-/usr/bin/python3}
DB=cj_response_scipy_$$

# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"

cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1; }
trap cleanup EXIT

PSQL=(psql -X -v ON_ERROR_STOP=1 -qAt)
if ! "${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null; then
    bail "create database $DB"
fi
if ! "${PSQL[@]}" -d "$DB" -c "CREATE EXTENSION cjourney" >/dev/null; then
    bail "CREATE EXTENSION cjourney"
fi
if ! "$PY" -c "import scipy, numpy" 2>/dev/null; then
    bail "$PY has scipy" "set CJ_PYTHON to a python3 with scipy (Debian: python3-scipy)"
fi
if ! load_err=$(PGDATABASE=$DB bash "$CJ_ROOT/data/load.sh" --customers 20000 2>&1); then
    bail "load the sample data" "$load_err"
fi
ok "sample data loaded (20000 customers)"

# binary COPY round trip of both state types
TMPF=$(mktemp)
if copy_err=$("${PSQL[@]}" -d "$DB" 2>&1 <<SQL
CREATE TABLE st_src AS
SELECT c.segment, response_agg(c.campaign_group = 'treatment', t.event = 'purchase', t.revenue::float8) AS st,
       response_variants_agg(c.ab_variant || CASE WHEN t.channel = 'email' THEN ' "q\\' ELSE '' END, t.event = 'purchase') AS rv
FROM touchpoints t JOIN customers c USING (customer_id) GROUP BY c.segment;
CREATE TABLE st_dst (LIKE st_src);
\copy st_src TO '$TMPF' (FORMAT binary)
\copy st_dst FROM '$TMPF' (FORMAT binary)
SQL
) && [[ $("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM st_src s JOIN st_dst d USING (segment) WHERE s.st = d.st AND s.rv::text = d.rv::text AND s.st::text = d.st::text") == 4 ]]; then
    ok "binary COPY round trip of response_state and response_variants"
else
    not_ok "binary COPY round trip of response_state and response_variants" "$copy_err"
fi
rm -f "$TMPF"

while IFS='|' read -r status desc rest; do
    if [[ $status == ok ]]; then
        ok "$desc"
    else
        diags=()
        IFS='|' read -r -a diags <<<"$rest"
        not_ok "$desc" "${diags[@]}"
    fi
done < <(PGDATABASE=$DB "$PY" "$CJ_ROOT/test/lib/response_reference.py" 2>&1 | sed '/|/!s/^/not ok|python output|/')

echo "1..$N"
