# test/lib/sample_db.sh: set-up shared by the suites that compare cjourney
# with a Python reference.  Source it after test/lib/tap.sh with
#   SAMPLE_NAME      a short name for the database (cj_<name>_<pid>)
#   SAMPLE_CUSTOMERS how many sample customers to load
#   SAMPLE_MODULES   the Python modules the reference imports ("scipy numpy")
# It creates a database of its own (dropped on exit) with cjourney and the
# sample data, checks $CJ_PYTHON, prints one TAP line, and sets DB, PY, PSQL.

PY=${CJ_PYTHON:-/usr/bin/python3}
DB=cj_${SAMPLE_NAME}_$$
PSQL=(psql -X -v ON_ERROR_STOP=1 -qAt)

sample_db_cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1; }
trap sample_db_cleanup EXIT

if ! "${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null; then
    bail "create database $DB"
fi
if ! "${PSQL[@]}" -d "$DB" -c "CREATE EXTENSION cjourney" >/dev/null; then
    bail "CREATE EXTENSION cjourney"
fi
if ! "$PY" -c "import ${SAMPLE_MODULES// /, }" 2>/dev/null; then
    bail "$PY has $SAMPLE_MODULES" "set CJ_PYTHON to a python3 with them (Debian: python3-scipy)"
fi
if ! load_err=$(PGDATABASE=$DB bash "$CJ_ROOT/data/load.sh" --customers "$SAMPLE_CUSTOMERS" 2>&1); then
    bail "load the sample data" "$load_err"
fi
ok "sample data loaded ($SAMPLE_CUSTOMERS customers)"
