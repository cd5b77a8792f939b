#!/usr/bin/env bash
# attribution_reference.sh -- Markov and Shapley attribution against an
# independent Python reference (test/lib/attribution_reference.py, numpy
# from Debian), on generated paths and on the sample data.  Also checks that
# attribution values survive binary COPY and text round trips.  Prints TAP.
set -uo pipefail
export LC_ALL=C

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"
SAMPLE_NAME=attribution_ref SAMPLE_CUSTOMERS=5000 SAMPLE_MODULES="numpy"
# shellcheck source=test/lib/sample_db.sh
source "$CJ_ROOT/test/lib/sample_db.sh"

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
