#!/usr/bin/env bash
# load.sh -- build the sample-data generator and (re)load the sample tables.
#
#   bash data/load.sh [--customers N] [--seed S]
#
#   --customers N   number of customers (default 100000, ~12 touches each)
#   --seed S        generator seed (default 42)
#
# Drops and recreates public.customers and public.touchpoints (data/schema.sql)
# in the database given by the libpq environment (PGHOST, PGPORT, PGUSER,
# PGDATABASE), loads them with COPY ... FROM STDIN (so the server needs no
# access to local files and may run as another OS user), indexes
# touchpoints(customer_id), runs ANALYZE and prints one summary line.
# The generator (data/gen_touchpoints.c) is compiled into data/.build/.
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit "${1:-0}"
}

die() {
    printf 'load.sh: %s\n' "$*" >&2
    exit 1
}

customers=100000
seed=42
while (($#)); do
    case $1 in
    --customers)
        [[ ${2:-} =~ ^[0-9]+$ ]] || die "--customers needs a number"
        customers=$2
        shift
        ;;
    --seed)
        [[ ${2:-} =~ ^[0-9]+$ ]] || die "--seed needs a number"
        seed=$2
        shift
        ;;
    -h | --help) usage 0 ;;
    *)
        printf 'load.sh: unknown argument: %s\n' "$1" >&2
        usage 2 >&2
        ;;
    esac
    shift
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$here/.build
gen=$build/gen_touchpoints

# Compile the generator when it is missing or older than its source.
mkdir -p "$build"
if [[ ! -x $gen || $here/gen_touchpoints.c -nt $gen ]]; then
    "${CC:-cc}" -O2 -Wall -Wextra -std=c99 -o "$gen.tmp.$$" "$here/gen_touchpoints.c" -lm ||
        die "could not compile $here/gen_touchpoints.c"
    mv -f "$gen.tmp.$$" "$gen"
fi

PSQL=(psql -X -v ON_ERROR_STOP=1 -q)
start=$(date +%s%N)

{
    echo "SET client_min_messages = warning;"
    echo "DROP TABLE IF EXISTS public.touchpoints;"
    echo "DROP TABLE IF EXISTS public.customers;"
    cat "$here/schema.sql"
} | "${PSQL[@]}"

"$gen" --customers "$customers" --seed "$seed" --table customers |
    "${PSQL[@]}" -c "COPY public.customers FROM STDIN (FORMAT csv)"
"$gen" --customers "$customers" --seed "$seed" --table touchpoints |
    "${PSQL[@]}" -c "COPY public.touchpoints FROM STDIN (FORMAT csv)"

"${PSQL[@]}" <<'SQL'
CREATE INDEX touchpoints_customer_id_idx ON public.touchpoints (customer_id);
ANALYZE public.customers;
ANALYZE public.touchpoints;
SQL

read -r ncust ntouch < <("${PSQL[@]}" -At -F ' ' -c \
    "SELECT (SELECT count(*) FROM public.customers), (SELECT count(*) FROM public.touchpoints)")
end=$(date +%s%N)
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
echo "loaded $ncust customers, $ntouch touchpoints (seed $seed) in $elapsed s"
