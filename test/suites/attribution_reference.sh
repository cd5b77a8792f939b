#!/usr/bin/env bash
# attribution_reference.sh -- Markov and Shapley attribution against an
# independent Python reference (test/lib/attribution_reference.py, numpy
# from Debian), on generated paths and on the sample data.  Also checks that
# attribution values survive binary COPY and text round trips.  Prints TAP.
set -uo pipefail
export LC_ALL=C

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PY=${CJ_PYTHON:-/usr/bin/python3}
DB=cj_attribution_ref_$$

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
if ! "$PY" -c "import numpy" 2>/dev/null; then
    bail "$PY has numpy" "set CJ_PYTHON to a python3 with numpy (Debian: python3-numpy)"
fi
if ! load_err=$(PGDATABASE=$DB bash "$CJ_ROOT/data/load.sh" --customers 5000 2>&1); then
    bail "load the sample data" "$load_err"
fi
ok "sample data loaded (5000 customers)"

# every model's state survives binary COPY and text, byte for byte
TMPF=$(mktemp)
if copy_err=$("${PSQL[@]}" -d "$DB" 2>&1 <<SQL
CREATE TABLE at_src AS
SELECT m.model, c.segment, rollup(a.a) AS a
FROM (SELECT customer_id, model,
             attribution_agg(occurred_at, channel || CASE WHEN channel = 'email' THEN ' "q\\' ELSE '' END,
                             event = 'purchase', revenue, event = 'signup', event = 'quote', model,
                             CASE model WHEN 'time_decay' THEN 'half_life=3 days' WHEN 'last_non_direct' THEN 'direct=web' ELSE '' END) AS a
      FROM touchpoints CROSS JOIN unnest(ARRAY['first_touch','last_touch','last_non_direct','linear','time_decay',
                                              'position_based','w_shaped','markov','shapley']) model
      GROUP BY 1, 2) a
JOIN customers c USING (customer_id) CROSS JOIN LATERAL (SELECT a.model) m
GROUP BY 1, 2;
CREATE TABLE at_dst (LIKE at_src);
\copy at_src TO '$TMPF' (FORMAT binary)
\copy at_dst FROM '$TMPF' (FORMAT binary)
SQL
) && [[ $("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM at_src s JOIN at_dst d USING (model, segment)
          WHERE s.a::text = d.a::text AND s.a::text::attribution::text = s.a::text
            AND attribution_send(s.a) = attribution_send(d.a)") == 36 ]]; then
    ok "binary COPY and text round trips of attribution values of every model"
else
    not_ok "binary COPY and text round trips of attribution values of every model" "$copy_err"
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
done < <(PGDATABASE=$DB "$PY" "$CJ_ROOT/test/lib/attribution_reference.py" 2>&1 | sed '/|/!s/^/not ok|python output|/')

echo "1..$N"
