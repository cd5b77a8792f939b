#!/usr/bin/env bash
# stage_time_io.sh -- stage_time values survive binary and text COPY and
# pg_dump / pg_restore into a database with a different OID layout, and
# binary input is as strict as text input.  Prints TAP.
set -uo pipefail
export LC_ALL=C

NAME=st
# shellcheck source=test/lib/two_databases.sh
source "${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/test/lib/two_databases.sh"

# source values: default and custom stage lists, ties, sub-second, wide spans
q "$SRC" >/dev/null <<'SQL' || bail "set up source table"
CREATE EXTENSION cjourney;
CREATE TYPE support_stage AS ENUM ('open', 'pending', 'solved');
ALTER TYPE support_stage ADD VALUE 'triage' BEFORE 'pending';
CREATE TABLE raw (id int, t timestamptz, s stage, ss support_stage);
INSERT INTO raw
SELECT g % 40, '2025-01-01'::timestamptz + (g * 7919 % 100000) * interval '37 seconds' + (g % 3) * interval '1 millisecond',
       (enum_range(NULL::stage))[1 + g * 31 % 5], (enum_range(NULL::support_stage))[1 + g * 17 % 4]
FROM generate_series(1, 4000) g;
CREATE TABLE st (id int, a stage_time, b stage_time);
INSERT INTO st SELECT id, stage_time_agg(t, s), stage_time_agg(t, ss) FROM raw GROUP BY id;
INSERT INTO st VALUES (100, '{}', '[open<triage<pending<solved] {}'),
  (101, '{0001-01-01T00:00:00Z awareness; 9999-12-31T23:59:59.999999Z advocacy}', NULL);
CREATE INDEX ON st (a);
SQL

# binary and text COPY round trips
q "$SRC" -c "\\copy st TO '$TMP/st.bin' (FORMAT binary)" || bail "copy out binary"
q "$SRC" -c "CREATE TABLE st2 (LIKE st)" -c "\\copy st2 FROM '$TMP/st.bin' (FORMAT binary)" || bail "copy in binary"
is "$(q "$SRC" -c "SELECT count(*) FROM st JOIN st2 USING (id) WHERE st.a IS NOT DISTINCT FROM st2.a AND st.b IS NOT DISTINCT FROM st2.b")" \
    "$(q "$SRC" -c "SELECT count(*) FROM st")" "binary COPY round trip keeps every value"
q "$SRC" -c "\\copy st TO '$TMP/st.txt'" -c "CREATE TABLE st3 (LIKE st)" -c "\\copy st3 FROM '$TMP/st.txt'" || bail "copy text"
is "$(q "$SRC" -c "SELECT count(*) FROM st JOIN st3 USING (id) WHERE st.a IS NOT DISTINCT FROM st3.a AND st.b IS NOT DISTINCT FROM st3.b")" \
    "$(q "$SRC" -c "SELECT count(*) FROM st")" "text COPY round trip keeps every value"
is "$(q "$SRC" -c "SELECT count(*) FROM st WHERE a::text::stage_time <> a OR b::text::stage_time <> b")" 0 "x::text::stage_time = x"

# dump and restore into a database with other OIDs
q "$DST" -c "CREATE TYPE unrelated1 AS ENUM ('x', 'y')" -c "CREATE TYPE unrelated2 AS ENUM ('p')" \
    -c "CREATE TABLE filler (v int)" >/dev/null || bail "prepare destination"
pg_dump -Fc -d "$SRC" -f "$TMP/src.dump" || bail "pg_dump"
if out=$(pg_restore --exit-on-error -d "$DST" "$TMP/src.dump" 2>&1); then ok "pg_restore succeeds"; else not_ok "pg_restore succeeds" "$out"; fi
is "$(q "$DST" -c "COPY (SELECT * FROM st ORDER BY id) TO STDOUT" | md5sum)" \
    "$(q "$SRC" -c "COPY (SELECT * FROM st ORDER BY id) TO STDOUT" | md5sum)" "restored values print the same"
ne_oids=$(q "$DST" -c "SELECT oid FROM pg_enum WHERE enumtypid = 'support_stage'::regtype AND enumlabel = 'pending'" )
src_oids=$(q "$SRC" -c "SELECT oid FROM pg_enum WHERE enumtypid = 'support_stage'::regtype AND enumlabel = 'pending'")
if [[ $ne_oids != "$src_oids" ]]; then ok "the enum's OIDs differ after restore"; else not_ok "the enum's OIDs differ after restore"; fi
is "$(q "$DST" -c "SELECT count(*) FROM st s JOIN (SELECT id, stage_time_agg(t, s) a, stage_time_agg(t, ss) b FROM raw GROUP BY id) r USING (id) WHERE s.a <> r.a OR s.b <> r.b")" \
    0 "restored states equal states rebuilt from the restored rows"
is "$(q "$DST" -c "SELECT string_agg(DISTINCT current_stage(b), ',' ORDER BY current_stage(b)) FROM st WHERE b IS NOT NULL AND current_stage(b) IS NOT NULL")" \
    "$(q "$SRC" -c "SELECT string_agg(DISTINCT current_stage(b), ',' ORDER BY current_stage(b)) FROM st WHERE b IS NOT NULL AND current_stage(b) IS NOT NULL")" \
    "custom stage labels survive"
is "$(q "$DST" -c "SELECT count(*) FROM st s, unnest(enum_range(NULL::support_stage)) g WHERE b IS NOT NULL AND duration_in(s.b, g) <> (SELECT duration_in(x.b, g) FROM st x WHERE x.id = s.id)")" \
    0 "durations by the restored enum"

# binary input is strict: wire format of journey, without labels or values
"$PY" - "$TMP" <<'PY' || bail "write malformed files"
import struct, sys
tmp = sys.argv[1]
L = lambda b: struct.pack('>i', len(b)) + b
STAGES = [b'awareness', b'consideration', b'decision', b'retention', b'advocacy']
def value(labels=(), touches=((0, 0, 0, -1, -1, -1),), values=()):
    v = bytes([1, 0]) + struct.pack('>i', len(STAGES)) + b''.join(L(s) for s in STAGES)
    v += struct.pack('>i', len(labels)) + b''.join(L(l) for l in labels)
    v += struct.pack('>i', len(touches)) + b''.join(struct.pack('>qqiiii', *t) for t in touches)
    v += struct.pack('>i', len(values)) + b''.join(L(x) for x in values)
    return v
def copyfile(name, v):
    with open(f'{tmp}/{name}.bin', 'wb') as f:
        f.write(b'PGCOPY\n\xff\r\n\0' + bytes(8) + struct.pack('>hi', 1, len(v)) + v + struct.pack('>h', -1))
copyfile('ok', value(touches=((86400000000, 0, 2, -1, -1, -1), (0, 0, 0, -1, -1, -1))))
copyfile('label', value(labels=(b'web',), touches=((0, 0, 0, 0, -1, -1),)))
copyfile('value', value(touches=((0, 0, 0, -1, -1, 0),), values=(struct.pack('>hhhh', 0, 0, 0, 0),)))
copyfile('mask', value(touches=((0, 1, 0, -1, -1, -1),)))
copyfile('stage', value(touches=((0, 0, 5, -1, -1, -1),)))
copyfile('truncated', value()[:-3])
PY
q "$SRC" -c "CREATE TABLE inp (v stage_time)" >/dev/null
if q "$SRC" -c "\\copy inp FROM '$TMP/ok.bin' (FORMAT binary)" >/dev/null 2>&1 &&
    [[ $(q "$SRC" -c "SELECT v = '{2000-01-01T00:00:00Z awareness; 2000-01-02T00:00:00Z decision}' FROM inp") == t ]]; then
    ok "valid binary value (out of time order) loads and equals its text form"
else
    not_ok "valid binary value (out of time order) loads and equals its text form"
fi
for case in label value mask stage truncated; do
    err=$(psql -X -q -v VERBOSITY=verbose -d "$SRC" -c "\\copy inp FROM '$TMP/$case.bin' (FORMAT binary)" 2>&1)
    if [[ $err == *"ERROR:  22P03:"* ]]; then ok "binary input rejects: $case (22P03)"; else not_ok "binary input rejects: $case (22P03)" "$err"; fi
done
echo "1..$N"
