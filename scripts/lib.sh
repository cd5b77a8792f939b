# shellcheck shell=bash
# Shared helpers for scripts/demo.sh, scripts/test.sh and the TAP suites in
# test/suites/ (which get this file's path as $CJ_LIB).
#
# Source it; it only defines functions and a few variables:
#
#   cj_install_packages [pkg...]   apt-install what is missing (base set + args)
#   cj_build_install               make && make install (PGXS, with_llvm=no)
#   cj_tmpdir [label]              sets CJ_TMP to a fresh dir the server user
#                                  can use; removed on exit (see cj_cleanup)
#   cj_cluster_start DIR [conf..]  initdb + start a throwaway cluster in DIR on
#                                  a free port; sets CJ_PORT, leaves PG* alone
#   cj_cluster_env DIR             export PGHOST/PGPORT/PGUSER/PGDATABASE,
#                                  CJ_CLUSTER_DIR, CJ_CLUSTER_LOG for DIR
#   cj_cluster_port DIR            print DIR's port
#   cj_cluster_connstr DIR [db]    print "host=... port=... user=... dbname=..."
#   cj_psql DIR [psql args]        psql -X -v ON_ERROR_STOP=1 against DIR
#                                  without touching the current PG* env
#   cj_cluster_stop DIR            pg_ctl -m fast stop
#   cj_crash_check LOGFILE         non-zero if the log shows a backend crash
#   cj_as_server CMD...            run CMD as the server's OS user
#   cj_cleanup                     stop clusters / remove temp dirs we made
#
# Sourcing installs `trap cj_cleanup EXIT` (and INT/TERM -> exit), so every
# cluster started through cj_cluster_start is stopped when the sourcing shell
# exits, even on failure. A script that needs its own EXIT trap must call
# cj_cleanup from it.
#
# The functions do not rely on `set -e` (TAP suites usually run without it):
# each returns non-zero on failure.
#
# Environment knobs:
#   CJ_PG_VERSION (15), CJ_PG_BINDIR, CJ_PG_CONFIG   which PostgreSQL to use
#   CJ_PG_OSUSER   OS user that owns/runs clusters (postgres when run as root,
#                  else the current user: initdb refuses to run as root)
#   CJ_SKIP_BUILD=1  cj_build_install does nothing (developer convenience)
#   CJ_DESTDIR=DIR   cj_build_install stages the install in DIR and sets
#                  CJ_EXTRA_CONF so clusters load it from there (several
#                  checkouts can then be tested at once on one machine)
#   PG_CFLAGS      passed through to PGXS (CI uses -Werror)
#   CJ_PYTHON      a python3 that sees Debian's python3-scipy (/usr/bin/python3;
#                  a pyenv python3 earlier in PATH would not)
#   CJ_SERVER_ENV  extra environment (newline-separated NAME=value lines) for
#                  the servers cj_cluster_start starts, e.g. the sanitizer
#                  runtime's LD_PRELOAD and its options (test/suites/sanitizers.sh)
#   CJ_EXTRA_CONF  extra postgresql.conf lines (newline-separated) appended to
#                  every cluster cj_cluster_start creates, after its own conf
#                  lines. For developers testing a build staged with
#                  `make install DESTDIR=/tmp/stage` without installing it:
#                    extension_destdir = '/tmp/stage'
#                    dynamic_library_path = '/tmp/stage/usr/lib/postgresql/15/lib:$libdir'
#                  Unset in CI (the extension is installed system-wide).

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
CJ_LIB=${CJ_LIB:-$CJ_ROOT/scripts/lib.sh}
CJ_PG_VERSION=${CJ_PG_VERSION:-15}
CJ_PG_BINDIR=${CJ_PG_BINDIR:-/usr/lib/postgresql/$CJ_PG_VERSION/bin}
CJ_PG_CONFIG=${CJ_PG_CONFIG:-$CJ_PG_BINDIR/pg_config}
CJ_PYTHON=${CJ_PYTHON:-/usr/bin/python3}
if [[ -z ${CJ_PG_OSUSER:-} ]]; then
    if [[ $EUID -eq 0 ]]; then CJ_PG_OSUSER=postgres; else CJ_PG_OSUSER=$(id -un); fi
fi
export CJ_ROOT CJ_LIB CJ_PG_VERSION CJ_PG_BINDIR CJ_PG_CONFIG CJ_PYTHON CJ_PG_OSUSER

# Debian's /usr/bin/psql etc. are version-picking wrappers; pin the 15 tools
# (psql, pg_ctl, pg_regress's psql, pg_prove's psql) by putting them first.
case ":$PATH:" in
    *":$CJ_PG_BINDIR:"*) ;;
    *) export PATH="$CJ_PG_BINDIR:$PATH" ;;
esac

CJ_BASE_PACKAGES=(
    "postgresql-$CJ_PG_VERSION"
    "postgresql-server-dev-$CJ_PG_VERSION"  # pg_config, PGXS, server headers
    make gcc libc6-dev
)
# shellcheck disable=SC2034  # used by scripts/test.sh
CJ_TEST_PACKAGES=(
    "postgresql-$CJ_PG_VERSION-pgtap"
    libtap-parser-sourcehandler-pgtap-perl  # pg_prove
    "postgresql-$CJ_PG_VERSION-cron"
    postgresql-contrib
    python3-scipy
    clang-14 libclang-rt-14-dev  # test/suites/sanitizers.sh
    debhelper postgresql-server-dev-all dpkg-dev  # test/suites/debian_package.sh
    pgxnclient  # test/suites/pgxn.sh
    default-jdk-headless libpostgresql-jdbc-java  # test/suites/jdbc.sh
    chromium                     # test/suites/journey_report.sh
)

# Clusters and temp dirs made by this shell, for cj_cleanup.
CJ_STARTED_CLUSTERS=()
CJ_TMPDIRS=()

cj_say() { printf '==> %s\n' "$*"; }
cj_warn() { printf 'cjourney: %s\n' "$*" >&2; }
cj_die() {
    cj_warn "$*"
    exit 1
}

# Run a command as the OS user that owns the clusters. initdb and postgres
# refuse to run as root, and runuser (util-linux, always on Debian) needs no
# sudo.
cj_as_server() {
    if [[ $EUID -eq 0 && $CJ_PG_OSUSER != root ]]; then
        # absolute fallback: root's PATH may lack /usr/sbin (e.g. after plain su)
        "$(command -v runuser || echo /usr/sbin/runuser)" -u "$CJ_PG_OSUSER" -- "$@"
    else
        "$@"
    fi
}

# --- packages ----------------------------------------------------------------

cj_pkg_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# Install the base set plus any extra packages, but only what is missing, so a
# re-run on a prepared machine costs nothing and needs no network.
cj_install_packages() {
    local pkg missing=()
    for pkg in "${CJ_BASE_PACKAGES[@]}" "$@"; do
        cj_pkg_installed "$pkg" || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    if [[ $EUID -ne 0 ]]; then
        cj_warn "missing packages: ${missing[*]}"
        cj_warn "run as root, or install them first: apt-get install ${missing[*]}"
        return 1
    fi
    cj_say "installing: ${missing[*]}"
    # Wait for a concurrent apt/dpkg (e.g. unattended-upgrades on a fresh box)
    # instead of failing on the lock.
    local apt=(apt-get -q -o DPkg::Lock::Timeout=600)
    "${apt[@]}" update >/dev/null || {
        cj_warn "apt-get update failed"
        return 1
    }
    DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes "${apt[@]}" install -y --no-install-recommends \
        "${missing[@]}" >/dev/null || {
        cj_warn "apt-get install failed for: ${missing[*]}"
        return 1
    }
}

# --- build -------------------------------------------------------------------

# Build and install the extension with PGXS. with_llvm=no skips the bitcode
# (clang) step. PG_CFLAGS, if set in the environment, reaches PGXS as is.
# Output goes to CJ_BUILD_LOG (a temp file unless set) and is shown on failure.
cj_build_install() {
    if [[ ${CJ_SKIP_BUILD:-0} == 1 ]]; then
        cj_say "CJ_SKIP_BUILD=1: not building"
        return 0
    fi
    local log=${CJ_BUILD_LOG:-}
    [[ -n $log ]] || log=$(mktemp "${TMPDIR:-/tmp}/cjourney-build.XXXXXX.log")
    local mk=(make -C "$CJ_ROOT" "PG_CONFIG=$CJ_PG_CONFIG" with_llvm=no)
    cj_say "building${PG_CFLAGS:+ (PG_CFLAGS=$PG_CFLAGS)}"
    if ! "${mk[@]}" -j"$(nproc 2>/dev/null || echo 2)" >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        cj_warn "build failed (full log: $log)"
        return 1
    fi
    # CJ_DESTDIR: install into a staging tree and point every cluster this
    # shell starts at it (Debian's extension_destdir), so several checkouts
    # can be tested at once without overwriting each other's installed files.
    [[ -z ${CJ_DESTDIR:-} ]] || mk+=("DESTDIR=$CJ_DESTDIR")
    if ! "${mk[@]}" install >>"$log" 2>&1; then
        tail -n 30 "$log" >&2
        cj_warn "make install failed (full log: $log)"
        [[ $EUID -eq 0 ]] || cj_warn "make install writes to the PostgreSQL tree: run as root"
        return 1
    fi
    [[ -z ${CJ_DESTDIR:-} ]] || cj_use_destdir "$CJ_DESTDIR"
    [[ -n ${CJ_BUILD_LOG:-} ]] || rm -f "$log"
}

# Make clusters started from now on load cjourney from the staging tree DIR
# (a `make install DESTDIR=DIR`), ahead of any system-wide install.
cj_use_destdir() {
    local dir=${1:?cj_use_destdir DIR}
    local libdir
    libdir=$("$CJ_PG_CONFIG" --pkglibdir)
    chmod -R a+rX "$dir" 2>/dev/null || true
    CJ_EXTRA_CONF="extension_destdir = '$dir'
dynamic_library_path = '$dir$libdir:\$libdir'${CJ_EXTRA_CONF:+
$CJ_EXTRA_CONF}"
    export CJ_EXTRA_CONF
}

# --- temp dirs & clusters ----------------------------------------------------

# Make a fresh temp dir the server user can use and remember it for cleanup.
# Sets CJ_TMP (not printed: a $(...) subshell could not register it).
cj_tmpdir() {
    local label=${1:-run}
    CJ_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cjourney-$label.XXXXXX") || return 1
    # mktemp makes it 0700 root; the server user must traverse and write it.
    chmod 0755 "$CJ_TMP" && chown "$CJ_PG_OSUSER" "$CJ_TMP" || return 1
    echo "$$" >"$CJ_TMP/.owner"
    CJ_TMPDIRS+=("$CJ_TMP")
}

cj_cluster_port() {
    [[ -r $1/port ]] || {
        cj_warn "no cluster in $1"
        return 1
    }
    cat "$1/port"
}

# Is something listening on 127.0.0.1:$1? bash's /dev/tcp needs no extra tools.
cj_port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# cj_cluster_start DIR [postgresql.conf lines...]
# Creates DIR (data in DIR/data, socket in DIR, log in DIR/server.log, port in
# DIR/port), starts the server on a free port and sets CJ_PORT. The current
# PG* environment is left alone so several clusters can run at once; use
# cj_cluster_env or cj_psql to talk to one. If DIR already holds a cluster
# (stopped), it is restarted as is and the conf lines are not applied again.
cj_cluster_start() {
    local dir=${1:?cj_cluster_start DIR [conf lines...]}
    shift
    mkdir -p "$dir" || return 1
    dir=$(cd "$dir" && pwd) || return 1
    chown "$CJ_PG_OSUSER" "$dir" 2>/dev/null || true
    if ! cj_as_server test -w "$dir" -a -x "$dir"; then
        cj_warn "user $CJ_PG_OSUSER cannot use $dir (a parent not traversable?);" \
            "put clusters under a cj_tmpdir"
        return 1
    fi
    # Unix socket paths are limited to 107 bytes.
    if ((${#dir} > 80)); then
        cj_warn "cluster dir path too long for a unix socket: $dir"
        return 1
    fi
    local data=$dir/data log=$dir/server.log
    if [[ ! -f $data/PG_VERSION ]]; then
        if ! (cd "$dir" && cj_as_server "$CJ_PG_BINDIR/initdb" -D "$data" \
            -A trust -U postgres --no-sync -E UTF8 --locale=C) >"$dir/initdb.log" 2>&1; then
            cat "$dir/initdb.log" >&2
            cj_warn "initdb failed in $dir"
            return 1
        fi
        {
            echo "# --- cjourney throwaway cluster ---"
            echo "listen_addresses = '127.0.0.1'"
            echo "unix_socket_directories = '$dir'"
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
            echo "max_worker_processes = 16"
            echo "max_parallel_workers = 8"
            local line
            for line in "$@"; do echo "$line"; done
            [[ -z ${CJ_EXTRA_CONF:-} ]] || printf '%s\n' "$CJ_EXTRA_CONF"
            # port last, so retries below can rewrite it in place
            echo "port = 0"
        } | cj_as_server tee -a "$data/postgresql.conf" >/dev/null || return 1
    fi

    local attempt port before server_env=()
    [[ -z ${CJ_SERVER_ENV:-} ]] || mapfile -t server_env <<<"$CJ_SERVER_ENV"
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    for attempt in $(seq 1 25); do
        port=$((port + 1))
        ((port > 60000)) && port=20000
        cj_port_in_use "$port" && continue
        cj_as_server sed -i "s/^port = [0-9]*$/port = $port/" "$data/postgresql.conf" || return 1
        before=0
        [[ -f $log ]] && before=$(stat -c %s "$log")
        if (cd "$dir" && cj_as_server env "${server_env[@]}" "$CJ_PG_BINDIR/pg_ctl" -D "$data" \
            -l "$log" -w -t 120 start) >/dev/null 2>&1; then
            echo "$port" >"$dir/port"
            CJ_PORT=$port
            CJ_STARTED_CLUSTERS+=("$dir")
            return 0
        fi
        # Lost a race for the port: try another. Anything else is fatal.
        if tail -c +"$((before + 1))" "$log" 2>/dev/null |
            grep -qE 'could not bind|Address already in use|could not create any TCP/IP sockets'; then
            continue
        fi
        tail -c +"$((before + 1))" "$log" | tail -n 30 >&2
        cj_warn "server in $dir did not start (log: $log); attempt $attempt"
        return 1
    done
    cj_warn "no free port found for $dir"
    return 1
}

# Point libpq (psql, pg_regress, pg_prove, data/load.sh) at the cluster in DIR.
cj_cluster_env() {
    local dir
    dir=$(cd "${1:?cj_cluster_env DIR}" && pwd) || return 1
    CJ_PORT=$(cj_cluster_port "$dir") || return 1
    export PGHOST=$dir PGPORT=$CJ_PORT PGUSER=postgres PGDATABASE=postgres
    export CJ_PORT CJ_CLUSTER_DIR=$dir CJ_CLUSTER_LOG=$dir/server.log
}

# cj_cluster_connstr DIR [dbname] -> libpq keyword string, e.g. for a
# postgres_fdw server: host=DIR port=N user=postgres dbname=postgres
cj_cluster_connstr() {
    local port
    port=$(cj_cluster_port "$1") || return 1
    printf 'host=%s port=%s user=postgres dbname=%s\n' "$1" "$port" "${2:-postgres}"
}

# psql against DIR without touching the caller's PG* variables. -d overrides
# the default database.
cj_psql() {
    local dir=${1:?cj_psql DIR [psql args...]} port
    shift
    port=$(cj_cluster_port "$dir") || return 1
    PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres \
        psql -X -v ON_ERROR_STOP=1 "$@"
}

cj_cluster_stop() {
    local dir=${1:?cj_cluster_stop DIR} d remaining=()
    [[ -f $dir/data/postmaster.pid ]] || return 0
    cj_as_server "$CJ_PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
        cj_as_server "$CJ_PG_BINDIR/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 ||
        {
            cj_warn "could not stop the cluster in $dir"
            return 1
        }
    for d in "${CJ_STARTED_CLUSTERS[@]}"; do
        [[ $d == "$dir" ]] || remaining+=("$d")
    done
    CJ_STARTED_CLUSTERS=("${remaining[@]}")
}

# Stop every running cluster below DIR: catches clusters a TAP suite started
# and could not stop itself (e.g. killed by a timeout).
cj_stop_clusters_under() {
    local pidfile
    [[ -d $1 ]] || return 0
    while IFS= read -r pidfile; do
        cj_cluster_stop "${pidfile%/data/postmaster.pid}" || true
    done < <(find "$1" -path '*/data/postmaster.pid' 2>/dev/null)
}

# Non-zero (and the evidence on stderr) if a backend crashed.
cj_crash_check() {
    local log=${1:?cj_crash_check LOGFILE}
    [[ -f $log ]] || return 0
    if grep -E 'terminated by signal|was terminated' "$log" >&2; then
        cj_warn "server crash recorded in $log"
        return 1
    fi
    return 0
}

# Stop our clusters and remove our temp dirs. With CJ_KEEP_LOGS=1 the temp dirs
# stay (minus the data directories) so logs can be read after a failure; a dir
# holding a .keep file (demo --keep) is left entirely alone.
cj_cleanup() {
    local d
    for d in "${CJ_STARTED_CLUSTERS[@]}"; do
        [[ -f ${d%/*}/.keep || -f $d/.keep ]] && continue
        cj_cluster_stop "$d" || true
    done
    for d in "${CJ_TMPDIRS[@]}"; do
        [[ -d $d && ! -f $d/.keep ]] || continue
        cj_stop_clusters_under "$d"
        if [[ ${CJ_KEEP_LOGS:-0} == 1 ]]; then
            rm -f "$d/.owner" # nothing runs there any more: not for cj_reap_stale
            find "$d" -path '*/data/PG_VERSION' -printf '%h\0' 2>/dev/null |
                xargs -0 -r rm -rf
        else
            rm -rf "$d"
        fi
    done
    CJ_STARTED_CLUSTERS=()
    CJ_TMPDIRS=()
}

# Earlier runs killed with SIGKILL (so no trap ran) leave clusters running in
# their temp dirs. Stop and remove those whose owning process is gone.
cj_reap_stale() {
    local d pid
    for d in "${TMPDIR:-/tmp}"/cjourney-*; do
        [[ -d $d && -f $d/.owner && ! -f $d/.keep ]] || continue
        pid=$(<"$d/.owner")
        [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && continue
        cj_stop_clusters_under "$d"
        rm -rf "$d"
    done
}

trap cj_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
