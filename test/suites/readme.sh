#!/usr/bin/env bash
# The README cannot drift: its SQL examples are the pg_regress test
# sql/readme.sql, and its reference tables name every object of the
# extension.
set -uo pipefail
cd "${CJ_ROOT:-$(dirname "$0")/../..}"
# shellcheck source=test/lib/tap.sh
source test/lib/tap.sh
check() { # check DESCRIPTION COMMAND...
    if "${@:2}"; then ok "$1"; else not_ok "$1"; fi
}

echo "1..9"
check "sql/readme.sql is generated from the README's current examples" \
    diff -u <(bash scripts/readme_examples.sh --stdout) sql/readme.sql

db="cj_readme_$$"
psql -X -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >/dev/null
names=$(psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE EXTENSION cjourney;
SELECT DISTINCT coalesce(p.proname, t.typname)
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'cjourney'
LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
LEFT JOIN pg_type t ON d.classid = 'pg_type'::regclass AND t.oid = d.objid
WHERE d.deptype = 'e' AND coalesce(p.proname, t.typname) IS NOT NULL
  AND coalesce(p.proname, t.typname) NOT LIKE '\_%';
SQL
)
psql -X -qAt -c "DROP DATABASE $db" >/dev/null

missing=()
for name in $names; do
    # support functions are documented by pattern (touchpoint_in, *_cmp, ...)
    case $name in
    *_in | *_out | *_recv | *_send | *_cmp | *_eq | *_ne | *_lt | *_le | *_gt | *_ge | *_hash | *_hash_extended) continue ;;
    esac
    grep -q "\`$name\|$name(" README.md || missing+=("$name")
done
nnames=$(wc -w <<<"$names")
check "every one of the extension's $nnames functions, aggregates and types is in the README (missing: ${missing[*]:-none})" \
    test ${#missing[@]} -eq 0 -a "$nnames" -gt 20

quick=$(awk '/^## Quick start/{f=1;next} /^## /{f=0} f' README.md | awk '/^```/{c++;next} c==1' | grep -cv '^\s*$')
check "the Quick start block holds exactly two commands" test "$quick" = 2
check ".ci/run runs the README's test command" \
    grep -qF -- "$(awk '/^## Quick start/{f=1;next} /^## /{f=0} f' README.md | awk '/^```/{c++;next} c==1' | grep -v '^\s*$' | sed -n 2p)" .ci/run

check "numbers quoted in the prose after an example are printed by it (expected/readme.out)" \
    python3 test/lib/readme_prose.py README.md expected/readme.out

# The Dashboards section describes the recipe as it is: no TODO left in the
# README, and every object its table names is created by the recipe.
check "the README mentions no TODO" bash -c '! grep -n TODO README.md'
tiles=$(awk '/^## Dashboards/{f=1;next} /^## /{f=0} f && /^\| /' README.md |
    awk -F'|' 'NR>1 {print $3}' | grep -o '`[a-z_0-9]*' | tr -d '`' | sort -u)
absent=()
for t in $tiles; do
    grep -q "cjourney_reports\.$t\b" examples/cron_rollups.sql || absent+=("$t")
done
check "every Dashboards object is created by examples/cron_rollups.sql (absent: ${absent[*]:-none})" \
    test ${#absent[@]} -eq 0 -a -n "$tiles"

# The examples must not write into a database's own tables (the demo's
# sample data has touchpoints, customers and campaign): their first
# statements create a schema of their own and put it first on the path.
check "the README's examples start in a schema of their own" \
    bash -c 'grep -v "^--" sql/readme.sql | grep -v "^\s*$" | head -2 | tr "\n" " " |
        grep -Eq "^CREATE SCHEMA ([a-z_]+); SET search_path = \1, public; $"'

# The demo's time in stage closes each customer's open last period (as_of):
# without it the last stage reads 0.0 days.
check "examples/demo.sql passes as_of to every stage_durations call" \
    bash -c 'grep -q "stage_durations(" examples/demo.sql && ! grep -E "stage_durations\([^,()]*\)" examples/demo.sql'
