#!/usr/bin/env bash
# compat.sh -- values written by cjourney 0.1.0 still read. Prints TAP.
#
# The fixtures in test/fixtures/0.1.0/ were written once by the 0.1.0 code
# (test/fixtures/make_0.1.0.sh, commit in test/fixtures/README.md): a table
# with a value of every cjourney type (touchpoint, journeys with values and
# custom stage lists, stage_time, funnel_report, response_state,
# response_variants, rule-based and markov/shapley attribution, the stage
# enum, the two result composites) from 200 sample customers plus hand-made
# edges, and two tables of daily states for rollup. The build under test
# loads them four ways, each into a fresh set of tables:
#   bin   COPY ... FROM (FORMAT binary) of the saved binary files
#   txt   COPY ... FROM of the saved text files
#   raw   the saved stored (on-disk) bytes of each value handed to the code
#         as they are, as a table written by 0.1.0 is read after ALTER
#         EXTENSION UPDATE (little-endian machines only)
#   dump  pg_restore of the saved pg_dump -Fc archive into a new database
# and for each checks: text output = the saved text (byte for byte); binary
# output (re-COPY out binary) = the saved binary file (cmp); checks.sql
# (ORDER BY, <, =, hash and merge joins, hashes, rollup of the daily states,
# accessors) = the saved expected.txt. Also: text-loaded and raw values equal
# the binary-loaded ones value by value (= where the type has it, else send
# bytes and text), and binary and text input build the stored bytes 0.1.0
# stored. Run by scripts/test.sh with the cluster's PG* environment.
set -uo pipefail
export LC_ALL=C
# the text forms of dates, times and floats do not depend on the server's defaults
export PGOPTIONS='-c TimeZone=UTC -c DateStyle=ISO,MDY -c IntervalStyle=postgres -c extra_float_digits=1'

# shellcheck disable=SC2034  # read by two_databases.sh
NAME=compat
# shellcheck source=test/lib/two_databases.sh
source "${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/test/lib/two_databases.sh"
FIX=$CJ_ROOT/test/fixtures/0.1.0
DB=$SRC  # bin, txt and raw schemas
REST=$DST # pg_restore target

TABLES=(compat_values compat_customer_days compat_segment_days)
declare -A FILE=([compat_values]=values [compat_customer_days]=customer_days [compat_segment_days]=segment_days)
declare -A KEY=([compat_values]=id [compat_customer_days]="customer_id, day" [compat_segment_days]="segment, day")
EXT_TYPES=(touchpoint journey stage_time funnel_report response_state response_variants attribution)

# skip DESCRIPTION REASON
skip() {
    N=$((N + 1))
    echo "ok $N - $1 # SKIP $2"
}

# --- fixtures and schemas ------------------------------------------------------------

for f in schema.sql checks.sql expected.txt compat.dump raw.txt.gz; do
    [[ -s $FIX/$f ]] || bail "fixture $f present" "missing: $FIX/$f"
done
for t in "${TABLES[@]}"; do
    for ext in bin txt; do
        gzip -dc "$FIX/${FILE[$t]}.$ext.gz" >"$TMP/${FILE[$t]}.$ext" || bail "unpack ${FILE[$t]}.$ext.gz"
    done
done
gzip -dc "$FIX/raw.txt.gz" >"$TMP/raw.txt" || bail "unpack raw.txt.gz"

# rawfn.to_raw(x) / rawfn.<type>(bytea): a value's stored bytes and back;
# byteasend returns its (detoasted) argument unchanged
raw_functions() {
    local ty
    echo "CREATE SCHEMA rawfn;"
    for ty in "${EXT_TYPES[@]}"; do
        echo "CREATE FUNCTION rawfn.to_raw($ty) RETURNS bytea AS 'byteasend' LANGUAGE internal IMMUTABLE STRICT;"
        echo "CREATE FUNCTION rawfn.$ty(bytea) RETURNS $ty AS 'byteasend' LANGUAGE internal IMMUTABLE STRICT;"
    done
}

if err=$( {
    q "$DB" -c "CREATE EXTENSION cjourney" -c "CREATE SCHEMA bin" -c "CREATE SCHEMA txt" -c "CREATE SCHEMA raw" &&
        for s in bin txt raw; do q "$DB" -c "SET search_path = $s, public" -f "$FIX/schema.sql" || exit 1; done &&
        raw_functions | q "$DB"
} 2>&1); then
    ok "cjourney $(q "$DB" -c "SELECT extversion FROM pg_extension WHERE extname = 'cjourney'") installed; tables of schema.sql in schemas bin, txt, raw"
else
    bail "create the extension and the fixture tables" "$err"
fi

# --- load: binary, text, stored bytes, pg_restore ------------------------------------

for t in "${TABLES[@]}"; do
    if err=$(q "$DB" -c "COPY bin.$t FROM STDIN (FORMAT binary)" <"$TMP/${FILE[$t]}.bin" 2>&1); then
        ok "bin: binary COPY of ${FILE[$t]}.bin loads ($(q "$DB" -c "SELECT count(*) FROM bin.$t") rows)"
    else
        not_ok "bin: binary COPY of ${FILE[$t]}.bin loads" "$err"
    fi
    if err=$(q "$DB" -c "COPY txt.$t FROM STDIN" <"$TMP/${FILE[$t]}.txt" 2>&1); then
        ok "txt: text COPY of ${FILE[$t]}.txt loads ($(q "$DB" -c "SELECT count(*) FROM txt.$t") rows)"
    else
        not_ok "txt: text COPY of ${FILE[$t]}.txt loads" "$err"
    fi
done

LITTLE_ENDIAN=0
[[ $(printf '\001\000' | od -An -tu2 | tr -d ' ') == 1 ]] && LITTLE_ENDIAN=1
RAW=0 # the raw copy loaded
# raw.compat_values: the stored bytes of every extension value, the other
# columns (id, kind, enum, composites) and the daily tables as loaded by bin
if ((LITTLE_ENDIAN)); then
    if err=$(q "$DB" 2>&1 <<SQL
CREATE TABLE raw_bytes (id int, c text, hex text);
\\copy raw_bytes FROM '$TMP/raw.txt'
INSERT INTO raw.compat_values
SELECT b.id, b.kind,
       rawfn.touchpoint(x.tp), rawfn.journey(x.j), rawfn.journey(x.jv), rawfn.stage_time(x.st),
       rawfn.funnel_report(x.fr), rawfn.funnel_report(x.frl), rawfn.response_state(x.rs), rawfn.response_state(x.rsv),
       rawfn.response_variants(x.rv), rawfn.attribution(x.a), rawfn.attribution(x.am), b.stg, b.sr, b.smr
FROM bin.compat_values b LEFT JOIN (
    SELECT id, $(for c in tp j jv st fr frl rs rsv rv a am; do
        printf "(array_agg(decode(hex, 'hex')) FILTER (WHERE c = '%s'))[1] AS %s, " "$c" "$c"
    done) count(*) AS n
    FROM raw_bytes GROUP BY id) x USING (id);
INSERT INTO raw.compat_customer_days SELECT * FROM bin.compat_customer_days;
INSERT INTO raw.compat_segment_days SELECT * FROM bin.compat_segment_days;
SQL
    ); then
        ok "raw: the stored bytes of $(q "$DB" -c "SELECT count(*) FROM raw_bytes") values written by 0.1.0 inserted as they are"
        RAW=1
    else
        not_ok "raw: the stored bytes of the values written by 0.1.0 inserted as they are" "$err"
    fi
else
    skip "raw: the stored bytes of the values written by 0.1.0 inserted as they are" "big-endian machine (the bytes are x86-64's)"
fi

err=$(pg_restore --exit-on-error -d "$REST" "$FIX/compat.dump" 2>&1)
rc=$?
if ((rc == 0)) && [[ -z $err ]]; then
    ok "dump: pg_restore --exit-on-error of compat.dump succeeds without messages"
else
    not_ok "dump: pg_restore --exit-on-error of compat.dump succeeds without messages" "exit status $rc" "$err"
fi
raw_functions | q "$REST" >/dev/null || not_ok "dump: raw byte functions created"

# copies: "label db schema"
COPIES=("bin $DB bin" "txt $DB txt" "dump $REST public")
((RAW)) && COPIES+=("raw $DB raw")

# --- text and binary output = the saved files ----------------------------------------

for copy in "${COPIES[@]}"; do
    read -r label db schema <<<"$copy"
    for t in "${TABLES[@]}"; do
        f=${FILE[$t]}
        sql="COPY (SELECT * FROM $schema.$t ORDER BY ${KEY[$t]}) TO STDOUT"
        if q "$db" -c "$sql" >"$TMP/$label.$f.txt" 2>"$TMP/err" && cmp -s "$TMP/$label.$f.txt" "$TMP/$f.txt"; then
            ok "$label: text output of $t = the saved text ($(wc -c <"$TMP/$f.txt") bytes)"
        else
            not_ok "$label: text output of $t = the saved text" "$(cat "$TMP/err")" \
                "$(diff "$TMP/$f.txt" "$TMP/$label.$f.txt" | cut -c 1-300 | head -n 12)"
        fi
        if q "$db" -c "$sql (FORMAT binary)" >"$TMP/$label.$f.bin" 2>"$TMP/err" && cmp -s "$TMP/$label.$f.bin" "$TMP/$f.bin"; then
            ok "$label: binary send of every value of $t = the saved binary file ($(wc -c <"$TMP/$f.bin") bytes)"
        else
            not_ok "$label: binary send of every value of $t = the saved binary file" "$(cat "$TMP/err")" \
                "$(cmp "$TMP/$label.$f.bin" "$TMP/$f.bin" 2>&1)"
        fi
    done
done

# --- comparisons, hashes, rollups and accessors = expected.txt -----------------------

for copy in "${COPIES[@]}"; do
    read -r label db schema <<<"$copy"
    if got=$(q "$db" -F $'\t' -c "SET search_path = $schema, public" -f "$FIX/checks.sql" 2>&1) &&
        [[ $got == "$(cat "$FIX/expected.txt")" ]]; then
        ok "$label: checks.sql (ORDER BY, =, joins, hashes, rollup, accessors) = expected.txt ($(wc -l <"$FIX/expected.txt") lines)"
    else
        not_ok "$label: checks.sql (ORDER BY, =, joins, hashes, rollup, accessors) = expected.txt" \
            "$(diff "$FIX/expected.txt" <(echo "$got") | cut -c 1-300 | head -n 20)"
    fi
done

# --- value by value: txt and raw equal bin ------------------------------------------

# the columns that differ between schemas a and b, as "column:id" (empty: none)
differing() {
    q "$DB" -c "
        SELECT coalesce(string_agg(c || ':' || id, ' ' ORDER BY c, id), '')
        FROM $2.compat_values y FULL JOIN $1.compat_values x USING (id),
        LATERAL (VALUES
            ('kind', x.kind IS NOT DISTINCT FROM y.kind), ('tp', x.tp IS NOT DISTINCT FROM y.tp),
            ('j', x.j IS NOT DISTINCT FROM y.j), ('jv', x.jv IS NOT DISTINCT FROM y.jv),
            ('st', x.st IS NOT DISTINCT FROM y.st), ('rs', x.rs IS NOT DISTINCT FROM y.rs),
            ('rsv', x.rsv IS NOT DISTINCT FROM y.rsv), ('stg', x.stg IS NOT DISTINCT FROM y.stg),
            ('sr', x.sr IS NOT DISTINCT FROM y.sr), ('smr', x.smr IS NOT DISTINCT FROM y.smr),
            -- no = operator: send bytes and text
            ('fr', funnel_report_send(x.fr) IS NOT DISTINCT FROM funnel_report_send(y.fr) AND x.fr::text IS NOT DISTINCT FROM y.fr::text),
            ('frl', funnel_report_send(x.frl) IS NOT DISTINCT FROM funnel_report_send(y.frl) AND x.frl::text IS NOT DISTINCT FROM y.frl::text),
            ('rv', response_variants_send(x.rv) IS NOT DISTINCT FROM response_variants_send(y.rv) AND x.rv::text IS NOT DISTINCT FROM y.rv::text),
            ('a', attribution_send(x.a) IS NOT DISTINCT FROM attribution_send(y.a) AND x.a::text IS NOT DISTINCT FROM y.a::text),
            ('am', attribution_send(x.am) IS NOT DISTINCT FROM attribution_send(y.am) AND x.am::text IS NOT DISTINCT FROM y.am::text)
        ) v(c, same)
        WHERE NOT same"
}
differing_days() {
    q "$DB" -c "
        SELECT (SELECT count(*) FROM $1.compat_customer_days x FULL JOIN $2.compat_customer_days y USING (customer_id, day)
                WHERE x.st IS DISTINCT FROM y.st
                   OR attribution_send(x.a) IS DISTINCT FROM attribution_send(y.a) OR x.a::text IS DISTINCT FROM y.a::text)
            || ' ' ||
               (SELECT count(*) FROM $1.compat_segment_days x FULL JOIN $2.compat_segment_days y USING (segment, day)
                WHERE x.rs IS DISTINCT FROM y.rs OR x.rsv IS DISTINCT FROM y.rsv
                   OR funnel_report_send(x.fr) IS DISTINCT FROM funnel_report_send(y.fr) OR x.fr::text IS DISTINCT FROM y.fr::text
                   OR response_variants_send(x.rv) IS DISTINCT FROM response_variants_send(y.rv) OR x.rv::text IS DISTINCT FROM y.rv::text
                   OR attribution_send(x.am) IS DISTINCT FROM attribution_send(y.am) OR x.am::text IS DISTINCT FROM y.am::text)"
}
n_values=$(q "$DB" -c "SELECT count(*) FROM bin.compat_values")
is "$(differing bin txt 2>&1)" "" "txt = bin for every value of compat_values ($n_values rows; = where the type has it, else send bytes and text)"
is "$(differing_days bin txt 2>&1)" "0 0" "txt = bin for every daily state"
if ((RAW)); then
    is "$(differing bin raw 2>&1)" "" "raw: the stored 0.1.0 bytes = the binary-loaded values, value by value"
else
    skip "raw: the stored 0.1.0 bytes = the binary-loaded values, value by value" "no raw copy"
fi

# --- binary and text input build the bytes 0.1.0 stored ------------------------------

stored_bytes() { # DB SCHEMA: the text COPY of (id, column, hex) raw.txt holds
    q "$1" -c "COPY (SELECT id, c, encode(x, 'hex') FROM $2.compat_values,
        LATERAL (VALUES ('tp', rawfn.to_raw(tp)), ('j', rawfn.to_raw(j)), ('jv', rawfn.to_raw(jv)), ('st', rawfn.to_raw(st)),
                        ('fr', rawfn.to_raw(fr)), ('frl', rawfn.to_raw(frl)), ('rs', rawfn.to_raw(rs)), ('rsv', rawfn.to_raw(rsv)),
                        ('rv', rawfn.to_raw(rv)), ('a', rawfn.to_raw(a)), ('am', rawfn.to_raw(am))) v(c, x)
        WHERE x IS NOT NULL ORDER BY id, c) TO STDOUT"
}
for copy in "bin $DB bin" "txt $DB txt" "dump $REST public"; do
    read -r label db schema <<<"$copy"
    if ! ((LITTLE_ENDIAN)); then
        skip "$label: stored bytes = the bytes 0.1.0 stored" "big-endian machine"
    elif stored_bytes "$db" "$schema" >"$TMP/$label.raw" 2>"$TMP/err" && cmp -s "$TMP/$label.raw" "$TMP/raw.txt"; then
        ok "$label: the stored bytes of every value = the bytes 0.1.0 stored ($(wc -l <"$TMP/raw.txt") values)"
    else
        not_ok "$label: the stored bytes of every value = the bytes 0.1.0 stored" "$(cat "$TMP/err")" \
            "$(diff "$TMP/raw.txt" "$TMP/$label.raw" | cut -c 1-200 | head -n 6)"
    fi
done

echo "1..$N"
