#!/usr/bin/env bash
# debian_package.sh -- the Debian package builds, installs and passes the
# regression tests from the installed files. Prints TAP.
#
#   1. copies the tree without build products (git's tracked and untracked,
#      not ignored, files; or, outside git, everything but *.o, *.so, *.bc,
#      results/ ...) into the suite's temp dir;
#   2. checks debian/control is what `pg_buildext updatecontrol` makes of
#      debian/control.in and debian/pgversions;
#   3. builds with `dpkg-buildpackage -b -us -uc` (debhelper's pgxs_loop
#      sequence: pg_buildext builds, installs into debian/postgresql-15-
#      cjourney and runs the regression tests against those files in a
#      throwaway cluster, dh_pgxs_test);
#   4. checks the package: name postgresql-<v>-cjourney, version, the
#      module, the control file and every install/upgrade script;
#   5. installs it (apt-get install ./*.deb), checks dpkg --verify, then
#      starts a fresh cluster on the system install (no CJ_EXTRA_CONF, so no
#      staged tree), creates the extension (and updates from 0.1.0) and runs
#      the regression tests against it (make installcheck = pg_regress on the
#      running server), and runs the package's autopkgtest
#      (debian/tests/installcheck: pg_buildext installcheck);
#   6. removes the package and puts back exactly the cjourney files the
#      system had before (also on failure or interruption), so the suites
#      after this one test what they tested before.
# Needs root (apt-get, dpkg); skipped otherwise.
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

PKG=postgresql-$CJ_PG_VERSION-cjourney
DEFAULT=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$CJ_ROOT/cjourney.control")

if [[ $EUID -ne 0 ]]; then
    echo "1..0 # SKIP needs root (apt-get install of the built package)"
    exit 0
fi
if [[ -n ${CJ_SUITE_TMP:-} ]]; then
    TMP=$CJ_SUITE_TMP
else
    cj_tmpdir debian || exit 1
    TMP=$CJ_TMP
fi
# unset: clusters started here use the system install, not a staged tree;
# and pg_virtualenv (dh_pgxs_test, the autopkgtest) would take the main
# cluster's PGPORT for its own server
unset CJ_EXTRA_CONF PGHOST PGPORT PGUSER PGDATABASE PGOPTIONS

APT=(apt-get -q -o DPkg::Lock::Timeout=600)
stamp() { date +%s; }

cj_install_packages debhelper "postgresql-server-dev-all" dpkg-dev ||
    bail "install debhelper, postgresql-server-dev-all, dpkg-dev"
ok "build dependencies installed (debhelper, postgresql-server-dev-all, dpkg-dev)"

# --- 1. a clean copy ---------------------------------------------------------------

SRC=$TMP/src/cjourney-$DEFAULT
mkdir -p "$SRC"
if git -C "$CJ_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    how="git ls-files: tracked and untracked, not ignored"
    (cd "$CJ_ROOT" && git ls-files -co --exclude-standard -z |
        while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
        tar --null -cf - -T -) | tar -xf - -C "$SRC"
else
    how="no git: all but build products"
    (cd "$CJ_ROOT" && tar --exclude='*.o' --exclude='*.so' --exclude='*.bc' --exclude=results \
        --exclude=regression.diffs --exclude=regression.out --exclude=tmp_check --exclude=log -cf - .) |
        tar -xf - -C "$SRC"
fi
if [[ -x $SRC/debian/rules && -f $SRC/Makefile ]] && ! find "$SRC" -name '*.o' -o -name '*.so' | grep -q .; then
    ok "clean copy of the tree ($how): $(find "$SRC" -type f | wc -l) files, no build products"
else
    bail "clean copy of the tree with debian/rules and no build products"
fi
chown -R "$CJ_PG_OSUSER" "$TMP/src"

# --- 2. debian/control up to date ---------------------------------------------------

cp "$SRC/debian/control" "$TMP/control.committed"
if (cd "$SRC" && pg_buildext updatecontrol) >"$TMP/updatecontrol.log" 2>&1 &&
    d=$(diff "$TMP/control.committed" "$SRC/debian/control") && [[ -z $d ]]; then
    ok "debian/control = pg_buildext updatecontrol of control.in and pgversions ($(grep '^Package:' "$SRC/debian/control" | cut -d' ' -f2 | paste -sd' '))"
else
    not_ok "debian/control = pg_buildext updatecontrol of control.in and pgversions" \
        "$(cat "$TMP/updatecontrol.log")" "${d:-}" "run: pg_buildext updatecontrol"
    cp "$TMP/control.committed" "$SRC/debian/control"
fi

# --- 3. build ---------------------------------------------------------------------

t0=$(stamp)
if (cd "$SRC" && dpkg-buildpackage -b -us -uc) >"$TMP/build.log" 2>&1; then
    ok "dpkg-buildpackage -b -us -uc ($(($(stamp) - t0))s)"
else
    bail "dpkg-buildpackage -b -us -uc" "$(tail -n 40 "$TMP/build.log")"
fi
if grep -qE '^ *All [0-9]+ tests passed' "$TMP/build.log" && ! grep -q 'tests failed' "$TMP/build.log"; then
    ok "dh_pgxs_test: $(grep -oE 'All [0-9]+ tests passed' "$TMP/build.log" | head -n 1) against the files in debian/$PKG"
else
    not_ok "dh_pgxs_test: the regression tests pass during the build" \
        "$(grep -nE 'tests|FAILED|failed' "$TMP/build.log" | tail -n 20)"
fi
warnings=$(grep -E 'warning:' "$TMP/build.log" | grep -v 'dpkg-\|dh_' | head -n 10)
is "$warnings" "" "the build (Debian's hardening flags and the clang bitcode) has no compiler warnings"

# --- 4. the package -----------------------------------------------------------------

DEB=$(find "$TMP/src" -maxdepth 1 -name "${PKG}_*.deb" | head -n 1)
[[ -n $DEB ]] || bail "package $PKG built" "$(ls "$TMP/src")"
ver=$(dpkg-deb -f "$DEB" Version)
if [[ $(dpkg-deb -f "$DEB" Package) == "$PKG" && $ver == "$DEFAULT"-* ]]; then
    ok "$(basename "$DEB"): $(stat -c %s "$DEB") bytes, installed size $(dpkg-deb -f "$DEB" Installed-Size) kB; depends: $(dpkg-deb -f "$DEB" Depends)"
else
    not_ok "package $PKG, version $DEFAULT-*" "$(dpkg-deb -f "$DEB" Package Version)"
fi
dpkg-deb -c "$DEB" | awk '{print substr($6, 2)}' | grep -v '/$' | sort >"$TMP/deb.files"
LIBDIR=$("$CJ_PG_CONFIG" --pkglibdir)
SHAREDIR=$("$CJ_PG_CONFIG" --sharedir)
data=$(make -s -C "$SRC" --no-print-directory -f Makefile -f - print-data <<<'print-data: ; @echo $(DATA)' 2>/dev/null)
missing=()
for f in "$LIBDIR/cjourney.so" "$SHAREDIR/extension/cjourney.control" $(for s in $data; do echo "$SHAREDIR/extension/$s"; done); do
    grep -qxF "$f" "$TMP/deb.files" || missing+=("$f")
done
is "${missing[*]}" "" "the package holds cjourney.so, cjourney.control and every script of DATA ($(wc -l <"$TMP/deb.files") files)"

# --- 5. install; the system install passes the tests --------------------------------

# the cjourney files of the system before, to put back afterwards
BACKUP=$TMP/system-before
mkdir -p "$BACKUP"
PREV_PKG=$(dpkg-query -W -f='${Status} ${Version}' "$PKG" 2>/dev/null | sed -n 's/^install ok installed //p')
system_files() { # every cjourney file installed in the system's directories
    find "$LIBDIR" "$SHAREDIR/extension" \( -path "$LIBDIR/cjourney.so" -o -path "$LIBDIR/bitcode/cjourney.index.bc" \
        -o -path "$LIBDIR/bitcode/cjourney/*" -o -path "$SHAREDIR/extension/cjourney.control" \
        -o -path "$SHAREDIR/extension/cjourney--*.sql" \) \( -type f -o -type l \) 2>/dev/null | sort
}
snapshot() { system_files | while IFS= read -r f; do md5sum "$f"; done; }
snapshot >"$TMP/system-before.md5"
system_files | while IFS= read -r f; do mkdir -p "$BACKUP${f%/*}" && cp -a "$f" "$BACKUP$f"; done
RESTORED=0
# Remove the package (if it was not installed before) and put the saved files
# back, each by rename so that a server with the old module mapped never
# sees a half-written file.
restore_system() {
    ((RESTORED)) && return 0
    RESTORED=1
    if [[ -z $PREV_PKG ]] && cj_pkg_installed "$PKG"; then
        DEBIAN_FRONTEND=noninteractive "${APT[@]}" remove -y "$PKG" >"$TMP/remove.log" 2>&1 || return 1
    fi
    local f
    while IFS= read -r -d '' f; do
        f=${f#.}
        mkdir -p "$(dirname "$f")"
        cp -a "$BACKUP$f" "$f.cj-restore.$$" && mv -f "$f.cj-restore.$$" "$f" || return 1
    done < <(cd "$BACKUP" && find . -type f -print0)
}
on_exit() {
    restore_system
    cj_cleanup
}
trap on_exit EXIT

if DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y --no-install-recommends --reinstall "$DEB" >"$TMP/install.log" 2>&1 &&
    cj_pkg_installed "$PKG"; then
    ok "apt-get install $(basename "$DEB")${PREV_PKG:+ (replacing $PKG $PREV_PKG)}"
else
    bail "apt-get install $(basename "$DEB")" "$(tail -n 20 "$TMP/install.log")"
fi
v=$(dpkg --verify "$PKG" 2>&1)
is "$v" "" "dpkg --verify $PKG: the installed files are the package's"
is "$(dpkg -S "$LIBDIR/cjourney.so" 2>&1 | cut -d: -f1)" "$PKG" "$LIBDIR/cjourney.so belongs to $PKG"

DIR=$TMP/pkg
if cj_cluster_start "$DIR"; then
    ok "fresh cluster on the system install (no extension_destdir)"
else
    bail "start a fresh cluster on the system install"
fi
destdir=$(cj_psql "$DIR" -qAt -c "SELECT current_setting('extension_destdir', true)" 2>&1)
is "$destdir" "" "the cluster loads extensions from the system directories only"
if out=$(cj_psql "$DIR" -qAt -c "CREATE DATABASE pkg_fresh" -c "CREATE DATABASE pkg_upgrade" 2>&1 &&
    cj_psql "$DIR" -qAt -d pkg_fresh -c "CREATE EXTENSION cjourney" \
        -c "SELECT extversion FROM pg_extension WHERE extname = 'cjourney'" \
        -c "SELECT journey_length(journey_agg(now(), 'decision'::stage, 'web', 'visit'))" 2>&1) &&
    [[ $out == "$DEFAULT"$'\n'1 ]]; then
    ok "CREATE EXTENSION cjourney from the package: $DEFAULT, and a journey aggregates"
else
    not_ok "CREATE EXTENSION cjourney from the package" "$out"
fi
if out=$(cj_psql "$DIR" -qAt -d pkg_upgrade -c "CREATE EXTENSION cjourney VERSION '0.1.0'" \
    -c "ALTER EXTENSION cjourney UPDATE" -c "SELECT extversion FROM pg_extension WHERE extname = 'cjourney'" 2>&1) &&
    [[ $out == "$DEFAULT" ]]; then
    ok "from the package: CREATE EXTENSION cjourney VERSION '0.1.0'; ALTER EXTENSION cjourney UPDATE -> $DEFAULT"
else
    not_ok "from the package: update from 0.1.0" "$out"
fi

# pg_regress against the running server (PGXS installcheck = existing server)
t0=$(stamp)
port=$(cj_cluster_port "$DIR")
rm -rf "$SRC/results" "$SRC/regression.diffs"
if (cd "$SRC" && PGHOST=$DIR PGPORT=$port PGUSER=postgres \
    make installcheck "PG_CONFIG=$CJ_PG_CONFIG") >"$TMP/installcheck.log" 2>&1; then
    ok "make installcheck on that cluster: $(grep -oE 'All [0-9]+ tests passed' "$TMP/installcheck.log") against the installed files ($(($(stamp) - t0))s)"
else
    not_ok "make installcheck on that cluster (the installed files)" "$(grep -E '\.\.\. |tests' "$TMP/installcheck.log" | tail -n 20)" \
        "$(head -n 60 "$SRC/regression.diffs" 2>/dev/null)"
fi
cj_cluster_stop "$DIR"

# the package's autopkgtest: pg_buildext installcheck (pg_virtualenv cluster)
t0=$(stamp)
rm -rf "$SRC/results" "$SRC/regression.diffs"
if (cd "$SRC" && debian/tests/installcheck) >"$TMP/autopkgtest.log" 2>&1; then
    ok "autopkgtest debian/tests/installcheck (pg_buildext installcheck): $(grep -oE 'All [0-9]+ tests passed' "$TMP/autopkgtest.log" | head -n 1) ($(($(stamp) - t0))s)"
else
    not_ok "autopkgtest debian/tests/installcheck (pg_buildext installcheck)" "$(tail -n 30 "$TMP/autopkgtest.log")"
fi

# --- 6. the system install as it was ------------------------------------------------

if restore_system; then
    d=$(diff "$TMP/system-before.md5" <(snapshot))
    is "$d" "" "the system's cjourney files are back as before the suite ($(wc -l <"$TMP/system-before.md5") files, by md5${PREV_PKG:+; $PKG stays installed})"
else
    not_ok "remove $PKG and put back the system's cjourney files" "$(tail -n 10 "$TMP/remove.log" 2>/dev/null)"
fi

echo "1..$N"
