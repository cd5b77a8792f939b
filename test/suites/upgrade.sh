#!/usr/bin/env bash
# upgrade.sh -- ALTER EXTENSION cjourney UPDATE from every released version
# gives what a fresh install gives, and keeps every stored value. Prints TAP.
#
# For each version V of UPGRADE_PATHS, in a database of its own:
#   1. CREATE EXTENSION cjourney VERSION 'V';
#   2. the tables of test/fixtures/V/schema.sql are created twice (schemas
#      bin and txt) and filled from the saved values V wrote, by binary and by
#      text COPY (every table T from T minus its "compat_" prefix .bin.gz and
#      .txt.gz); the fixtures must hold a column of every type of V, and every
#      type that V's aggregates roll up (an aggregate of T returning T) must
#      have a column in a table of daily rows (a primary key of two or more
#      columns); a view per table calls every one-argument function of V on
#      its columns, so that the update cannot drop or replace them;
#   3. "before": test/lib/value_checks.sql (found from the catalogs: the text,
#      send bytes, text round trip, btree order and pairs, hash join, every
#      one-argument function and every aggregate of each column's type), the
#      text and binary COPY of every table, the views' output, and the
#      fixture's own checks.sql (= its expected.txt);
#   4. ALTER EXTENSION cjourney UPDATE (to default_version);
#   5. "after": the same checks give the same lines (new functions of the new
#      version give new lines, compared in 7), the COPY output is the same
#      bytes, the views are unchanged, checks.sql still prints expected.txt,
#      and amcheck finds every btree index on the stored values valid;
#   6. test/lib/describe_extension.sql (a catalog description of every
#      member object: functions with signatures, volatility, strictness,
#      parallel labels, costs and comments; aggregates, types, operators,
#      casts, operator classes and families with their members) of the
#      upgraded database = that of a fresh CREATE EXTENSION cjourney in
#      another database, diffed line by line;
#   7. the same fixtures loaded into the fresh install give the same value
#      checks, new functions included; and text-loaded = binary-loaded;
#   8. installed in a schema of its own (cj_elsewhere) and updated, every
#      member lands in that schema and the catalog equals a fresh install
#      there (scripts must name their objects through @extschema@).
# Also: every install or update script in the tree is shipped (Makefile
# DATA), and every version those scripts name, but the default, is listed in
# UPGRADE_PATHS, so a release cannot ship without being tested here.
#
# A release adds its predecessor to UPGRADE_PATHS (one line), and that
# version's fixtures to test/fixtures/ (test/fixtures/README.md).
#
# Env: scripts/test.sh's cluster (PG*), CJ_ROOT, CJ_LIB; CJ_EXTRA_CONF for a
# staged build (nothing here needs it: the cluster already loads it).
set -uo pipefail
export LC_ALL=C
export PGOPTIONS='-c TimeZone=UTC -c DateStyle=ISO,MDY -c IntervalStyle=postgres -c extra_float_digits=1'

# Released versions a database may be upgraded from to default_version.
UPGRADE_PATHS="0.1.0 0.2.0"

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CJ_LIB=${CJ_LIB:-$CJ_ROOT/scripts/lib.sh}
# shellcheck source=scripts/lib.sh
source "$CJ_LIB"
# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"
cj_tmpdir upgrade || exit 1
TMP=$CJ_TMP
EXT=cjourney
DESCRIBE=$CJ_ROOT/test/lib/describe_extension.sql
VALUES=$CJ_ROOT/test/lib/value_checks.sql
DBS=()
cleanup() {
    local db
    for db in "${DBS[@]}"; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; done
    cj_cleanup
}
trap cleanup EXIT

q() {
    local db=$1
    shift
    psql -X -v ON_ERROR_STOP=1 -qAt -d "$db" "$@"
}
newdb() { # newdb NAME: create a database dropped on exit
    DBS+=("$1")
    q postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
}
describe() { q "$1" -v ext="$EXT" -f "$DESCRIBE"; }
value_checks() { q "$1" -F $'\t' -v ext="$EXT" -v schema="$2" -f "$VALUES"; }

DEFAULT=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$CJ_ROOT/$EXT.control")
[[ -n $DEFAULT ]] || bail "default_version read from $EXT.control"

# --- the scripts shipped, the versions listed ----------------------------------------

data=" $(make -s -C "$CJ_ROOT" --no-print-directory -f Makefile -f - print-data <<<'print-data: ; @echo $(DATA)' 2>/dev/null) "
missing=()
versions=()
for f in "$CJ_ROOT/$EXT"--*.sql; do
    b=$(basename "$f")
    [[ $data == *" $b "* ]] || missing+=("$b")
    v=${b#"$EXT"--}
    v=${v%.sql}
    read -ra vs <<<"${v//--/ }"
    versions+=("${vs[@]}")
done
is "${missing[*]}" "" "every $EXT--*.sql script is in the Makefile's DATA"
unlisted=()
for v in $(printf '%s\n' "${versions[@]}" | sort -u); do
    [[ $v == "$DEFAULT" || " $UPGRADE_PATHS " == *" $v "* ]] || unlisted+=("$v")
done
is "${unlisted[*]}" "" "every version the scripts name (but $DEFAULT) is in UPGRADE_PATHS ($UPGRADE_PATHS)"

# --- a fresh install -----------------------------------------------------------------

FRESH=cj_upgrade_fresh_$$
if err=$({ newdb "$FRESH" && q "$FRESH" -c "CREATE EXTENSION $EXT"; } 2>&1) &&
    [[ $(q "$FRESH" -c "SELECT extversion FROM pg_extension WHERE extname = '$EXT'") == "$DEFAULT" ]]; then
    ok "fresh CREATE EXTENSION $EXT installs $DEFAULT"
else
    bail "fresh CREATE EXTENSION $EXT installs $DEFAULT" "$err"
fi
if describe "$FRESH" >"$TMP/fresh.desc" 2>"$TMP/err" && [[ -s $TMP/fresh.desc ]]; then
    ok "catalog description of the fresh install: $(grep -c ' | member ' "$TMP/fresh.desc") member objects, $(wc -l <"$TMP/fresh.desc") lines"
else
    bail "catalog description of the fresh install" "$(cat "$TMP/err")"
fi

# --- each upgrade path ---------------------------------------------------------------

# load_fixtures DB SCHEMA FIXDIR FORMAT(bin|txt): schema.sql + COPY of every table
load_fixtures() {
    local db=$1 sch=$2 fix=$3 fmt=$4 t f opt=
    [[ $fmt == bin ]] && opt="(FORMAT binary)"
    q "$db" -c "CREATE SCHEMA $sch" -c "SET search_path = $sch, public" -f "$fix/schema.sql" >/dev/null || return 1
    for t in $(q "$db" -c "SELECT tablename FROM pg_tables WHERE schemaname = '$sch' ORDER BY 1"); do
        f=$fix/${t#compat_}.$fmt.gz
        [[ -s $f ]] || {
            echo "no $f for table $t"
            return 1
        }
        gzip -dc "$f" | q "$db" -c "COPY $sch.$t FROM STDIN $opt" || return 1
    done
}

# the text and binary COPY of every table of SCHEMA, in key order, into DIR
copy_out() {
    local db=$1 sch=$2 dir=$3 t
    mkdir -p "$dir"
    for t in $(q "$db" -c "SELECT tablename FROM pg_tables WHERE schemaname = '$sch' ORDER BY 1"); do
        q "$db" -c "COPY (SELECT * FROM $sch.$t ORDER BY 1, 2) TO STDOUT" >"$dir/$t.txt" &&
            q "$db" -c "COPY (SELECT * FROM $sch.$t ORDER BY 1, 2) TO STDOUT (FORMAT binary)" >"$dir/$t.bin" ||
            return 1
    done
}

# SQL creating SCHEMA.<table>_reads: every one-argument, non-set-returning
# function of the extension applied to each column it takes
reads_views_sql() {
    q "$1" -c "
        SELECT format('CREATE VIEW %I.%I AS SELECT %s FROM %I.%I;', n.nspname, c.relname || '_reads',
                      string_agg(format('%s(%I) AS r%s', p.oid::regproc, a.attname, a.attnum || '_' || p.oid),
                                 ', ' ORDER BY a.attnum, p.oid::regprocedure::text),
                      n.nspname, c.relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        JOIN pg_proc p ON p.pronargs = 1 AND p.proargtypes[0] = a.atttypid AND p.prokind = 'f' AND NOT p.proretset
            AND (SELECT typtype FROM pg_type WHERE oid = p.prorettype) <> 'p'
        JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = '$EXT'
        WHERE n.nspname = '$2' AND c.relkind = 'r'
        GROUP BY n.nspname, c.relname"
}
views_state() { # definitions and output (or error) of the *_reads views of SCHEMA
    local db=$1 sch=$2 v
    for v in $(q "$db" -c "SELECT viewname FROM pg_views WHERE schemaname = '$sch' ORDER BY 1"); do
        echo "$v: $(q "$db" -c "SELECT pg_get_viewdef('$sch.$v'::regclass)" | md5sum)"
        echo "$v output: $(q "$db" -c "SELECT * FROM $sch.$v ORDER BY 1::text" 2>&1 | md5sum)"
    done
}

# lines of file A missing or different in file B (label<TAB>value), as a diff
changed_lines() {
    awk -F '\t' 'NR == FNR { b[$1] = $0; next } !($1 in b) { print "- " $0; next } b[$1] != $0 { print "- " $0; print "+ " b[$1] }' "$2" "$1"
}

for V in $UPGRADE_PATHS; do
    DB=cj_upgrade_${V//./_}_$$
    FIX=$CJ_ROOT/test/fixtures/$V
    W=$TMP/$V
    mkdir -p "$W"
    if ! err=$({ newdb "$DB" && q "$DB" -c "CREATE EXTENSION $EXT VERSION '$V'"; } 2>&1) ||
        [[ $(q "$DB" -c "SELECT extversion FROM pg_extension WHERE extname = '$EXT'") != "$V" ]]; then
        not_ok "$V: CREATE EXTENSION $EXT VERSION '$V'" "$err"
        continue
    fi
    ok "$V: CREATE EXTENSION $EXT VERSION '$V'"
    path=$(q "$DB" -c "SELECT path FROM pg_extension_update_paths('$EXT') WHERE source = '$V' AND target = '$DEFAULT'")
    if [[ -n $path ]]; then ok "$V: update path to $DEFAULT: $path"; else not_ok "$V: update path to $DEFAULT exists"; fi

    # -- stored values of every type of V
    if [[ ! -s $FIX/schema.sql ]]; then
        not_ok "$V: fixtures in test/fixtures/$V (schema.sql and the COPY files V wrote)"
        continue
    fi
    if err=$({ load_fixtures "$DB" bin "$FIX" bin && load_fixtures "$DB" txt "$FIX" txt &&
        load_fixtures "$FRESH" "bin_${V//./_}" "$FIX" bin; } 2>&1); then
        ok "$V: fixtures loaded by binary and by text COPY: $(q "$DB" -c "SELECT string_agg(relname || ' ' || n_live_tup, ', ' ORDER BY relname) FROM pg_stat_user_tables WHERE schemaname = 'bin'") rows"
    else
        not_ok "$V: fixtures loaded by binary and by text COPY" "$err"
        continue
    fi
    # every type of V stored; every rolled-up type in a table of daily rows
    uncovered=$(q "$DB" -c "
        SELECT coalesce(string_agg(format_type(t.oid, NULL), ' ' ORDER BY t.typname), '')
        FROM pg_type t JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = '$EXT'
        WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                          WHERE c.relnamespace = 'bin'::regnamespace AND c.relkind = 'r' AND a.atttypid = t.oid)")
    is "$uncovered" "" "$V: the fixtures hold a column of every type of $V ($(q "$DB" -c "SELECT count(*) FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = '$EXT' WHERE d.classid = 'pg_type'::regclass AND d.deptype = 'e'") types)"
    unrolled=$(q "$DB" -c "
        SELECT coalesce(string_agg(DISTINCT format_type(p.prorettype, NULL), ' '), '')
        FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = '$EXT'
        WHERE p.prokind = 'a' AND p.pronargs = 1 AND p.proargtypes[0] = p.prorettype
          AND EXISTS (SELECT 1 FROM pg_depend dt WHERE dt.classid = 'pg_type'::regclass AND dt.objid = p.prorettype
                      AND dt.refobjid = e.oid AND dt.deptype = 'e')
          AND NOT EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                          JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary AND i.indnatts > 1
                          WHERE c.relnamespace = 'bin'::regnamespace AND a.atttypid = p.prorettype)")
    is "$unrolled" "" "$V: every type its aggregates roll up has a column in a table of daily rows"

    if err=$({ reads_views_sql "$DB" bin | q "$DB" && reads_views_sql "$DB" txt | q "$DB"; } 2>&1); then
        ok "$V: views calling every one-argument function on the stored values: $(q "$DB" -c "SELECT count(*) FROM pg_depend d JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND d.refobjid = p.oid WHERE r.ev_class::regclass::text LIKE '%_reads'") calls"
    else
        not_ok "$V: views calling every one-argument function on the stored values" "$err"
    fi

    # -- before
    value_checks "$DB" bin >"$W/before.bin" 2>"$W/err" && value_checks "$DB" txt >"$W/before.txt" 2>>"$W/err" ||
        not_ok "$V: value checks run before the update" "$(cat "$W/err")"
    copy_out "$DB" bin "$W/copy-before" 2>"$W/err" || not_ok "$V: COPY out before the update" "$(cat "$W/err")"
    views_state "$DB" bin >"$W/views-before" 2>&1
    if [[ -s $FIX/checks.sql && -s $FIX/expected.txt ]]; then
        got=$(q "$DB" -F $'\t' -c "SET search_path = bin, public" -f "$FIX/checks.sql" 2>&1)
        is "$(diff "$FIX/expected.txt" <(echo "$got") | head -n 20)" "" "$V: before the update, the fixture's checks.sql prints its expected.txt"
    fi
    ok "$V: before the update: $(wc -l <"$W/before.bin") value checks ($(grep -c $'\tERROR ' "$W/before.bin") of them an error for every value, kept as the expected result)"

    # -- the update
    if err=$(q "$DB" -c "ALTER EXTENSION $EXT UPDATE" 2>&1) &&
        [[ $(q "$DB" -c "SELECT extversion FROM pg_extension WHERE extname = '$EXT'") == "$DEFAULT" ]]; then
        ok "$V: ALTER EXTENSION $EXT UPDATE with the stored values, indexes and views in place: now $DEFAULT"
    else
        not_ok "$V: ALTER EXTENSION $EXT UPDATE with the stored values, indexes and views in place" "$err"
        continue
    fi

    # -- after
    value_checks "$DB" bin >"$W/after.bin" 2>"$W/err" && value_checks "$DB" txt >"$W/after.txt" 2>>"$W/err" ||
        not_ok "$V: value checks run after the update" "$(cat "$W/err")"
    for fmt in bin txt; do
        d=$(changed_lines "$W/before.$fmt" "$W/after.$fmt")
        is "${d:0:3000}" "" "$V: $fmt: every value reads, compares, hashes and rolls up as before ($(wc -l <"$W/before.$fmt") checks the same; $(($(wc -l <"$W/after.$fmt") - $(wc -l <"$W/before.$fmt"))) new with $DEFAULT)"
    done
    if copy_out "$DB" bin "$W/copy-after" 2>"$W/err" && d=$(diff -r "$W/copy-before" "$W/copy-after" 2>&1) && [[ -z $d ]]; then
        ok "$V: text and binary COPY of every table: the same bytes after the update ($(cat "$W"/copy-after/* | wc -c) bytes)"
    else
        not_ok "$V: text and binary COPY of every table: the same bytes after the update" "$(cat "$W/err")" "${d:0:500}"
    fi
    views_state "$DB" bin >"$W/views-after" 2>&1
    is "$(diff "$W/views-before" "$W/views-after")" "" "$V: the views' definitions and output are unchanged ($(grep -c output "$W/views-after") views)"
    if [[ -s $FIX/checks.sql && -s $FIX/expected.txt ]]; then
        got=$(q "$DB" -F $'\t' -c "SET search_path = bin, public" -f "$FIX/checks.sql" 2>&1)
        is "$(diff "$FIX/expected.txt" <(echo "$got") | head -n 20)" "" "$V: after the update, the fixture's checks.sql prints its expected.txt ($(wc -l <"$FIX/expected.txt") lines)"
    fi
    if q "$DB" -c "CREATE EXTENSION IF NOT EXISTS amcheck" >/dev/null 2>&1; then
        res=$(q "$DB" -c "
            SELECT count(*) || ' ' || count(bt_index_check(c.oid, true))
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
            WHERE am.amname = 'btree' AND c.relnamespace IN ('bin'::regnamespace, 'txt'::regnamespace)" 2>&1)
        if [[ $res =~ ^([0-9]+)\ ([0-9]+)$ ]] && ((BASH_REMATCH[1] > 0 && BASH_REMATCH[1] == BASH_REMATCH[2])); then
            ok "$V: amcheck: the ${BASH_REMATCH[1]} btree indexes on the stored values are valid after the update (heapallindexed)"
        else
            not_ok "$V: amcheck: the btree indexes on the stored values are valid after the update" "$res"
        fi
        q "$DB" -c "DROP EXTENSION amcheck" >/dev/null 2>&1
    else
        N=$((N + 1))
        echo "ok $N - $V: amcheck of the btree indexes # SKIP amcheck not installed (postgresql-contrib)"
    fi

    # -- the upgraded extension = a fresh install
    if describe "$DB" >"$W/upgraded.desc" 2>"$W/err"; then
        d=$(diff "$TMP/fresh.desc" "$W/upgraded.desc")
        is "${d:0:4000}" "" "$V: catalog description after the update = a fresh $DEFAULT install ($(wc -l <"$TMP/fresh.desc") lines: every member object and its definition)"
    else
        not_ok "$V: catalog description after the update" "$(cat "$W/err")"
    fi
    if value_checks "$FRESH" "bin_${V//./_}" >"$W/fresh.bin" 2>"$W/err"; then
        d=$(diff "$W/fresh.bin" "$W/after.bin")
        is "${d:0:3000}" "" "$V: the stored values give the same $(wc -l <"$W/fresh.bin") checks after the update as in a fresh $DEFAULT install, new functions included"
    else
        not_ok "$V: value checks in the fresh install" "$(cat "$W/err")"
    fi
    d=$(diff "$W/after.bin" "$W/after.txt")
    is "${d:0:3000}" "" "$V: text-loaded values = binary-loaded values, check by check"

    # -- the same in a schema of its own: the scripts must use @extschema@
    DBS2=cj_upgrade_${V//./_}_schema_$$
    if err=$({ newdb "$DBS2" && q "$DBS2" -c "CREATE SCHEMA cj_elsewhere" \
        -c "CREATE EXTENSION $EXT SCHEMA cj_elsewhere VERSION '$V'" -c "ALTER EXTENSION $EXT UPDATE"; } 2>&1); then
        outside=$(q "$DBS2" -c "
            SELECT coalesce(string_agg(pg_describe_object(d.classid, d.objid, d.objsubid), '; '), '')
            FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = '$EXT'
            WHERE d.deptype = 'e' AND (pg_identify_object(d.classid, d.objid, d.objsubid)).schema
                  IS DISTINCT FROM 'cj_elsewhere'
              AND (pg_identify_object(d.classid, d.objid, d.objsubid)).schema IS NOT NULL")
        is "$outside" "" "$V: in schema cj_elsewhere, CREATE EXTENSION VERSION '$V' + UPDATE puts every member there"
        if [[ ! -s $TMP/fresh-elsewhere.desc ]]; then
            FRESH2=cj_upgrade_fresh_schema_$$
            newdb "$FRESH2" && q "$FRESH2" -c "CREATE SCHEMA cj_elsewhere" -c "CREATE EXTENSION $EXT SCHEMA cj_elsewhere" &&
                describe "$FRESH2" >"$TMP/fresh-elsewhere.desc"
        fi
        d=$(diff "$TMP/fresh-elsewhere.desc" <(describe "$DBS2" 2>&1))
        is "${d:0:3000}" "" "$V: in schema cj_elsewhere, the updated catalog = a fresh install there"
    else
        not_ok "$V: CREATE EXTENSION $EXT SCHEMA cj_elsewhere VERSION '$V'; ALTER EXTENSION $EXT UPDATE" "$err"
    fi
done

echo "1..$N"
