#!/usr/bin/env bash
# binary_io.sh -- binary send/recv of journey and touchpoint. Prints TAP.
#
#  (a) round trips: a table of varied values (default, custom, 255-stage and
#      oddly labelled stage lists; the empty journey; labels that need
#      quoting; sub-second and extreme times; numeric scales; > 255 distinct
#      labels; a 5000-touch journey) goes through COPY binary, text and csv,
#      and a binary COPY under client_encoding LATIN1; every copy must equal
#      the source with = and as text.
#  (b) strictness: hand-made binary COPY files (Debian's python3 writes them)
#      with malformed values must fail with 22P03 (22008 for a time out of
#      range, 54000 for a count or label over a documented limit) -- never
#      load, never crash. Valid hand-made values (touches out
#      of order, custom stage lists) must load and equal their text form.
#
# Run by scripts/test.sh with a throwaway cluster's PG* environment; works
# against any server with cjourney installed. Creates and drops its own
# database.
set -uo pipefail
export LC_ALL=C

CJ_ROOT=${CJ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CJ_LIB=${CJ_LIB:-$CJ_ROOT/scripts/lib.sh}
# shellcheck source=scripts/lib.sh
source "$CJ_LIB" # PG15 tools first in PATH, cj_tmpdir, cj_cleanup
PY=/usr/bin/python3

DB=cj_binary_io_$$
cj_tmpdir binary_io || exit 1
TMP=$CJ_TMP
LOG_START=0
[[ -n ${CJ_CLUSTER_LOG:-} && -f ${CJ_CLUSTER_LOG:-} ]] && LOG_START=$(stat -c %s "$CJ_CLUSTER_LOG")

cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
    cj_cleanup
}
trap cleanup EXIT

# shellcheck source=test/lib/tap.sh
source "$CJ_ROOT/test/lib/tap.sh"

PSQL=(psql -X -v ON_ERROR_STOP=1 -qAt)
q() { "${PSQL[@]}" -d "$DB" "$@"; }

# --- setup ---------------------------------------------------------------------

if ! "${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null; then
    not_ok "create database $DB"
    echo "1..$N"
    exit 1
fi

# The source table: one row per kind of value.
if setup_err=$(q 2>&1 >/dev/null <<'SQL'
CREATE EXTENSION cjourney;
CREATE TYPE sales_stage AS ENUM ('lead', 'mql', 'sql', 'opportunity', 'customer');
CREATE TYPE odd_stage AS ENUM ('a b', 'x<y', 'q"uote', 'NULL', 'back\slash', 'semi;colon',
    '{br}', 'é✓', ']', 'tab	in');
DO $$ BEGIN
    EXECUTE (SELECT 'CREATE TYPE wide_stage AS ENUM ('
        || string_agg(quote_literal('s' || lpad(i::text, 3, '0')), ', ' ORDER BY i) || ')'
        FROM generate_series(1, 255) i);
    EXECUTE format('CREATE TYPE long_stage AS ENUM (%L, %L)', repeat('L', 63), 'short');
END $$;

CREATE TABLE src (id int PRIMARY KEY, note text, j journey, t touchpoint);
CREATE TABLE dst_bin (LIKE src);
CREATE TABLE dst_text (LIKE src);
CREATE TABLE dst_csv (LIKE src);
CREATE TABLE dst_latin1 (LIKE src);

INSERT INTO src VALUES
 (1, 'empty journey', '{}', '2025-03-01T09:00:00Z awareness web NULL'),
 (2, 'NULLs', NULL, NULL),
 (3, 'default stages, out-of-order text input, offsets',
  '{2025-03-01T09:00:00Z decision store purchase 129.90; 2025-02-27T10:00:00+02:00 awareness web ad_click; 2025-02-28T00:00:00-05:30 consideration NULL NULL}',
  '2025-03-01T09:00:00Z decision store purchase 129.90'),
 (4, 'explicit default stage list normalises', '[awareness<consideration<decision<retention<advocacy] {}',
  '[awareness<consideration<decision<retention<advocacy] 2025-03-01T09:00:00Z advocacy NULL NULL'),
 (5, 'custom stage list via text', '[lead<mql<sql<opportunity<customer] {}',
  '[lead<mql<sql<opportunity<customer] 2025-03-01T09:00:00Z customer crm won 5000'),
 (6, 'identical touches are kept',
  '{2025-03-01T09:00:00Z decision a NULL; 2025-03-01T09:00:00Z decision a NULL; 2025-03-01T09:00:00Z decision a NULL 1}',
  NULL),
 (7, 'one-stage list', '[only] {2025-03-01T09:00:00Z only x y}', '[only] 2025-03-01T09:00:00Z only x y');

-- labels that need quoting, as channel and event, in journeys and touchpoints
INSERT INTO src
SELECT 100 + i, 'label ' || i,
       journey_agg(ts, 'awareness'::stage, l, reverse(l)) OVER (ORDER BY i),
       touchpoint(ts, 'decision'::stage, l, CASE WHEN octet_length(l) < 1024 THEN l || 'x' ELSE l END, i)
FROM unnest(ARRAY['a b', 'x"y', 'back\slash', 'semi;colon', '{brace}', '}', '{', '[bracket]',
                  ']', '[', 'lt<', '<', '', 'NULL', 'null', 'nUlL', 'NULLx', E'tab\there',
                  E'new\nline', E'cr\rlf', 'café', '✓ check', ' leading', 'trailing ', '"', '\',
                  '\"', '""', 'plain', '2025-03-01T09:00:00Z', '129.90', '-', 'Ω≈ç√',
                  repeat('y', 1024), repeat('é', 512)])
     WITH ORDINALITY AS u(l, i),
     LATERAL (SELECT '2025-03-01 09:00:00+00'::timestamptz + i * interval '1 minute' AS ts) x;

-- times: sub-second units, extremes, wide deltas
INSERT INTO src VALUES
 (200, 'microseconds', '{2025-03-01T09:00:00.000001Z awareness web NULL; 2025-03-01T09:00:00.5Z consideration web NULL; 2025-03-01T09:00:00.123456Z decision web NULL}',
  '2025-03-01T09:00:00.000001Z awareness web NULL'),
 (201, 'milliseconds', '{2025-03-01T09:00:00.001Z awareness web NULL; 2025-03-01T09:00:00.999Z consideration web NULL}',
  '2025-03-01T09:00:00.999Z awareness web NULL'),
 (202, 'extremes (wide microsecond deltas)',
  '{0001-01-01T00:00:00Z awareness web NULL; 9999-12-31T23:59:59.999999Z advocacy web NULL}',
  '9999-12-31T23:59:59.999999Z advocacy web NULL'),
 (203, 'extremes in seconds (wide deltas)',
  '{0001-01-01T00:00:00Z awareness web NULL; 9999-12-31T23:59:59Z advocacy web NULL}',
  '0001-01-01T00:00:00Z awareness web NULL'),
 (204, 'before 2000 and offsets', '{1970-01-01T00:00:00+14:00 awareness web NULL; 1999-12-31T23:59:59.999999-12:00 decision web NULL}',
  '1900-02-28T12:00:00+01:00 awareness web NULL');

-- numeric values: scales, signs, sizes
INSERT INTO src
SELECT 300 + i, 'value ' || v,
       ('{2025-03-01T09:00:00Z decision store purchase ' || v || '; 2025-03-02T09:00:00Z retention store renew ' || v || '}')::journey,
       touchpoint('2025-03-01 09:00+00', 'decision'::stage, 'store', 'purchase', v::numeric)
FROM unnest(ARRAY['1', '1.0', '1.00', '0', '0.000', '-0.5', '-42.50', '129.90',
                  '123456789012345678901234567890.123456789012345678901234567890',
                  '1e100', '-1e-20', '0.000000000000000000001', '9223372036854775807',
                  '-99999999999999999999999999999999999999'])
     WITH ORDINALITY AS u(v, i);

-- custom enums: sales_stage, odd labels, 255 stages, a 63-byte stage label
INSERT INTO src
SELECT 400, 'sales_stage journey',
       (SELECT journey_agg(touchpoint('2025-01-01'::timestamptz + i * interval '1 day', s, 'ch' || (i % 3), 'ev', i * 1.5))
        FROM unnest(enum_range(NULL::sales_stage)) WITH ORDINALITY AS u(s, i)),
       touchpoint('2025-03-01 09:00+00', 'mql'::sales_stage, 'web', NULL, 10.00);
INSERT INTO src
SELECT 401, 'odd stage labels', journey_agg(ts, s, 'c', NULL), touchpoint(max(ts), max(s), 'c', 'e')
FROM unnest(enum_range(NULL::odd_stage)) WITH ORDINALITY AS u(s, i),
     LATERAL (SELECT '2025-01-01'::timestamptz + i * interval '1 hour' AS ts) x;
INSERT INTO src
SELECT 402, '255 stages', journey_agg(ts, s, 'c' || (i % 5), NULL), touchpoint(max(ts), max(s), NULL, NULL)
FROM unnest(enum_range(NULL::wide_stage)) WITH ORDINALITY AS u(s, i),
     LATERAL (SELECT '2025-01-01'::timestamptz + i * interval '1 second' AS ts) x;
INSERT INTO src
SELECT 403, '63-byte stage label', journey_agg(ts, s, 'c', NULL), touchpoint(max(ts), min(s), 'c', NULL)
FROM unnest(enum_range(NULL::long_stage)) WITH ORDINALITY AS u(s, i),
     LATERAL (SELECT '2025-01-01'::timestamptz + i * interval '1 second' AS ts) x;

-- more than 255 distinct labels (two-byte label ids): 300 touches, 600 labels
INSERT INTO src
SELECT 500, '600 labels',
       journey_agg('2025-01-01'::timestamptz + i * interval '1 second', (enum_range(NULL::stage))[1 + i % 5],
                   'c' || i, 'e' || i),
       NULL
FROM generate_series(1, 300) i;

-- 5000 touches with values on every third
INSERT INTO src
SELECT 600, '5000 touches',
       journey_agg(touchpoint('2024-06-01'::timestamptz + i * interval '1.5 seconds',
                              (enum_range(NULL::stage))[1 + i % 5], 'ch' || (i % 7),
                              CASE WHEN i % 4 = 0 THEN NULL ELSE 'ev' || (i % 11) END,
                              CASE WHEN i % 3 = 0 THEN i * 0.01 END)),
       NULL
FROM generate_series(1, 5000) i;
SQL
); then
    ok "setup: source table with $(q -c 'SELECT count(*) FROM src') rows"
else
    not_ok "setup: source table" "$setup_err"
    echo "1..$N"
    exit 1
fi

# --- (a) round trips -------------------------------------------------------------

is "$(q -c "SELECT journey_length(j) FROM src WHERE id = 600")|$(q -c "SELECT cardinality(journey_stage_list(j)) FROM src WHERE id = 402")" \
    "5000|255" "source holds a 5000-touch journey and a 255-stage list"

# mismatches TABLE: rows of src and TABLE that differ by =, by text, or by bytes
mismatches() {
    q -c "SELECT coalesce(string_agg(coalesce(s.id, d.id)::text, ',' ORDER BY coalesce(s.id, d.id)), '')
          FROM src s FULL JOIN $1 d USING (id)
          WHERE s.id IS NULL OR d.id IS NULL
             OR (s.j IS NULL) <> (d.j IS NULL) OR (s.t IS NULL) <> (d.t IS NULL)
             OR NOT (s.j = d.j) OR NOT (s.t = d.t) OR s.j <> d.j OR s.t <> d.t
             OR s.j::text <> d.j::text OR s.t::text <> d.t::text
             OR journey_send(s.j) <> journey_send(d.j)
             OR touchpoint_send(s.t) <> touchpoint_send(d.t)
             OR s.note IS DISTINCT FROM d.note"
}

# roundtrip NAME TABLE COPY-OPTIONS [env...]
roundtrip() {
    local name=$1 table=$2 opts=$3 file=$TMP/$1.out err
    shift 3
    if err=$(env "$@" psql -X -v ON_ERROR_STOP=1 -qAt -d "$DB" \
        -c "\\copy src TO '$file' $opts" 2>&1); then
        ok "$name: COPY TO file"
    else
        not_ok "$name: COPY TO file" "$err"
    fi
    if err=$(env "$@" psql -X -v ON_ERROR_STOP=1 -qAt -d "$DB" \
        -c "\\copy $table FROM '$file' $opts" 2>&1); then
        ok "$name: COPY FROM file"
    else
        not_ok "$name: COPY FROM file" "$err"
    fi
    is "$(q -c "SELECT count(*) FROM $table")" "$(q -c 'SELECT count(*) FROM src')" "$name: row count"
    is "$(mismatches "$table")" "" "$name: every row equal (=, text, send bytes, NULLs)"
}

roundtrip binary dst_bin "(FORMAT binary)"
roundtrip text dst_text ""
roundtrip csv dst_csv "(FORMAT csv, HEADER true)"

# a second binary export is byte-identical (send output is canonical)
if q -c "\\copy (SELECT * FROM src ORDER BY id) TO '$TMP/a.bin' (FORMAT binary)" &&
    q -c "\\copy (SELECT * FROM dst_bin ORDER BY id) TO '$TMP/b.bin' (FORMAT binary)" &&
    cmp -s "$TMP/a.bin" "$TMP/b.bin"; then
    ok "binary re-export of the copy is byte-identical to the source's"
else
    not_ok "binary re-export of the copy is byte-identical to the source's"
fi

# COPY TO STDOUT text of every copy equals the source's
src_text=$(q -c "COPY (SELECT * FROM src ORDER BY id) TO STDOUT")
for t in dst_bin dst_text dst_csv; do
    if [[ $(q -c "COPY (SELECT * FROM $t ORDER BY id) TO STDOUT") == "$src_text" ]]; then
        ok "COPY TO STDOUT of $t equals the source's"
    else
        not_ok "COPY TO STDOUT of $t equals the source's"
    fi
done

# the numeric scale survives: 1, 1.0 and 1.00 stay distinct values
is "$(q -c "SELECT string_agg(touchpoint_value(t)::text, ' ' ORDER BY id) || '|' ||
             count(DISTINCT t) || '|' || count(DISTINCT j)
            FROM dst_bin WHERE note IN ('value 1', 'value 1.0', 'value 1.00')")" \
    "1 1.0 1.00|3|3" "binary copy keeps numeric scale (1, 1.0, 1.00 distinct)"
is "$(q -c "SELECT journey_length(j) || '|' || journey_length(j::text::journey) FROM dst_bin WHERE id = 600")" \
    "5000|5000" "binary copy of the 5000-touch journey has 5000 touches"
is "$(q -c "SELECT journey_stage_list(j)::text FROM dst_bin WHERE id = 401")" \
    "$(q -c "SELECT enum_range(NULL::odd_stage)::text")" "binary copy keeps odd stage labels in enum order"

# client_encoding LATIN1: send converts labels to the client encoding, recv back
latin_where="coalesce(j::text, '') || coalesce(t::text, '') !~ '[^\\u0001-\\u00ff]'"
if PGCLIENTENCODING=LATIN1 q -c "\\copy (SELECT * FROM src WHERE $latin_where) TO '$TMP/latin1.bin' (FORMAT binary)" &&
    PGCLIENTENCODING=LATIN1 q -c "\\copy dst_latin1 FROM '$TMP/latin1.bin' (FORMAT binary)"; then
    ok "LATIN1 client: binary COPY out and in"
else
    not_ok "LATIN1 client: binary COPY out and in"
fi
is "$(q -c "SELECT count(*) FROM src s JOIN dst_latin1 d USING (id)
            WHERE s.j IS NOT DISTINCT FROM d.j AND s.t IS NOT DISTINCT FROM d.t
              AND s.j::text IS NOT DISTINCT FROM d.j::text AND s.t::text IS NOT DISTINCT FROM d.t::text")|$(
    q -c "SELECT count(*) FROM dst_latin1 WHERE j::text ~ 'café'")" \
    "$(q -c "SELECT count(*) FROM src WHERE $latin_where")|1" \
    "LATIN1 client: every row equal, including a label with é"
# the bytes on the wire really were LATIN1 ('café' is 4 bytes there, not 5)
if grep -qa $'caf\xe9' "$TMP/latin1.bin" && ! grep -qa $'caf\xc3\xa9' "$TMP/latin1.bin"; then
    ok "LATIN1 client: labels were converted on the wire"
else
    not_ok "LATIN1 client: labels were converted on the wire"
fi
err=$(PGCLIENTENCODING=LATIN1 psql -X -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -qAt -d "$DB" \
    -c "\\copy (SELECT t FROM src WHERE note = 'label 22') TO '$TMP/latin1_bad.bin' (FORMAT binary)" 2>&1)
is "$(sed -n 's/.*ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' <<<"$err" | head -1)" "22P05" \
    "LATIN1 client: a label with ✓ cannot be sent (22P05)"

# --- (b) strictness ----------------------------------------------------------------

cat >"$TMP/gen.py" <<'PYEOF'
"""Write binary COPY files of malformed (and a few valid) journey/touchpoint
values to OUTDIR, plus OUTDIR/manifest: file, table, accepted SQLSTATEs, what."""
import datetime
import os
import struct
import sys

outdir = sys.argv[1]
DEFAULT = [b'awareness', b'consideration', b'decision', b'retention', b'advocacy']
SALES = [b'lead', b'mql', b'sql', b'opportunity', b'customer']
EPOCH = datetime.datetime(2000, 1, 1)
MAXI32 = 0x7fffffff
MINI32 = -0x80000000


def us(y, mo=1, d=1, h=0, mi=0, s=0, f=0):
    """microseconds since 2000-01-01 UTC"""
    dt = datetime.datetime(y, mo, d, h, mi, s) - EPOCH
    return (dt.days * 86400 + dt.seconds) * 1000000 + f


def i16(x): return struct.pack('>h', x)
def i32(x): return struct.pack('>i', x)
def i64(x): return struct.pack('>q', x)
def lab(b): return i32(len(b)) + b


def numeric(digits, weight, sign=0, dscale=0):
    """numeric_send format: ndigits, weight, sign, dscale, base-10000 digits"""
    return struct.pack('>hhHh', len(digits), weight, sign, dscale) + b''.join(i16(d) for d in digits)


N_129_90 = numeric([129, 9000], 0, 0, 2)
N_NEG = numeric([42, 5000], 0, 0x4000, 1)     # -42.5
N_ONE = numeric([1], 0, 0, 1)                 # 1.0


def enc(stages=DEFAULT, labels=(), touches=(), values=(), version=1, reserved=0,
        nstages=None, nlabels=None, ntouches=None, nvalues=None, trailing=b''):
    """The wire format; touches are (time_us, mask, stage, channel, event, value)."""
    b = bytes([version, reserved])
    b += i32(len(stages) if nstages is None else nstages) + b''.join(lab(s) for s in stages)
    b += i32(len(labels) if nlabels is None else nlabels) + b''.join(lab(l) for l in labels)
    b += i32(len(touches) if ntouches is None else ntouches)
    for t, m, st, ch, ev, v in touches:
        b += i64(t) + i64(m) + i32(st) + i32(ch) + i32(ev) + i32(v)
    b += i32(len(values) if nvalues is None else nvalues) + b''.join(lab(v) for v in values)
    return b + trailing


def copyfile(fields):
    """binary COPY file of one-column tuples"""
    out = b'PGCOPY\n\xff\r\n\x00' + i32(0) + i32(0)
    for f in fields:
        out += i16(1) + i32(len(f)) + f
    return out + i16(-1)


def save(name, fields):
    with open(os.path.join(outdir, name), 'wb') as fh:
        fh.write(copyfile(fields))


manifest = []


def case(what, table, data, expect='22P03'):
    fn = 'case%03d.bin' % len(manifest)
    save(fn, [data])
    manifest.append((fn, table, expect, what))


T0 = us(2025, 3, 1, 6)
T1 = us(2025, 3, 1, 9)

# valid bases; the shell knows their text forms
J_LABELS = [b'store', b'purchase', b'a b']
J_TOUCHES = [(T0, 0, 0, 2, -1, -1), (T1, 0, 2, 0, 1, 0)]
TP_LABELS = [b'web', b'sign up']
TP_TOUCHES = [(T1 + 500000, 0, 1, 0, 1, 0)]


def J(**kw):
    d = dict(labels=J_LABELS, touches=J_TOUCHES, values=[N_129_90])
    d.update(kw)
    return enc(**d)


def TP(**kw):
    d = dict(stages=SALES, labels=TP_LABELS, touches=TP_TOUCHES, values=[N_NEG])
    d.update(kw)
    return enc(**d)


def touch(base, i, **kw):
    fields = ['time', 'mask', 'stage', 'channel', 'event', 'value']
    t = list(base[i])
    for k, v in kw.items():
        t[fields.index(k)] = v
    out = list(base)
    out[i] = tuple(t)
    return out


for tbl, mk, stages, labels, touches in (('bj', J, DEFAULT, J_LABELS, J_TOUCHES),
                                         ('bt', TP, SALES, TP_LABELS, TP_TOUCHES)):
    ty = 'journey' if tbl == 'bj' else 'touchpoint'
    base = mk()
    vt = len(touches) - 1           # the touch that has the value
    nl, nt = len(labels), len(touches)

    for n in range(len(base)):
        case('%s truncated to %d of %d bytes' % (ty, n, len(base)), tbl, base[:n])
    case('%s with 1 trailing byte' % ty, tbl, base + b'\0')
    case('%s with 4 trailing bytes' % ty, tbl, mk(trailing=i32(0)))
    case('%s: two values in one field' % ty, tbl, base + base)

    for v in (0, 2, 255):
        case('%s format version %d' % (ty, v), tbl, mk(version=v))
    for r in (1, 128, 255):
        case('%s reserved byte %d' % (ty, r), tbl, mk(reserved=r))

    # counts past a documented limit are 54000, like text input; others 22P03
    for n in (-1, MINI32, 4, 6):
        case('%s stage count %d (5 given)' % (ty, n), tbl, mk(nstages=n))
    for n in (256, MAXI32):
        case('%s stage count %d (5 given)' % (ty, n), tbl, mk(nstages=n), '54000')
    case('%s with touches but no stage list' % ty, tbl,
         mk(stages=[], labels=[], touches=[(T1, 0, 0, -1, -1, -1)], values=[]))
    case('%s with duplicate stage label' % ty, tbl, mk(stages=stages[:2] + [stages[0]] + stages[3:]))
    case('%s with duplicate adjacent stage label' % ty, tbl, mk(stages=[stages[0]] + stages))
    case('%s with empty stage label' % ty, tbl, mk(stages=stages[:4] + [b'']))
    case('%s with 64-byte stage label' % ty, tbl, mk(stages=stages[:4] + [b's' * 64]))
    # the first stage label's length field (bytes 6..9) replaced
    for n in (-1, MINI32, MAXI32, len(stages[0]) + 1):
        case('%s with first stage label length %d' % (ty, n), tbl, base[:6] + i32(n) + base[10:])
    case('%s with stage label containing a zero byte' % ty, tbl, mk(stages=stages[:4] + [b'a\0b']))
    case('%s with stage label of invalid UTF-8' % ty, tbl, mk(stages=stages[:4] + [b'\xc3\x28']))
    case('%s with 256 stage labels' % ty, tbl, mk(stages=[b's%d' % i for i in range(256)]), '54000')

    for n in (-1, MINI32, nl - 1, nl + 1):
        case('%s label count %d (%d given)' % (ty, n, nl), tbl, mk(nlabels=n))
    for n in (1000000, MAXI32):
        case('%s label count %d (%d given)' % (ty, n, nl), tbl, mk(nlabels=n), '54000')
    case('%s with label containing a zero byte' % ty, tbl, mk(labels=[b'we\0b'] + labels[1:]))
    case('%s with label of invalid UTF-8' % ty, tbl, mk(labels=[b'\xff\xfe'] + labels[1:]))
    case('%s with 1025-byte label' % ty, tbl, mk(labels=[b'x' * 1025] + labels[1:]), '54000')

    for n in (-1, MINI32, nt + 1):
        case('%s touch count %d (%d given)' % (ty, n, nt), tbl, mk(ntouches=n))
    for n in (16777217, MAXI32):
        case('%s touch count %d (%d given)' % (ty, n, nt), tbl, mk(ntouches=n), '54000')
    if nt > 1:
        case('%s touch count %d (%d given)' % (ty, nt - 1, nt), tbl, mk(ntouches=nt - 1))
    for m in (1, -1, 1 << 62):
        case('%s touch with mask %d' % (ty, m), tbl, mk(touches=touch(touches, 0, mask=m)))
    for st in (-1, 5, 255, 256, MAXI32, MINI32):
        case('%s touch with stage ordinal %d (5 stages)' % (ty, st), tbl,
             mk(touches=touch(touches, 0, stage=st)))
    for ch in (-2, nl, nl + 1, MAXI32, MINI32):
        case('%s touch with channel index %d (%d labels)' % (ty, ch, nl), tbl,
             mk(touches=touch(touches, 0, channel=ch)))
    for ev in (-2, nl, MAXI32):
        case('%s touch with event index %d (%d labels)' % (ty, ev, nl), tbl,
             mk(touches=touch(touches, 0, event=ev)))

    for t, what in ((us(1) - 1, '1 us before 0001-01-01'),
                    (us(9999, 12, 31, 23, 59, 59) + 1000000, '10000-01-01'),
                    (0x7fffffffffffffff, 'infinity'), (-0x8000000000000000, '-infinity'),
                    (-0x7fffffffffffffff, '-infinity + 1'), (0x7ffffffffffffffe, 'infinity - 1')):
        case('%s touch time %s' % (ty, what), tbl, mk(touches=touch(touches, 0, time=t)), '22008')

    for v in (-2, 1, 2, MAXI32, MINI32):
        case('%s touch with value index %d (1 value)' % (ty, v), tbl,
             mk(touches=touch(touches, vt, value=v)))
    for n in (-1, MINI32, 2, MAXI32):
        case('%s value count %d (1 given)' % (ty, n), tbl, mk(nvalues=n))
    case('%s numeric value that no touch uses' % ty, tbl, mk(touches=touch(touches, vt, value=-1)))
    case('%s second numeric value that no touch uses' % ty, tbl, mk(values=[N_129_90, N_ONE]))
    case('%s numeric value length -1' % ty, tbl, mk(values=[], nvalues=1, trailing=i32(-1)))
    case('%s numeric value length beyond the data' % ty, tbl,
         mk(values=[], nvalues=1, trailing=i32(100) + N_129_90))
    for what, num in (('NaN', numeric([], 0, 0xC000)), ('+Infinity', numeric([], 0, 0xD000)),
                      ('-Infinity', numeric([], 0, 0xF000)),
                      ('empty', b''), ('2 bytes', b'\0\0'), ('7 bytes', numeric([], 0)[:7]),
                      ('1 digit announced, none given', numeric([1], 0)[:8]),
                      ('digit 10000', numeric([10000], 0)), ('digit -1', numeric([-1], 0)),
                      ('sign 0x1234', numeric([1], 0, 0x1234)),
                      ('dscale 0x4000', numeric([1], 0, 0, 0x4000)),
                      ('a trailing byte', numeric([1], 0) + b'\0')):
        case('%s numeric value: %s' % (ty, what), tbl, mk(values=[num]))

case('journey with no stage list and no touches', 'bj', enc(stages=[]))
case('journey: two touches share one value', 'bj', J(touches=touch(J_TOUCHES, 0, value=0)))
case('touchpoint with 0 touches', 'bt', enc(stages=SALES))
case('touchpoint with 0 touches and no stage list', 'bt', enc(stages=[]))
case('touchpoint with 2 touches', 'bt',
     TP(touches=TP_TOUCHES + [(T1 + 1000000, 0, 2, 1, -1, -1)]))
case('touchpoint with 2 touches, out of order', 'bt',
     TP(touches=[(T1 + 1000000, 0, 2, 1, -1, -1)] + TP_TOUCHES))

with open(os.path.join(outdir, 'manifest'), 'w') as fh:
    for row in manifest:
        fh.write('\t'.join(row) + '\n')

# valid values
save('valid_j.bin', [J()])
save('valid_t.bin', [TP()])
save('unordered_j.bin', [J(touches=list(reversed(J_TOUCHES)))])
save('unordered3_j.bin', [enc(stages=SALES, labels=[b'web', b'x"y'], values=[N_ONE, N_NEG],
                              touches=[(T1 + 7200000000, 0, 4, 0, -1, 1), (T0, 0, 0, 1, 1, -1),
                                       (T1, 0, 2, -1, 0, 0)])])
save('identical_j.bin', [enc(labels=[b'a'], touches=[(T1, 0, 2, 0, -1, -1)] * 3)])
save('empty_j.bin', [enc()])
save('extremes_t.bin', [enc(labels=[b'x' * 1024], touches=[(us(9999, 12, 31, 23, 59, 59, 999999), 0, 4, 0, 0, -1)])])
PYEOF

mkdir -p "$TMP/bin"
if err=$($PY "$TMP/gen.py" "$TMP/bin" 2>&1); then
    ok "python3 wrote $(wc -l <"$TMP/bin/manifest") malformed binary COPY files"
else
    not_ok "python3 wrote the malformed binary COPY files" "$err"
fi

q -c "CREATE TABLE bj (j journey)" -c "CREATE TABLE bt (t touchpoint)"

# valid hand-made values load and equal their text form
J_TEXT='{2025-03-01T06:00:00Z awareness "a b" NULL; 2025-03-01T09:00:00Z decision store purchase 129.90}'
TP_TEXT='[lead<mql<sql<opportunity<customer] 2025-03-01T09:00:00.5Z mql web "sign up" -42.5'
U3_TEXT='[lead<mql<sql<opportunity<customer] {2025-03-01T06:00:00Z lead "x\"y" "x\"y"; 2025-03-01T09:00:00Z sql NULL web 1.0; 2025-03-01T11:00:00Z customer web NULL -42.5}'
ID_TEXT='{2025-03-01T09:00:00Z decision a NULL; 2025-03-01T09:00:00Z decision a NULL; 2025-03-01T09:00:00Z decision a NULL}'
EX_TEXT="9999-12-31T23:59:59.999999Z advocacy $(printf 'x%.0s' {1..1024}) $(printf 'x%.0s' {1..1024})"
# valid FILE TABLE TYPE TEXT DESCRIPTION
valid() {
    local file=$1 table=$2 type=$3 text=$4 desc=$5 out
    out=$(q -v "txt=$text" 2>&1 <<SQL
TRUNCATE $table;
\\copy $table FROM '$TMP/bin/$file' (FORMAT binary)
SELECT count(*) || '|' || bool_and(x = :'txt'::$type) || '|' || bool_and(x::text = :'txt'::$type::text)
FROM $table AS r(x);
SQL
)
    is "$out" "1|true|true" "$desc"
    q -c "TRUNCATE $table"
}
valid valid_j.bin bj journey "$J_TEXT" "hand-made binary journey loads and equals its text form"
valid valid_t.bin bt touchpoint "$TP_TEXT" "hand-made binary touchpoint (custom stages, sub-second) loads and equals its text form"
valid unordered_j.bin bj journey "$J_TEXT" "binary journey with touches out of time order loads and equals the ordered one"
valid unordered3_j.bin bj journey "$U3_TEXT" "binary journey, 3 touches out of order with values, custom stages: normalised"
valid identical_j.bin bj journey "$ID_TEXT" "binary journey with identical touches keeps them, like text input"
valid empty_j.bin bj journey "{}" "binary empty journey with the default stage list equals '{}'"
valid extremes_t.bin bt touchpoint "$EX_TEXT" "binary touchpoint at 9999-12-31T23:59:59.999999Z with 1024-byte labels loads"

# every malformed file, in one psql session; \warn marks each case on stderr
{
    echo '\set VERBOSITY verbose'
    while IFS=$'\t' read -r file table _ _; do
        echo "\\warn @@CASE $file"
        echo "\\copy $table FROM '$TMP/bin/$file' (FORMAT binary)"
    done <"$TMP/bin/manifest"
    echo '\warn @@CASE end'
} >"$TMP/cases.sql"
psql -X -qAt -d "$DB" -f "$TMP/cases.sql" >/dev/null 2>"$TMP/cases.err"
declare -A GOT=() DETAIL=()
current=
while IFS= read -r line; do
    if [[ $line == '@@CASE '* ]]; then
        current=${line#@@CASE }
    elif [[ -n $current ]]; then
        if [[ -z ${GOT[$current]:-} && $line =~ ERROR:\ \ ([0-9A-Z]{5}): ]]; then
            GOT[$current]=${BASH_REMATCH[1]}
        fi
        DETAIL[$current]+="${DETAIL[$current]:+ / }${line#psql:*: }"
    fi
done <"$TMP/cases.err"
while IFS=$'\t' read -r file table expect what; do
    code=${GOT[$file]:-}
    if [[ -n $code && ",$expect," == *",$code,"* ]]; then
        ok "binary $what: rejected with $code"
    else
        not_ok "binary $what: rejected with $expect" \
            "got: ${code:-no error (value loaded) or no SQLSTATE}${DETAIL[$file]:+: ${DETAIL[$file]}}"
    fi
done <"$TMP/bin/manifest"

is "$(q -c "SELECT (SELECT count(*) FROM bj) + (SELECT count(*) FROM bt)")" "0" \
    "no malformed value was stored"

# --- the server survived -------------------------------------------------------------

is "$(q -c 'SELECT 1')" "1" "server still answers"
if [[ -n ${CJ_CLUSTER_LOG:-} && -f ${CJ_CLUSTER_LOG:-} ]]; then
    crashes=$(tail -c +"$((LOG_START + 1))" "$CJ_CLUSTER_LOG" | grep -E 'terminated by signal|was terminated' || true)
    is "$crashes" "" "no backend crash in the server log"
fi

echo "1..$N"
