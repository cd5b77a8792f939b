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
# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"
SAMPLE_NAME=response_scipy SAMPLE_CUSTOMERS=20000 SAMPLE_MODULES="scipy numpy"
# shellcheck source=test/lib/sample_db.sh
source "$CJ_ROOT/test/lib/sample_db.sh"

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
