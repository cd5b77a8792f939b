#!/usr/bin/env bash
# The cjourney demo: build and install the extension, start a private
# PostgreSQL 15 cluster, load sample data, run the headline analyses in
# examples/demo.sql and write the visual journey report of the sample data
# (scripts/journey_report.sh), printing its path.
#
#   ./scripts/demo.sh [--keep] [--customers N] [--report FILE | --no-report]
#
#   --keep          leave the cluster running afterwards (prints how to connect
#                   and how to stop it)
#   --customers N   sample size (default 100000)
#   --report FILE   where to write the report (default journey_report.html
#                   in the repository's root); the first run installs Apache
#                   ECharts with npm into ~/.cache/cjourney-report
#   --no-report     skip the report
#
# Run as root on Debian 12: missing packages are installed with apt. The
# cluster runs as the postgres OS user on a free local port; nothing touches
# the system's own 15/main cluster. CJ_SKIP_BUILD=1 uses what is installed.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit "${1:-0}"
}

keep=0
customers=100000
report=$CJ_ROOT/journey_report.html
while (($#)); do
    case $1 in
    --keep) keep=1 ;;
    --customers)
        [[ ${2:-} =~ ^[0-9]+$ ]] || cj_die "--customers needs a number"
        customers=$2
        shift
        ;;
    --customers=*)
        customers=${1#*=}
        [[ $customers =~ ^[0-9]+$ ]] || cj_die "--customers needs a number"
        ;;
    --report)
        [[ -n ${2:-} ]] || cj_die "--report needs a file name"
        report=$2
        shift
        ;;
    --report=*) report=${1#*=} ;;
    --no-report) report= ;;
    -h | --help) usage 0 ;;
    *)
        cj_warn "unknown argument: $1"
        usage 2 >&2
        ;;
    esac
    shift
done

# a relative --report is relative to where the demo was started
[[ -z $report || $report == /* ]] || report=$PWD/$report
cd "$CJ_ROOT"
[[ -f data/load.sh ]] || cj_die "data/load.sh is missing"
cj_reap_stale
# shellcheck disable=SC2119  # the base set only
cj_install_packages || cj_die "could not install the packages"
cj_build_install || cj_die "build failed"

cj_tmpdir demo
cluster=$CJ_TMP/cluster
cj_say "starting a cluster in $cluster"
cj_cluster_start "$cluster" || cj_die "could not start the cluster"
cj_cluster_env "$cluster"
stop="$CJ_PG_BINDIR/pg_ctl -D $cluster/data -m fast stop"
[[ $EUID -eq 0 && $CJ_PG_OSUSER != root ]] && stop="runuser -u $CJ_PG_OSUSER -- $stop"

# With --keep the cluster outlives this script, even when a step fails, so
# the user can poke at it: say how to reach it and how to stop it.
keep_info() {
    cat <<EOF

The cluster is still running (data: $cluster/data, log: $CJ_CLUSTER_LOG).
Connect:
    psql -h $PGHOST -p $PGPORT -U postgres postgres
Stop it (and remove its files):
    $stop && rm -rf $CJ_TMP
EOF
}
# shellcheck disable=SC2317  # invoked from the trap
on_exit_keep() {
    local rc=$?
    cj_cleanup # skips the .keep dir
    ((rc == 0)) || keep_info
}
if ((keep)); then
    touch "$CJ_TMP/.keep"
    trap on_exit_keep EXIT
fi

psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION cjourney'
cj_say "loading sample data ($customers customers)"
bash data/load.sh --customers "$customers"

cj_say "running examples/demo.sql"
echo
psql -X -q -v ON_ERROR_STOP=1 -P pager=off -f examples/demo.sql

if [[ -n $report ]]; then
    echo
    cj_say "writing the journey report (scripts/journey_report.sh)"
    if written=$(scripts/journey_report.sh --title "cjourney sample data" -o "$report"); then
        cj_say "journey report: $written"
        echo "    open it in a browser; it works offline (every number is in its JSON block)"
    else
        cj_warn "could not write the journey report (see above); the analyses above are complete"
    fi
fi

if ((keep)); then
    keep_info
else
    cj_say "done; stopping the cluster (use --keep to keep it)"
fi
