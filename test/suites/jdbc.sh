#!/usr/bin/env bash
# jdbc.sh -- what a BI tool sees through PostgreSQL's JDBC driver. Prints TAP.
#
# BI tools (Metabase, Tableau, DBeaver, Superset's JDBC paths) read
# PostgreSQL through pgjdbc. With Debian's libpostgresql-jdbc-java and
# default-jdk-headless, this suite compiles test/jdbc/DashboardQueries.java
# into its temp dir and runs, on a database with the sample data and the
# pg_cron recipe (examples/cron_rollups.sql, installed without its job and
# backfilled with refresh_days):
#   - the README's dashboard queries (the Metabase native questions of
#     "Dashboards", {{from}}/{{to}} bound as date parameters), and
#   - every tile of the README's Dashboards table (each view, and each range
#     function over the sample data's days; the *_28d views are empty: the
#     sample data is older than 28 days, so only their columns are checked),
#   - every rollup table of the recipe (columns of cjourney types) and the
#     README's first journey_agg query (Getting started) on the sample data,
# each on a connection with the driver's defaults (text results) and on one
# that gets binary results (prepareThreshold=-1), and checks column names,
# JDBC types (numbers as java.lang.Number, dates and timestamps as such,
# text as String, cjourney's types and enums as strings) and that every
# value equals what psql prints for the same query (see the Java file).
# Interval columns arrive as PGInterval (JDBC OTHER): a tile without a
# number column for its durations is reported as a TODO.
#
# Env: scripts/test.sh's cluster (PG*: its TCP port on 127.0.0.1), CJ_ROOT,
# CJ_LIB, CJ_SUITE_TMP.
set -uo pipefail
export LC_ALL=C
export PGOPTIONS='-c TimeZone=UTC -c DateStyle=ISO,MDY -c IntervalStyle=postgres'

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CJ_LIB=${CJ_LIB:-$CJ_ROOT/scripts/lib.sh}
# shellcheck source=scripts/lib.sh
source "$CJ_LIB"
# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"

if [[ -n ${CJ_SUITE_TMP:-} ]]; then
    TMP=$CJ_SUITE_TMP
else
    cj_tmpdir jdbc || exit 1
    TMP=$CJ_TMP
fi
CUSTOMERS=${CJ_JDBC_CUSTOMERS:-400}
DB=cj_jdbc_$$
export PGDATABASE=$DB
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
    cj_cleanup
}
trap cleanup EXIT
q() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }

cj_install_packages default-jdk-headless libpostgresql-jdbc-java ||
    bail "install default-jdk-headless and libpostgresql-jdbc-java"
JAR=/usr/share/java/postgresql.jar
[[ -r $JAR ]] || bail "pgjdbc at $JAR"
ok "Debian's pgjdbc ($(readlink -f "$JAR" | xargs basename)) and $(javac -version 2>&1)"

mkdir -p "$TMP/classes" "$TMP/psql"
if out=$(javac -Xlint:all -Werror -cp "$JAR" -d "$TMP/classes" "$CJ_ROOT/test/jdbc/DashboardQueries.java" 2>&1); then
    ok "javac test/jdbc/DashboardQueries.java (no warnings)"
else
    bail "javac test/jdbc/DashboardQueries.java" "$out"
fi

# --- the database: sample data, the recipe, backfilled ------------------------------

q -d postgres -c "CREATE DATABASE $DB" || bail "create database $DB"
if out=$({ q -c "CREATE EXTENSION cjourney" && bash "$CJ_ROOT/data/load.sh" --customers "$CUSTOMERS"; } 2>&1); then
    ok "sample data: ${out##*$'\n'}"
else
    bail "CREATE EXTENSION cjourney and data/load.sh" "$out"
fi
read -r FROM TO < <(q -F ' ' -c "SELECT min((occurred_at AT TIME ZONE 'UTC')::date), max((occurred_at AT TIME ZONE 'UTC')::date) FROM touchpoints")
if out=$(q -v cj_schedule=off -f "$CJ_ROOT/examples/cron_rollups.sql" 2>&1 &&
    q -c "SELECT cjourney_reports.refresh_days('$FROM', '$TO')" 2>&1); then
    ok "examples/cron_rollups.sql installed and backfilled ($FROM .. $TO)"
else
    bail "examples/cron_rollups.sql installed and backfilled" "$out"
fi

# --- the queries: the README's native questions and its table of tiles -------------

QUERIES=$TMP/queries.tsv
: >"$QUERIES"
# "## Dashboards" up to the next "## "
section=$(awk '/^## Dashboards/ { on = 1; next } /^## / { on = 0 } on' "$CJ_ROOT/README.md")
n=0
while IFS= read -r line; do
    n=$((n + 1))
    sql=${line//\{\{from\}\}/?}
    sql=${sql//\{\{to\}\}/?}
    sql=${sql%;}
    params=
    [[ $line == *'{{from}}'* ]] && params=$FROM,$TO
    printf 'readme_%d\t%s\t%s\n' "$n" "$sql" "$params" >>"$QUERIES"
done < <(grep -E '^SELECT .*cjourney_reports\.' <<<"$section")
readme_n=$n
# the table rows: | tile | `fn(from_day date, to_day date...)` or view `name` | columns |
while IFS= read -r obj; do
    if [[ $obj =~ ^view\ \`([a-z0-9_]+)\`$ ]]; then
        printf 'tile_%s\tSELECT * FROM cjourney_reports.%s\t\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[1]}" >>"$QUERIES"
    elif [[ $obj =~ ^\`([a-z0-9_]+)\(from_day\ date,\ to_day\ date ]]; then
        printf 'tile_%s\tSELECT * FROM cjourney_reports.%s(?, ?)\t%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[1]}" "$FROM,$TO" >>"$QUERIES"
    fi
done < <(grep -E '^\| [^|]+ \| (view `|`[a-z_]+\()' <<<"$section" | awk -F ' \\| ' '{ print $2 }')
tiles_n=$(($(wc -l <"$QUERIES") - readme_n))
# what a BI tool browsing schema cjourney_reports also finds: the rollup
# tables, whose states are cjourney types; and the README's first journey
# query (Getting started) over the sample data
for t in $(q -c "SELECT tablename FROM pg_tables WHERE schemaname = 'cjourney_reports' ORDER BY 1"); do
    printf 'table_%s\tSELECT * FROM cjourney_reports.%s\t\n' "$t" "$t" >>"$QUERIES"
done
journey_sql=$(awk '/^```sql/ { on = 1; s = ""; next } /^```/ { if (on && s ~ /journey_agg\(occurred_at, stage::stage/) { print s; exit } on = 0 }
    on { s = s " " $0 }' "$CJ_ROOT/README.md" | sed 's/^ *//; s/; *$//')
[[ -n $journey_sql ]] && printf 'readme_journey\t%s\t\n' "$journey_sql" >>"$QUERIES"

if ((readme_n > 0 && tiles_n > 0)); then
    ok "README: $readme_n dashboard queries and $tiles_n tiles of the Dashboards table; $(grep -c '^table_' "$QUERIES") rollup tables; ${journey_sql:+the journey_agg query}"
else
    bail "README: the dashboard queries and the tiles of the Dashboards table" "$readme_n queries, $tiles_n tiles"
fi

# what psql prints for each, the dates as literals
while IFS=$'\t' read -r name sql params; do
    psql_sql=$sql
    if [[ -n $params ]]; then
        psql_sql=${psql_sql/\?/\'${params%,*}\'::date}
        psql_sql=${psql_sql/\?/\'${params#*,}\'::date}
    fi
    psql -X -v ON_ERROR_STOP=1 -A -F $'\t' -P footer=off -P 'null=\N' -c "$psql_sql" >"$TMP/psql/$name.out" 2>"$TMP/psql/$name.err" ||
        not_ok "psql runs $name" "$(cat "$TMP/psql/$name.err")"
done <"$QUERIES"
rows=$(cat "$TMP"/psql/*.out | wc -l)
ok "psql ran the $(wc -l <"$QUERIES") queries ($((rows - $(wc -l <"$QUERIES"))) rows)"

# --- the JDBC client ------------------------------------------------------------------

URL="jdbc:postgresql://127.0.0.1:$PGPORT/$DB?user=${PGUSER:-postgres}&ApplicationName=cjourney-jdbc-suite"
t0=$SECONDS
java -Duser.timezone=UTC -cp "$JAR:$TMP/classes" DashboardQueries "$URL" "$QUERIES" "$TMP/psql" >"$TMP/java.out" 2>&1
rc=$?
while IFS= read -r line; do
    case $line in
    "ok - "*) ok "jdbc: ${line#ok - }" ;;
    "not ok - "*) N=$((N + 1)) && echo "not ok $N - jdbc: ${line#not ok - }" ;;
    "#"*) echo "$line" ;;
    *) echo "# $line" ;;
    esac
done <"$TMP/java.out"
if ((rc == 0)); then
    ok "DashboardQueries exits 0 ($((SECONDS - t0))s)"
else
    not_ok "DashboardQueries exits 0" "exit status $rc"
fi

echo "1..$N"
