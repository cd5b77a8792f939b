#!/usr/bin/env bash
# state_io.sh -- the stored state types (funnel_report, response_state,
# response_variants, attribution, path_report) survive text and binary COPY and pg_dump / pg_restore,
# binary input rejects every truncation of a valid value with 22P03, and
# mutated text literals fail only with clean errors.  Prints TAP.
set -uo pipefail
export LC_ALL=C

NAME=state
# shellcheck source=test/lib/two_databases.sh
source "${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/test/lib/two_databases.sh"

q "$SRC" >/dev/null <<'SQL' || bail "set up source tables"
CREATE EXTENSION cjourney;
CREATE TABLE states (id int, fr funnel_report, rs response_state, rv response_variants,
                     al attribution, am attribution, pr path_report);
INSERT INTO states
SELECT g % 7,
       NULL, NULL, NULL
FROM generate_series(1, 7) g;
UPDATE states s SET fr = x.fr FROM (
  SELECT g % 7 AS id,
         funnel_report_agg((ARRAY['2025-01-01'::timestamptz + g * interval '1 minute',
                                  '2025-01-01'::timestamptz + g * interval '3 minutes' + (g % 5) * interval '1 hour'])
                           [1:1 + g % 3 % 2], 3) AS fr
  FROM generate_series(1, 500) g GROUP BY 1) x WHERE x.id = s.id;
UPDATE states s SET rs = x.rs FROM (
  SELECT g % 7 AS id, response_agg(g % 3 <> 0, g % 5 = 0, (g % 11) * 1.25 + 0.1) AS rs
  FROM generate_series(1, 5000) g GROUP BY 1) x WHERE x.id = s.id;
UPDATE states s SET rv = x.rv FROM (
  SELECT g % 7 AS id, response_variants_agg((ARRAY['control', 'variant a', 'b"quoted'])[1 + g % 3], g % 4 = 0) AS rv
  FROM generate_series(1, 3000) g GROUP BY 1) x WHERE x.id = s.id;
UPDATE states s SET al = x.al, am = x.am FROM (
  SELECT g % 7 AS id,
         attribution_agg(ARRAY[(ARRAY['email', 'web', 'b"q\\'])[1 + g % 3], 'web'], g % 3, g % 2, g * 0.5, 'position_based', 'weights=0.5/0.25/0.25') AS al,
         attribution_agg(ARRAY[(ARRAY['email', 'web', 'b"q\\'])[1 + g % 3], 'web'], g % 3, g % 2, g * 0.5, 'markov') AS am
  FROM generate_series(1, 300) g GROUP BY 1) x WHERE x.id = s.id;
UPDATE states s SET pr = x.pr FROM (
  SELECT id, path_report_agg(p, CASE WHEN id % 2 = 0 THEN 'left' ELSE 'right' END) AS pr
  FROM (SELECT g % 7 AS id, g % 50 AS c,
               event_path('2025-01-01'::timestamptz + (g * 37 % 11) * interval '1 hour',
                          (ARRAY['home', 'search', 'b"q\\', 'é', 'cart'])[1 + g * 13 % 5], NULL, 'from', 4, true) AS p
        FROM generate_series(1, 2000) g GROUP BY 1, 2) per_customer
  GROUP BY id) x WHERE x.id = s.id;
INSERT INTO states VALUES (100, '1; 0', NULL, NULL, NULL, NULL, 'left |');
SQL

same_rows() { # same_rows TABLE_A TABLE_B DB: every row equal as text
    q "$3" -c "SELECT count(*) FROM $1 a FULL JOIN $2 b USING (id)
               WHERE a.fr::text IS DISTINCT FROM b.fr::text OR a.rs::text IS DISTINCT FROM b.rs::text
                  OR a.rv::text IS DISTINCT FROM b.rv::text OR a.al::text IS DISTINCT FROM b.al::text
                  OR a.am::text IS DISTINCT FROM b.am::text OR a.pr::text IS DISTINCT FROM b.pr::text"
}

q "$SRC" -c "\\copy states TO '$TMP/s.bin' (FORMAT binary)" -c "CREATE TABLE s2 (LIKE states)" \
    -c "\\copy s2 FROM '$TMP/s.bin' (FORMAT binary)" || bail "binary copy"
is "$(same_rows states s2 "$SRC")" 0 "binary COPY round trip of funnel_report, response_state, response_variants, attribution, path_report"
q "$SRC" -c "\\copy states TO '$TMP/s.txt'" -c "CREATE TABLE s3 (LIKE states)" -c "\\copy s3 FROM '$TMP/s.txt'" || bail "text copy"
is "$(same_rows states s3 "$SRC")" 0 "text COPY round trip"
is "$(q "$SRC" -c "SELECT count(*) FROM states WHERE fr::text::funnel_report::text <> fr::text OR rs::text::response_state::text <> rs::text OR rv::text::response_variants::text <> rv::text OR al::text::attribution::text <> al::text OR am::text::attribution::text <> am::text OR pr::text::path_report::text <> pr::text")" 0 "x::text::type::text = x::text"

pg_dump -Fc -d "$SRC" -f "$TMP/s.dump" || bail "pg_dump"
if out=$(pg_restore --exit-on-error -d "$DST" "$TMP/s.dump" 2>&1); then ok "pg_restore succeeds"; else not_ok "pg_restore succeeds" "$out"; fi
is "$(q "$DST" -c "COPY (SELECT * FROM states ORDER BY id) TO STDOUT" | md5sum)" \
    "$(q "$SRC" -c "COPY (SELECT * FROM states ORDER BY id) TO STDOUT" | md5sum)" "restored states print the same"

# every truncation of a valid binary value is a clean 22P03 (never a crash, never a load)
for col in fr rs rv al am pr; do
    q "$SRC" -c "\\copy (SELECT $col FROM states WHERE id = 1) TO '$TMP/$col.bin' (FORMAT binary)" || bail "export $col"
    "$PY" - "$TMP/$col.bin" "$TMP/$col" <<'PY' || bail "truncate $col"
import struct, sys
raw = open(sys.argv[1], 'rb').read()
hdr = 11 + 4 + 4
body = raw[hdr:-2]
(nf,) = struct.unpack('>h', body[:2]); (ln,) = struct.unpack('>i', body[2:6])
val = body[6:6 + ln]
for k in range(len(val)):
    v = val[:k]
    with open('%s.%d.bin' % (sys.argv[2], k), 'wb') as f:
        f.write(raw[:hdr] + struct.pack('>hi', 1, len(v)) + v + b'\xff\xff')
PY
    type=$(q "$SRC" -c "SELECT pg_typeof($col) FROM states LIMIT 1")
    q "$SRC" -c "CREATE TABLE IF NOT EXISTS t_$col (v $type)" >/dev/null
    bad=0 total=0
    for f in "$TMP/$col".*.bin; do
        total=$((total + 1))
        err=$(psql -X -q -v VERBOSITY=verbose -d "$SRC" -c "\\copy t_$col FROM '$f' (FORMAT binary)" 2>&1)
        [[ $err == *"ERROR:  22P03:"* ]] || { bad=$((bad + 1)); echo "# $f: $err" | head -3; }
    done
    if ((bad == 0 && total > 10)); then ok "binary $type: all $total truncations rejected with 22P03"; else not_ok "binary $type: $bad of $total truncations not rejected with 22P03"; fi
done

# mutated bytes of binary attribution values: clean errors, and what is
# accepted prints text that reads back to the same value
q "$SRC" -c "CREATE TABLE t_mut (v attribution)" >/dev/null
"$PY" - "$TMP/al.bin" "$TMP/am.bin" "$TMP/mut" <<'PY' || bail "mutate attribution"
import random, sys
rnd = random.Random(5)
for n, path in enumerate(sys.argv[1:3]):
    raw = open(path, 'rb').read()
    for k in range(150):
        b = bytearray(raw)
        for _ in range(rnd.randint(1, 3)):
            b[rnd.randrange(25, len(b) - 2)] = rnd.choice([0, 1, 0x7f, 0x80, 0xff, rnd.randrange(256)])
        open('%s.%d.%d.bin' % (sys.argv[3], n, k), 'wb').write(bytes(b))
PY
bad=0
for f in "$TMP"/mut.*.bin; do
    err=$(psql -X -q -v VERBOSITY=verbose -d "$SRC" -c "\\copy t_mut FROM '$f' (FORMAT binary)" 2>&1)
    [[ -z $err || $err =~ ERROR:\ \ (22P03|22P04|22023|22021|54000|22003): ]] || { bad=$((bad + 1)); echo "# $f: $err" | head -3; }
done
is "$bad:$(q "$SRC" -c "SELECT count(*) FROM t_mut WHERE v::text::attribution::text <> v::text")" "0:0" \
    "binary attribution: 300 byte mutations give clean errors or values that round-trip through text"

# mutated text literals: only clean errors, and accepted mutants round-trip
result=$(q "$SRC" <<'SQL'
CREATE FUNCTION pg_temp.mutants(seed text, n int) RETURNS SETOF text LANGUAGE plpgsql AS $f$
DECLARE i int; s text; x bigint := 12345; pos int; specials text[] := ARRAY[';', ':', ' ', '-', '9', '"', '{', '}', ',', '/', '=', 'x', '99999999999999999999', ''];
BEGIN
  FOR i IN 1 .. length(seed) LOOP RETURN NEXT left(seed, i - 1); END LOOP;
  FOR i IN 1 .. n LOOP
    x := (x * 1103515245 + 12345) % 2147483648;
    pos := 1 + x % greatest(length(seed), 1);
    s := overlay(seed PLACING specials[1 + (x / 7) % array_length(specials, 1)] FROM pos FOR ((x / 3) % 3)::int);
    RETURN NEXT s;
  END LOOP;
END $f$;
CREATE FUNCTION pg_temp.try(lit text, typ text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE ok boolean;
BEGIN
  EXECUTE format('SELECT %L::%s::text::%s::text = %L::%s::text', lit, typ, typ, lit, typ) INTO ok;
  RETURN CASE WHEN ok THEN 'ok' ELSE 'roundtrip' END;
EXCEPTION WHEN others THEN RETURN SQLSTATE;
END $f$;
SELECT string_agg(DISTINCT r, ',' ORDER BY r) FROM (
  SELECT pg_temp.try(m, 'funnel_report') r FROM pg_temp.mutants((SELECT fr::text FROM states WHERE id = 1), 1500) m
  UNION ALL SELECT pg_temp.try(m, 'response_state') FROM pg_temp.mutants((SELECT rs::text FROM states WHERE id = 1), 1500) m
  UNION ALL SELECT pg_temp.try(m, 'response_variants') FROM pg_temp.mutants((SELECT rv::text FROM states WHERE id = 1), 1500) m
  UNION ALL SELECT pg_temp.try(m, 'attribution') FROM pg_temp.mutants((SELECT al::text FROM states WHERE id = 1), 1500) m
  UNION ALL SELECT pg_temp.try(m, 'attribution') FROM pg_temp.mutants((SELECT am::text FROM states WHERE id = 1), 1500) m
  UNION ALL SELECT pg_temp.try(m, 'path_report') FROM pg_temp.mutants((SELECT pr::text FROM states WHERE id = 1), 1500) m) x;
SQL
)
unexpected=$(tr ',' '\n' <<<"$result" | grep -v -x -e ok -e 22P02 -e 54000 -e 22003 -e 22023 | tr '\n' ' ')
if [[ -n $result && -z $unexpected ]]; then ok "mutated text literals: only clean errors ($result)"; else not_ok "mutated text literals: only clean errors" "outcomes: $result"; fi
echo "1..$N"
