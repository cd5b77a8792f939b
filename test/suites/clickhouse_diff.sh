#!/usr/bin/env bash
# cjourney against the real ClickHouse: chdb (an embedded ClickHouse from
# npm, installed once into the bench's package cache outside the repository,
# see bench/peer_packages.sh) and the test cluster get the same random
# groups; sequence_match, sequence_count, sequence_match_events,
# sequence_next_node, window_funnel (every mode combination) and retention
# must agree, except for the deliberate differences listed in the README
# (each recognised by its own check, see test/lib/clickhouse_diff.mjs), and
# ClickHouse's conformance vectors must hold.  Run by scripts/test.sh with
# the cluster's PG* environment; prints TAP.
#   CJ_DIFF_SEED (13), CJ_DIFF_GROUPS (300): the random data.
set -uo pipefail
root=$(cd "${CJ_ROOT:-$(dirname "$0")/../..}" && pwd)
# shellcheck source=bench/peer_packages.sh
source "$root/bench/peer_packages.sh"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "1..0 # SKIP node and npm are needed for chdb"
    exit 0
fi
cache=$(cj_peer_cache)
if ! cj_peer_install "$cache" "$CHDB_PKG" >&2; then
    echo "1..1"
    echo "not ok 1 - install $CHDB_PKG into $cache"
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cjourney-chdiff.XXXXXX")
db="cj_chdiff_$$"
trap 'rm -rf "$work"; psql -X -q -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >/dev/null &&
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION cjourney" >/dev/null || {
    echo "1..1"
    echo "not ok 1 - a database with cjourney"
    exit 1
}
CJ_DIFF_DB=$db node "$root/test/lib/clickhouse_diff.mjs" --modules "$cache/node_modules" \
    --workdir "$work" --seed "${CJ_DIFF_SEED:-13}" --groups "${CJ_DIFF_GROUPS:-300}"
