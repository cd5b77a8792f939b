# test/lib/two_databases.sh: set-up shared by the round-trip suites.  Source it
# with NAME set: loads scripts/lib.sh and the TAP helpers, makes a temp dir
# ($TMP), creates the databases $SRC and $DST (dropped on exit), and defines
# q DB ARGS... (psql, unaligned, stop on error).
CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CJ_LIB=${CJ_LIB:-$CJ_ROOT/scripts/lib.sh}
# shellcheck source=scripts/lib.sh
source "$CJ_LIB"
# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"
PY=${CJ_PYTHON:-/usr/bin/python3}

SRC=cj_${NAME}_src_$$
DST=cj_${NAME}_dst_$$
cj_tmpdir "$NAME" || exit 1
TMP=$CJ_TMP
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $SRC" -c "DROP DATABASE IF EXISTS $DST" >/dev/null 2>&1
    cj_cleanup
}
trap cleanup EXIT

PSQL=(psql -X -v ON_ERROR_STOP=1 -qAt)
q() {
    local db=$1
    shift
    "${PSQL[@]}" -d "$db" "$@"
}

q postgres -c "CREATE DATABASE $SRC" -c "CREATE DATABASE $DST" >/dev/null || bail "create databases"
