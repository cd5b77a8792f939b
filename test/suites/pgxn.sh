#!/usr/bin/env bash
# pgxn.sh -- the PGXN distribution: META.json is valid and the zip that
# `make dist` makes installs and passes the tests with the PGXN client.
# Prints TAP.
#
#   1. META.json passes test/lib/pgxn_meta.py (the PGXN Meta Spec v1.0.0:
#      required keys, types, SemVer versions, version ranges, license
#      shortcuts, terms, tags) and its versions equal the control file's;
#   2. `make dist` (git archive of HEAD) makes cjourney-<version>.zip with
#      one top directory, the committed files and nothing else, META.json
#      valid there too, and every source, script and test the Makefile names;
#   3. Debian's pgxnclient builds and installs the zip as `pgxn install`
#      does (into a staging tree: DESTDIR), `pgxn load` creates the extension
#      in a cluster that loads the staged tree, and `pgxn check` runs the
#      regression tests (make installcheck) from the zip.
# The zip is made from HEAD: uncommitted changes are not in it.
#
# Env: CJ_ROOT, CJ_LIB, CJ_SUITE_TMP (scripts/test.sh).
set -uo pipefail
export LC_ALL=C

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CJ_LIB=${CJ_LIB:-$CJ_ROOT/scripts/lib.sh}
# shellcheck source=scripts/lib.sh
source "$CJ_LIB"
# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"
PY=${CJ_PYTHON:-/usr/bin/python3}

if [[ -n ${CJ_SUITE_TMP:-} ]]; then
    TMP=$CJ_SUITE_TMP
else
    cj_tmpdir pgxn || exit 1
    TMP=$CJ_TMP
fi
DEFAULT=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$CJ_ROOT/cjourney.control")
NAME=cjourney-$DEFAULT
ZIP=$TMP/$NAME.zip
stamp() { date +%s; }

# --- 1. META.json -------------------------------------------------------------------

if out=$("$PY" "$CJ_ROOT/test/lib/pgxn_meta.py" "$CJ_ROOT/META.json" --root "$CJ_ROOT" \
    --control "$CJ_ROOT/cjourney.control" 2>&1); then
    ok "META.json: $out"
else
    not_ok "META.json is valid PGXN metadata" "$out"
fi

# --- 2. make dist -------------------------------------------------------------------

if ! git -C "$CJ_ROOT" rev-parse HEAD >/dev/null 2>&1; then
    echo "ok $((N + 1)) - make dist # SKIP not a git checkout"
    N=$((N + 1))
    echo "1..$N"
    exit 0
fi
if out=$(make -s -C "$CJ_ROOT" dist "DISTFILE=$ZIP" "PG_CONFIG=$CJ_PG_CONFIG" 2>&1) && [[ -s $ZIP ]]; then
    ok "make dist: $(basename "$ZIP"), $(stat -c %s "$ZIP") bytes"
else
    bail "make dist" "$out"
fi
"$PY" - "$ZIP" >"$TMP/zip.files" <<'EOF'
import sys, zipfile
for n in zipfile.ZipFile(sys.argv[1]).namelist():
    if not n.endswith("/"):
        print(n)
EOF
sort -o "$TMP/zip.files" "$TMP/zip.files"
git -C "$CJ_ROOT" ls-tree -r --name-only HEAD | sed "s|^|$NAME/|" | sort >"$TMP/head.files"
d=$(diff "$TMP/head.files" "$TMP/zip.files")
is "${d:0:2000}" "" "the zip holds exactly the committed files, under $NAME/ ($(wc -l <"$TMP/zip.files") files)"

mkdir -p "$TMP/unzipped"
(cd "$TMP/unzipped" && "$PY" -m zipfile -e "$ZIP" .) || bail "unzip $ZIP"
DIST=$TMP/unzipped/$NAME
chmod -R u+w "$DIST" && chown -R "$CJ_PG_OSUSER" "$TMP/unzipped"
if out=$("$PY" "$CJ_ROOT/test/lib/pgxn_meta.py" "$DIST/META.json" --root "$DIST" --control "$DIST/cjourney.control" 2>&1); then
    ok "the zip's META.json is valid and names files of the zip"
else
    not_ok "the zip's META.json is valid and names files of the zip" "$out"
fi
# every source, script and test the Makefile names
vars=$(make -s -C "$DIST" --no-print-directory -f Makefile -f - print-vars "PG_CONFIG=$CJ_PG_CONFIG" \
    <<<'print-vars: ; @echo "$(OBJS)|$(DATA)|$(REGRESS)"' 2>&1)
IFS='|' read -r objs data regress <<<"$vars"
missing=()
for o in $objs; do [[ -f $DIST/${o%.o}.c ]] || missing+=("${o%.o}.c"); done
for s in $data cjourney.control; do [[ -f $DIST/$s ]] || missing+=("$s"); done
for t in $regress; do
    [[ -f $DIST/sql/$t.sql ]] || missing+=("sql/$t.sql")
    [[ -f $DIST/expected/$t.out ]] || missing+=("expected/$t.out")
done
if [[ -n $objs && -n $regress ]]; then
    is "${missing[*]}" "" "the zip has the $(wc -w <<<"$objs") sources of OBJS, the $(wc -w <<<"$data") scripts of DATA and the $(wc -w <<<"$regress") tests of REGRESS"
else
    not_ok "read OBJS, DATA and REGRESS from the zip's Makefile" "$vars"
fi

# --- 3. the PGXN client -------------------------------------------------------------

if ! cj_install_packages pgxnclient; then
    not_ok "install Debian's pgxnclient"
    echo "1..$N"
    exit 1
fi
# `pgxn --make PROG`: Debian's PGXS would also build LLVM bitcode with clang
mkdir -p "$TMP/bin"
printf '#!/bin/sh\nexec make with_llvm=no "$@"\n' >"$TMP/bin/make-nollvm"
chmod +x "$TMP/bin/make-nollvm"
STAGE=$TMP/stage
t0=$(stamp)
if (cd "$TMP" && DESTDIR=$STAGE pgxn install --yes --nosudo --pg_config "$CJ_PG_CONFIG" \
    --make "$TMP/bin/make-nollvm" "./$(basename "$ZIP")") >"$TMP/install.log" 2>&1 &&
    [[ -f $STAGE$("$CJ_PG_CONFIG" --pkglibdir)/cjourney.so ]]; then
    ok "pgxn install ./$(basename "$ZIP") builds and installs it (DESTDIR staging tree, $(($(stamp) - t0))s)"
else
    bail "pgxn install ./$(basename "$ZIP")" "$(tail -n 30 "$TMP/install.log")"
fi

cj_use_destdir "$STAGE"
DIR=$TMP/pgxn
cj_cluster_start "$DIR" || bail "start a cluster on the staged install"
port=$(cj_cluster_port "$DIR")
cj_psql "$DIR" -q -c "CREATE DATABASE pgxn_load" || not_ok "create database pgxn_load"
# pgxn load looks for the control file in `pg_config --sharedir`: point it
# at the staged tree, as the server's extension_destdir does
printf '#!/bin/sh\nif [ "$1" = --sharedir ]; then echo "%s$(%s --sharedir)"; else exec %s "$@"; fi\n' \
    "$STAGE" "$CJ_PG_CONFIG" "$CJ_PG_CONFIG" >"$TMP/bin/pg_config-staged"
chmod +x "$TMP/bin/pg_config-staged"
if out=$(cd "$TMP" && pgxn load --yes --pg_config "$TMP/bin/pg_config-staged" -h "$DIR" -p "$port" -U postgres -d pgxn_load \
    "./$(basename "$ZIP")" 2>&1) &&
    [[ $(cj_psql "$DIR" -qAt -d pgxn_load -c "SELECT extversion FROM pg_extension WHERE extname = 'cjourney'") == "$DEFAULT" ]]; then
    ok "pgxn load creates the extension ($DEFAULT)"
else
    not_ok "pgxn load creates the extension" "$out"
fi
t0=$(stamp)
if (cd "$TMP" && pgxn check --yes --pg_config "$CJ_PG_CONFIG" --make "$TMP/bin/make-nollvm" \
    -h "$DIR" -p "$port" -U postgres "./$(basename "$ZIP")") >"$TMP/check.log" 2>&1 &&
    grep -qE 'All [0-9]+ tests passed' "$TMP/check.log"; then
    ok "pgxn check: $(grep -oE 'All [0-9]+ tests passed' "$TMP/check.log") from the zip ($(($(stamp) - t0))s)"
else
    not_ok "pgxn check runs the regression tests from the zip" "$(tail -n 30 "$TMP/check.log")"
fi
cj_cluster_stop "$DIR"

echo "1..$N"
