#!/usr/bin/env bash
# Run all of cjourney's tests against one throwaway PostgreSQL 15 cluster.
#
#   ./scripts/test.sh [regress] [pgtap] [suites]     (default: all three)
#
# Installs what is missing (as root, with apt), builds and installs the
# extension, starts a private cluster on a free port, then runs
#   1. pg_regress   make installcheck        one test per sql/ file
#   2. pgTAP        pg_prove test/pgtap/*.sql one test per assertion
#   3. TAP suites   bash test/suites/*.sh    one test per ok/not ok line
#   4. a crash check of the cluster's log
# and ends with the single line "N passed, N failed"; the exit status is
# non-zero if anything failed or could not run.
#
# TAP suites get the cluster's PGHOST/PGPORT/PGUSER/PGDATABASE, plus
#   CJ_ROOT        repo root (also their working directory)
#   CJ_LIB         scripts/lib.sh, to start extra clusters (cj_cluster_start)
#   CJ_SUITE_TMP   an empty dir of their own the server user can write to
#   CJ_CLUSTER_LOG the main cluster's server log
#   CJ_PYTHON      a python3 that has Debian's scipy
# and are killed after CJ_SUITE_TIMEOUT seconds (default 900).
#
# Developer knobs: CJ_SKIP_BUILD=1 (test what is installed), CJ_VERBOSE=1
# (print every suite's full output), CJ_SUITES="readme compat" (run only the
# named suites), CJ_DESTDIR (stage the install), PG_CFLAGS (CI: -Werror).
set -euo pipefail
export LC_ALL=C # stable glob order and parseable tool output

# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

PARTS=()
for arg in "$@"; do
    case $arg in
    regress | pgtap | suites) PARTS+=("$arg") ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *) cj_die "unknown argument: $arg (expected regress, pgtap or suites)" ;;
    esac
done
((${#PARTS[@]})) || PARTS=(regress pgtap suites)

CJ_SUITE_TIMEOUT=${CJ_SUITE_TIMEOUT:-900}
PASSED=0
FAILED=0
RUN= # per-run temp dir: logs, clusters

# Record one suite's result: tally NAME PASSED FAILED STARTED_AT [note]
tally() {
    PASSED=$((PASSED + $2))
    FAILED=$((FAILED + $3))
    echo "$1: $2 passed, $3 failed ($((SECONDS - $4))s)${5:+ - $5}"
}

# Print the closing line and exit; keep the logs when something failed.
finish() {
    if ((FAILED)); then
        CJ_KEEP_LOGS=1
        [[ -n $RUN ]] && echo "logs kept in $RUN"
    fi
    echo "$PASSED passed, $FAILED failed"
    ((FAILED == 0)) && exit 0
    exit 1
}

# A setup step failed: nothing can be tested.
fatal() {
    cj_warn "$*"
    FAILED=$((FAILED + 1))
    finish
}

indent() { sed 's/^/    /'; }

# Interrupted: stop the running suite (and the processes it started, but not
# its servers: pg_ctl detaches them) so its own trap can stop its clusters,
# then exit; the EXIT trap (cj_cleanup) stops everything else.
SUITE_PID=
# shellcheck disable=SC2317  # invoked from the traps below
on_signal() {
    if [[ -n $SUITE_PID ]]; then
        kill -TERM -- "-$SUITE_PID" 2>/dev/null || true
        wait "$SUITE_PID" 2>/dev/null || true
    fi
    echo "interrupted"
    exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# Crash lines the server log gained since byte offset $1 (for attribution).
new_crash_lines() {
    tail -c +"$(($1 + 1))" "$CJ_CLUSTER_LOG" | grep -E 'terminated by signal|was terminated' || true
}
log_size() { stat -c %s "$CJ_CLUSTER_LOG" 2>/dev/null || echo 0; }

# --- 1. pg_regress -------------------------------------------------------------

run_regress() {
    local start=$SECONDS log=$RUN/pg_regress.log rc=0 p f
    rm -f "$CJ_ROOT/regression.diffs" # never show a stale one
    (cd "$CJ_ROOT" && make installcheck "PG_CONFIG=$CJ_PG_CONFIG" with_llvm=no) \
        </dev/null >"$log" 2>&1 || rc=$?
    # PG15 prints "test name ... ok   12 ms" (or "     name ... FAILED" inside
    # parallel groups); PG16+ prints TAP ("ok 1 - name", "not ok 2 - name").
    read -r p f < <(awk '
        /^not ok [0-9]/                 { f++; next }
        /^ok [0-9]/                     { p++; next }
        / \.\.\. ok( |$)/               { p++; next }
        / \.\.\. failed \(ignored\)/    { p++; next }
        / \.\.\. FAILED/                { f++; next }
        END { print p + 0, f + 0 }' "$log")
    [[ ${CJ_VERBOSE:-0} == 1 ]] && indent <"$log"
    if ((rc != 0 || f > 0)); then
        ((f > 0)) || f=1 # make failed before any test ran
        if [[ ${CJ_VERBOSE:-0} != 1 ]]; then
            if [[ -s $CJ_ROOT/regression.diffs ]]; then
                grep -E '\.\.\. |^(not )?ok [0-9]' "$log" | indent || true
            else
                tail -n 40 "$log" | indent
            fi
        fi
        if [[ -s $CJ_ROOT/regression.diffs ]]; then
            echo "    --- regression.diffs (first 200 lines) ---"
            head -n 200 "$CJ_ROOT/regression.diffs" | indent
        fi
    fi
    tally pg_regress "$p" "$f" "$start"
}

# --- 2. pgTAP ------------------------------------------------------------------

run_pgtap() {
    local start=$SECONDS log=$RUN/pgtap.log p f files
    shopt -s nullglob
    files=(test/pgtap/*.sql) # relative: cwd is CJ_ROOT, and pg_prove output is shorter
    shopt -u nullglob
    if ((${#files[@]} == 0)); then
        tally pgtap 0 0 "$start" "no test/pgtap/*.sql"
        return
    fi
    if ! {
        psql -X -q -v ON_ERROR_STOP=1 -c 'DROP DATABASE IF EXISTS cjourney_test' \
            -c 'CREATE DATABASE cjourney_test' &&
            psql -X -q -v ON_ERROR_STOP=1 -d cjourney_test \
                -c 'CREATE EXTENSION cjourney' -c 'CREATE EXTENSION pgtap' &&
            PGDATABASE=cjourney_test bash data/load.sh --customers 3000
    } </dev/null >"$RUN/pgtap-setup.log" 2>&1; then
        tail -n 30 "$RUN/pgtap-setup.log" | indent
        tally pgtap 0 1 "$start" "setup failed (database cjourney_test / data/load.sh)"
        return
    fi
    # One pg_prove per file, so a file that dies early (SQL error, bad plan)
    # counts as a failure even when another file already has a "not ok".
    local file frc fp ff
    p=0 f=0
    for file in "${files[@]}"; do
        frc=0
        pg_prove --verbose -d cjourney_test "$file" </dev/null >"$log.one" 2>&1 || frc=$?
        cat "$log.one" >>"$log"
        # Count top-level TAP lines only: indented ones are subtests, and the
        # bare "ok" prove prints after each file is not numbered.
        read -r fp ff < <(awk '
            /^not ok [0-9]/ { if ($0 ~ /# *TODO/) p++; else f++; next }
            /^ok [0-9]/     { p++; next }
            END { print p + 0, f + 0 }' "$log.one")
        ((frc == 0 || ff > 0)) || ff=1
        p=$((p + fp)) f=$((f + ff))
        if [[ ${CJ_VERBOSE:-0} == 1 ]]; then
            indent <"$log.one"
        elif ((frc != 0 || ff > 0)); then
            # everything but the passes: not ok + diagnostics, psql errors,
            # prove's summary (bad plan, exit status)
            grep -vE '^ok( [0-9]|$)|^All tests successful|^Result: ' "$log.one" |
                head -n 60 | indent || true
        fi
    done
    rm -f "$log.one"
    tally pgtap "$p" "$f" "$start"
}

# --- 3. TAP shell suites -------------------------------------------------------

run_suite() {
    local suite=$1 name start=$SECONDS log rc=0 p f plan note=
    name=$(basename "$suite" .sh)
    log=$RUN/suite-$name.log
    # scratch dir under RUN, so our cleanup also stops clusters a suite leaks
    mkdir -p "$RUN/$name" && chown "$CJ_PG_OSUSER" "$RUN/$name"
    # In the background + wait, so an INT/TERM to us is handled at once (bash
    # defers traps until a foreground child ends). timeout makes its own
    # process group, which on_signal and the timeout itself signal as a whole.
    CJ_SUITE_TMP=$RUN/$name timeout -k 30 "$CJ_SUITE_TIMEOUT" bash "$suite" \
        </dev/null >"$log" 2>&1 &
    SUITE_PID=$!
    wait "$SUITE_PID" || rc=$?
    SUITE_PID=
    read -r p f plan < <(awk '
        /^not ok( |$)/  { if ($0 ~ /# *TODO/) p++; else f++; next }
        /^ok( |$)/      { p++; next }
        /^1\.\.[0-9]+/  { split($1, a, "\\.\\."); plan = a[2] + 0; has = 1 }
        END { print p + 0, f + 0, has ? plan : -1 }' "$log")
    if ((plan >= 0 && plan != p + f)); then
        f=$((f + 1))
        note="planned $plan tests, ran $((p + f - 1))"
    fi
    if ((rc == 124 || rc == 137)); then
        f=$((f + 1))
        note="killed after ${CJ_SUITE_TIMEOUT}s"
    elif ((rc != 0 && f == 0)); then
        f=1
        note="exited with status $rc"
    fi
    if [[ ${CJ_VERBOSE:-0} == 1 ]]; then
        indent <"$log"
    elif ((f > 0)); then
        grep -E '^not ok' "$log" | indent || true
        echo "    --- last lines of $log ---"
        tail -n 30 "$log" | indent
    fi
    tally "suite $name" "$p" "$f" "$start" "$note"
}

run_suites() {
    local suite found=0
    shopt -s nullglob
    for suite in "$CJ_ROOT"/test/suites/*.sh; do
        if [[ -n ${CJ_SUITES:-} ]] && [[ " $CJ_SUITES " != *" $(basename "$suite" .sh) "* ]]; then
            continue
        fi
        found=1
        run_suite "$suite"
    done
    shopt -u nullglob
    ((found)) || echo "suites: none in test/suites/"
}

# --- main ----------------------------------------------------------------------

cd "$CJ_ROOT"
T0=$SECONDS
cj_reap_stale
cj_install_packages "${CJ_TEST_PACKAGES[@]}" || fatal "could not install the packages"
cj_tmpdir test
RUN=$CJ_TMP
CJ_BUILD_LOG=$RUN/build.log cj_build_install || fatal "build failed"
cj_cluster_start "$RUN/main" || fatal "could not start the test cluster"
cj_cluster_env "$RUN/main"
export CJ_SUITE_TIMEOUT
echo "==> cluster: psql -h $PGHOST -p $PGPORT -U postgres postgres (log: $CJ_CLUSTER_LOG)"

for part in "${PARTS[@]}"; do
    before=$(log_size)
    case $part in
    regress) run_regress ;;
    pgtap) run_pgtap ;;
    suites) run_suites ;;
    esac
    crashes=$(new_crash_lines "$before")
    [[ -z $crashes ]] || printf '    server crashed during %s:\n%s\n' "$part" "$(indent <<<"$crashes")"
done

start=$SECONDS
if cj_crash_check "$CJ_CLUSTER_LOG" 2>/dev/null; then
    tally "crash check" 1 0 "$start"
else
    tally "crash check" 0 1 "$start" "see $CJ_CLUSTER_LOG"
fi
echo "==> total $((SECONDS - T0))s"
finish
