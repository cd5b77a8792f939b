#!/usr/bin/env bash
# sanitizers.sh -- cjourney under AddressSanitizer and UndefinedBehaviorSanitizer.
#
# Builds a copy of the source tree (so the checkout's own build is left
# alone) with clang and
#   -fsanitize=address,undefined -fno-sanitize-recover=address -fno-wrapv
#   -fno-omit-frame-pointer
# (-fno-wrapv undoes PGXS's -fwrapv, so signed overflow is reported), plus
# the test-only fuzzing module test/fuzz/cjourney_fuzz.c, installs both into
# a staging tree (make install DESTDIR=...) and loads them from there
# (extension_destdir).  The servers run with the ASan runtime and
# test/sanitize/asan_first.so preloaded (the shim that lets the runtime start
# in Debian's binaries: see that file), reports going to files.  Then:
#   1. the regression and pgTAP suites (scripts/test.sh regress pgtap of the
#      copy, in a cluster of its own)
#   2. the fuzzers (test/fuzz/fuzz.py, fixed seed): binary receive of every
#      type, aggregate deserialize, grammar-aware text input, patterns and
#      step texts, damaged stored values
#   3. the concurrency soak (test/soak/soak.sh): pgbench, 8 clients x 20 s
# and fails on any sanitizer report, crash or failed check.
#
# Env: CJ_ROOT, CJ_LIB, CJ_SUITE_TMP (scripts/test.sh); CJ_CLANG (clang-14),
# CJ_FUZZ_ARGS (extra fuzz.py arguments, e.g. --long), CJ_SOAK_SECONDS (20).
# Prints TAP.
set -uo pipefail
export LC_ALL=C

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CJ_LIB=${CJ_LIB:-$CJ_ROOT/scripts/lib.sh}
# shellcheck source=scripts/lib.sh
source "$CJ_LIB"
# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"

CLANG=${CJ_CLANG:-clang-14}
SAN_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=address -shared-libsan -fno-wrapv \
-fno-omit-frame-pointer -O1 -Wno-ignored-attributes -Wno-unknown-warning-option -Wno-ignored-optimization-argument"

if [[ -n ${CJ_SUITE_TMP:-} ]]; then
    TMP=$CJ_SUITE_TMP
else
    cj_tmpdir sanitizers || exit 1
    TMP=$CJ_TMP
fi
SRC=$TMP/src STAGE=$TMP/stage REPORTS=$TMP/reports
T0=$SECONDS
elapsed() { echo "$((SECONDS - ${1:-$T0}))s"; }

# --- build ---------------------------------------------------------------------

RUNTIME=$("$CLANG" -print-file-name=libclang_rt.asan-x86_64.so 2>/dev/null)
[[ -f $RUNTIME ]] || bail "the clang ASan runtime ($CLANG, libclang-rt-*-dev) is installed" \
    "not found: ${RUNTIME:-$CLANG}"

# the checkout's tracked and untracked (not ignored) files, or all of it
mkdir -p "$SRC" "$STAGE" "$REPORTS" && chmod 1777 "$REPORTS"
if git -C "$CJ_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$CJ_ROOT" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$SRC"
else
    cp -a "$CJ_ROOT/." "$SRC/" && make -C "$SRC" clean >/dev/null 2>&1
fi
start=$SECONDS
mk=(make "PG_CONFIG=$CJ_PG_CONFIG" with_llvm=no "CC=$CLANG" "PG_CFLAGS=$SAN_CFLAGS")
if out=$({ "${mk[@]}" -C "$SRC" -j2 && "${mk[@]}" -C "$SRC" install "DESTDIR=$STAGE" &&
    "${mk[@]}" -C "$SRC/test/fuzz" && "${mk[@]}" -C "$SRC/test/fuzz" install "DESTDIR=$STAGE" &&
    "$CLANG" -shared -fPIC -O1 -Wl,-z,initfirst -o "$TMP/asan_first.so" \
        "$SRC/test/sanitize/asan_first.c" "$RUNTIME"; } 2>&1); then
    ok "build cjourney and the fuzzing module with $CLANG -fsanitize=address,undefined ($(elapsed "$start"))"
else
    bail "build cjourney with the sanitizers" "$(tail -n 30 <<<"$out")"
fi
chmod -R a+rX "$STAGE" "$TMP/asan_first.so"

# Servers started from here on load the staged build, under the sanitizers;
# reports go to $REPORTS/{asan,ubsan}.PID.  Only this staging tree: a
# CJ_EXTRA_CONF from scripts/test.sh (CJ_DESTDIR) would point them at the
# ordinary build.
unset CJ_EXTRA_CONF CJ_DESTDIR
cj_use_destdir "$STAGE"
CJ_SERVER_ENV="LD_PRELOAD=$RUNTIME:$TMP/asan_first.so
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allocator_may_return_null=1:quarantine_size_mb=64:log_path=$REPORTS/asan
UBSAN_OPTIONS=print_stacktrace=1:log_path=$REPORTS/ubsan"
export CJ_SERVER_ENV

# check_reports PART: not ok (with the reports' first lines) if any were written
check_reports() {
    local files
    files=$(find "$REPORTS" -maxdepth 1 -type f -name '*san.*' | sort)
    if [[ -z $files ]]; then
        ok "$1: no sanitizer report"
    else
        local summary
        summary=$(grep -h -E 'runtime error|ERROR: AddressSanitizer|SUMMARY' $files | sort | uniq -c | head -n 20)
        not_ok "$1: no sanitizer report" "$summary" "(reports kept in $REPORTS/$2)"
        mkdir -p "$REPORTS/$2" && mv $files "$REPORTS/$2/"
    fi
}

# --- 1. regression and pgTAP suites ------------------------------------------------

start=$SECONDS
out=$(env -u CJ_ROOT -u CJ_LIB -u PGHOST -u PGPORT -u PGDATABASE -u CJ_CLUSTER_LOG CJ_SKIP_BUILD=1 \
    bash "$SRC/scripts/test.sh" regress pgtap 2>&1)
rc=$?
for part in pg_regress pgtap "crash check"; do
    line=$(grep -E "^$part: [0-9]+ passed, [0-9]+ failed" <<<"$out" | tail -n 1)
    if [[ $line =~ ([0-9]+)\ passed,\ 0\ failed ]] && ((BASH_REMATCH[1] > 0)); then
        ok "under the sanitizers: $line"
    else
        not_ok "under the sanitizers: ${line:-$part did not run}" "$(grep -vE '^ok|^==>' <<<"$out" | tail -n 40)"
    fi
done
((rc == 0)) || not_ok "scripts/test.sh regress pgtap exits 0" "exit status $rc"
check_reports "regression and pgTAP suites ($(elapsed "$start"))" regress

# --- 2. fuzzers and 3. soak, in a cluster of their own -------------------------------

DIR=$TMP/c
cj_cluster_start "$DIR" "max_parallel_workers_per_gather = 2" || bail "start a cluster under the sanitizers"
cj_cluster_env "$DIR"
PY=${CJ_PYTHON:-/usr/bin/python3}
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE cj_fuzz" &&
    psql -X -q -v ON_ERROR_STOP=1 -d cj_fuzz -c "CREATE EXTENSION cjourney" >/dev/null ||
    bail "create the fuzzing database"
# the backend maps the staged, instrumented library and the ASan runtime
maps=$(psql -X -qAt -d cj_fuzz -c "SELECT journey_length('{}')" -c "SELECT pg_read_file('/proc/self/maps')" 2>&1)
if grep -qF "$STAGE" <<<"$maps" && grep -q 'libclang_rt.asan' <<<"$maps"; then
    ok "the servers load the sanitized build from $STAGE"
else
    bail "the servers load the sanitized build from $STAGE" "$(grep -E 'cjourney|asan' <<<"$maps" | head -n 5)"
fi

# tap_lines NAME FILE RC: the PASS/FAIL/STAT lines a tool (fuzz.py, soak.sh)
# wrote to FILE as TAP, STAT lines to STATS; anything else, or a failed exit
# with no FAIL line, is a failure of NAME
STATS=()
tap_lines() {
    local status desc diag other=() failed=0
    while IFS=$'\t' read -r status desc diag; do
        case $status in
        PASS) ok "$desc" ;;
        FAIL) not_ok "$desc" "$(tr '\t' '\n' <<<"$diag" | sed 's/\\n/\n/g')"; failed=1 ;;
        STAT) STATS+=("$desc") ;;
        *) other+=("$status${desc:+ $desc}${diag:+ $diag}") ;;
        esac
    done <"$2"
    if ((${#other[@]} > 0 || ($3 != 0 && failed == 0))); then
        not_ok "$1 ran to the end (exit status $3)" "${other[@]:0:30}"
    fi
}

start=$SECONDS
# shellcheck disable=SC2086  # CJ_FUZZ_ARGS is a list of arguments
rc=0
PGDATABASE=cj_fuzz "$PY" "$SRC/test/fuzz/fuzz.py" --lib cjourney_fuzz --keep "$TMP/fuzz" \
    ${CJ_FUZZ_ARGS:-} >"$TMP/fuzz.out" 2>&1 || rc=$?
tap_lines fuzz.py "$TMP/fuzz.out" "$rc"
check_reports "fuzzers ($(elapsed "$start"))" fuzz

start=$SECONDS
rc=0
PGDATABASE=cj_fuzz bash "$SRC/test/soak/soak.sh" --clients 8 --seconds "${CJ_SOAK_SECONDS:-20}" \
    >"$TMP/soak.out" 2>&1 || rc=$?
tap_lines soak.sh "$TMP/soak.out" "$rc"
check_reports "concurrency soak ($(elapsed "$start"))" soak

if cj_crash_check "$CJ_CLUSTER_LOG" 2>/dev/null; then
    ok "no backend crashed in the fuzzing cluster"
else
    not_ok "no backend crashed in the fuzzing cluster" "$(grep -E 'terminated by signal|was terminated' "$CJ_CLUSTER_LOG" | head)"
fi
for s in "${STATS[@]}"; do echo "# $s"; done
echo "# total $(elapsed)"
echo "1..$N"
