#!/usr/bin/env bash
# portability.sh -- the code builds beyond the tested PostgreSQL 15. Prints TAP.
#
# cjourney is tested on 15 and expected to build on 13 to 17 (README,
# Installation). Only 15 is installable here, so this checks statically:
#   - test/lib/version_guards.py: every server API that differs across 13
#     to 17 (MarkGUCPrefixReserved, pg_prng, palloc_object, varatt.h, ...)
#     is used under a PG_VERSION_NUM guard or has a fallback of our own;
#   - the lowest version is the same in META.json (PGXN prereqs),
#     debian/pgversions and the README.
# Env: CJ_ROOT (scripts/test.sh), CJ_PYTHON.
set -uo pipefail
export LC_ALL=C
CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"
PY=${CJ_PYTHON:-/usr/bin/python3}

if out=$("$PY" "$CJ_ROOT/test/lib/version_guards.py" "$CJ_ROOT"/src/*.c "$CJ_ROOT"/src/*.h 2>&1); then
    ok "src: $out"
else
    not_ok "src: every version-dependent server API is guarded" "$out"
fi

meta=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["prereqs"]["runtime"]["requires"]["PostgreSQL"].split(".")[0])' \
    "$CJ_ROOT/META.json" 2>&1)
deb=$(sed -n 's/^\([0-9][0-9]*\)+$/\1/p' "$CJ_ROOT/debian/pgversions")
readme=$(grep -oE 'expected to build on PostgreSQL [0-9]+ to [0-9]+' "$CJ_ROOT/README.md" | head -n 1 | awk '{print $6}')
is "$meta $deb $readme" "$meta $meta $meta" "lowest PostgreSQL version: META.json $meta, debian/pgversions $deb+, README $readme"

echo "1..$N"
