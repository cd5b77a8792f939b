#!/usr/bin/env python3
"""fuzz.py -- cjourney's fuzzers, run against a live server.

    python3 test/fuzz/fuzz.py --db DB --lib LIB [--seed N] [--long | --count N]
                              [--only recv,deserialize,text,pattern,stored] [--keep DIR]

Five fuzzers, each over every cjourney type or aggregate the catalog lists
(or, for pattern, every function taking a pattern or step text):

  recv         binary receive of every type: valid values (test/fuzz/seeds.sql)
               with bit flips, byte stores, truncations, inflated length and
               count fields, splices of two values, inserted and deleted runs
  deserialize  the deserialize function of every aggregate with an internal
               state, over the same mutations of real serialized states
               (cjfuzz.agg_states), then combine, serialize and final
  text         grammar-aware text input: literals generated from each type's
               grammar, some with tokens dropped, repeated, swapped or
               replaced, plus character mutations of the seed values
  stored       damaged stored values (STORED_TYPES: every type but
               response_state): the seeds' stored bytes with the same
               mutations, handed to every function unchecked
               (cjfuzz.stored), as a damaged page would; errors may also be
               XX001 (data corrupted)
  pattern      grammar-aware sequence patterns ((?N), ., .*, (?t op N), with
               bad numbers, operators and spacing) through sequence_match,
               sequence_count, sequence_match_events and the journey forms,
               and stored-journey step texts (journey_step.h) through the
               journey forms

Buffers reach cjourney through the test-only module test/fuzz/cjourney_fuzz.c
(LIB: its path or name), sized exactly, so a sanitizer build sees any
over-read.  Every accepted value goes through its type's text and binary
round trips and through every function and aggregate that takes it
(cjfuzz.calls, built here from the catalog).  A fuzzer passes when every
input is accepted or rejected with a clean error (SQLSTATE class 22 or 54)
and the server did not crash; findings are written to --keep DIR for replay.

Before them, the hand-made cases of test/fuzz/cases.sql (inputs with a known
right answer, each a finding once) must give their expected outcome.

Output: one line per check, "PASS<TAB>description" or
"FAIL<TAB>description<TAB>diagnostics", then "STAT<TAB>..." lines with the
counts; exit status 1 if anything failed.  Fixed seeds make runs repeatable;
--long runs 20 times as many inputs (for use by hand).
"""
import argparse
import collections
import os
import random
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_COUNT = {'recv': 40000, 'deserialize': 30000, 'text': 50000, 'pattern': 8000, 'stored': 28000}

# The types whose stored form the stored fuzzer damages: every reader
# parses and checks it (src/journey_format.c for the first three).  Not
# response_state: its fields are fixed-width counts that every bit pattern
# makes valid, and huge damaged counts send the incomplete beta function to
# its iteration cap (bounded and cancellable, but seconds per value).
STORED_TYPES = ['journey', 'touchpoint', 'stage_time', 'funnel_report', 'attribution',
                'path_report', 'response_variants']
BATCH = 300

# ---------------------------------------------------------------- psql -----


class Db:
    def __init__(self, name):
        self.name = name

    def run(self, sql=None, file=None, stdin=None, variables=(), check=True):
        cmd = ['psql', '-X', '-q', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d', self.name]
        for v in variables:
            cmd += ['-v', v]
        cmd += ['-f', file] if file else ['-c', sql]
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise RuntimeError('psql failed (%d): %s' % (p.returncode, p.stderr.strip()[:2000]))
        return p

    def rows(self, sql):
        out = self.run(sql).stdout
        return [line.split('\t') for line in out.splitlines() if line]

    def wait_ready(self, seconds=60):
        end = time.time() + seconds
        while time.time() < end:
            if self.run('SELECT 1', check=False).returncode == 0:
                return True
            time.sleep(0.5)
        return False


def copy_escape(s):
    return s.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n').replace('\r', '\\r')


# --------------------------------------------------------- the catalog -----

EXT_MEMBER = """JOIN pg_depend d ON d.objid = {o}.oid AND d.classid = '{cls}'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'cjourney'"""

# sample arguments, by argument name first, then by type
BY_NAME = {
    'model': ["'linear'::text", "'markov'::text", "'shapley'::text", "'w_shaped'::text", "'time_decay'::text"],
    'mode': ["'strict_order'::text", "'strict_once'::text"],
    'conversion_event': ["'purchase'::text"],
    'options': ["''::text"],
    'variant': ["'variant a'::text"],
    'control': ["'control'::text"],
    'correction': ["'holm'::text"],
    'steps': ["ARRAY['awareness', 'decision']"],
    'step': ["'purchase | stage >= decision'::text", "'channel = web'::text"],
    'max_length': ['3'],
    'pattern': ["'(?1).*(?t<=86400)(?2)'::text"],
    'direction': ["'forward'::text", "'backward'::text"],
    'base': ["'first_match'::text", "'tail'::text"],
}
BY_TYPE = {
    'timestamp with time zone': ["'2025-03-01 12:00+00'::timestamptz"],
    'interval': ["'7 days'::interval"],
    'bigint': ['42::bigint'],
    'integer': ['2'],
    'double precision': ['0.95::float8'],
    'numeric': ['1.5::numeric'],
    'boolean': ['true'],
    'boolean[]': ['ARRAY[true, false]'],
    'text[]': ["ARRAY['web', 'email']"],
    'anyenum': ["'decision'::stage"],
    'text': ["'web'::text"],
}


def extension_types(db):
    return [r[0] for r in db.rows(
        "SELECT format_type(t.oid, NULL) FROM pg_type t %s WHERE t.typtype = 'b' "
        "AND t.typreceive <> 0 ORDER BY 1" % EXT_MEMBER.format(o='t', cls='pg_type'))]


def build_calls(db, types):
    """cjfuzz.calls: one call per (function, choice of sample arguments)."""
    rows = db.rows(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname), p.prokind, p.proretset, "
        "array_to_string(ARRAY(SELECT format_type(x, NULL) FROM unnest(p.proargtypes) x), '|'), "
        "array_to_string(coalesce(p.proargnames[1:p.pronargs], '{}'), '|', ''), p.provariadic <> 0 "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace %s "
        "WHERE p.prokind IN ('f', 'a') AND p.oid NOT IN (SELECT unnest(ARRAY[aggtransfn, aggfinalfn, "
        "aggcombinefn, aggserialfn, aggdeserialfn])::oid FROM pg_aggregate) ORDER BY 1, 4"
        % EXT_MEMBER.format(o='p', cls='pg_proc'))
    calls = []
    for name, kind, retset, argtypes, argnames, variadic in rows:
        argtypes = argtypes.split('|') if argtypes else []
        argnames = (argnames.split('|') if argnames else []) + [''] * len(argtypes)
        for typ in types:
            if typ not in argtypes:
                continue
            choices = []
            for t, n in zip(argtypes, argnames):
                if t == typ:
                    choices.append(['$1'])
                elif n in BY_NAME:
                    choices.append(BY_NAME[n])
                elif t in BY_TYPE:
                    choices.append(BY_TYPE[t])
                else:
                    choices = None      # internal, cstring, another of our types
                    break
            if choices is None:
                continue
            # the first choice everywhere, then each other choice of one argument
            combos = [[c[0] for c in choices]]
            for i, c in enumerate(choices):
                for alt in c[1:]:
                    combos.append([alt if j == i else cj[0] for j, cj in enumerate(choices)])
            for args in combos:
                if variadic == 't':
                    args = args[:-1] + ['VARIADIC ' + args[-1]]
                if kind == 'a':
                    a = ', '.join(x.replace('$1', 'x') for x in args)
                    sql = 'SELECT length(%s(%s)::text) FROM (VALUES ($1), ($1)) s(x)' % (name, a)
                elif retset == 't':
                    sql = 'SELECT count(*) FROM (SELECT %s(%s)) s' % (name, ', '.join(args))
                else:
                    sql = 'SELECT length((%s(%s))::text)' % (name, ', '.join(args))
                calls.append((typ, sql))
    db.run('TRUNCATE cjfuzz.calls')
    db.run('COPY cjfuzz.calls FROM STDIN',
           stdin=''.join('%s\t%s\n' % (copy_escape(t), copy_escape(s)) for t, s in calls))
    return calls


# ------------------------------------------------------- binary mutants -----

INTERESTING = [0, 1, 0x7f, 0x80, 0xfe, 0xff]


def int_fields(b, width):
    """Offsets of big-endian fields that look like small counts or lengths."""
    out = []
    for i in range(0, len(b) - width + 1):
        v = int.from_bytes(b[i:i + width], 'big')
        if 0 < v <= len(b):
            out.append(i)
    return out


def mutate_bytes(rng, b, pool):
    b = bytearray(b)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        op = rng.randrange(8)
        if op == 0 and b:                               # bit flips
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(b))
                b[i] ^= 1 << rng.randrange(8)
        elif op == 1 and b:                             # interesting bytes
            for _ in range(rng.randint(1, 2)):
                b[rng.randrange(len(b))] = rng.choice(INTERESTING)
        elif op == 2 and b:                             # truncation
            b = b[:rng.randrange(len(b))]
        elif op in (3, 4):                              # length / count inflation
            width = 4 if op == 3 else 2
            fields = int_fields(b, width)
            if fields:
                i = rng.choice(fields)
                v = int.from_bytes(b[i:i + width], 'big')
                top = (1 << (8 * width)) - 1
                nv = rng.choice([v + 1, v + 2, 2 * v + 1, v + 4096, top >> 1, top, (top >> 1) + 1,
                                 len(b) - i, 0, v - 1]) & top
                b[i:i + width] = nv.to_bytes(width, 'big')
        elif op == 5:                                   # splice with another value
            other = rng.choice(pool)
            i = rng.randrange(len(b) + 1)
            j = rng.randrange(len(other) + 1)
            b = b[:i] + bytearray(other[j:])
        elif op == 6 and b:                             # repeat a run
            i = rng.randrange(len(b))
            k = rng.randint(1, min(64, len(b) - i))
            at = rng.randrange(len(b) + 1)
            b[at:at] = b[i:i + k]
        elif op == 7 and b:                             # delete a run
            i = rng.randrange(len(b))
            del b[i:i + rng.randint(1, 16)]
    return bytes(b)


def binary_inputs(rng, seeds, count):
    """seeds: {key: [bytes]} -> [(key, bytes)], the seeds first."""
    out = [(k, s) for k in sorted(seeds) for s in seeds[k]]
    keys = sorted(seeds)
    per_key = max(1, count // max(1, len(keys)))
    for k in keys:
        for _ in range(per_key):
            out.append((k, mutate_bytes(rng, rng.choice(seeds[k]), seeds[k])))
    return out


# ------------------------------------------------------- text grammars -----

WORDS = ['web', 'email', 'store', 'paid_search', 'direct', 'a b', 'x"y', 'back\\slash', 'semi;colon',
         '{brace}', '}', '[', ']', 'lt<', '', 'NULL', 'null', 'café', '✓', 'tab\there', '"', '\\',
         'purchase', 'control', 'variant a', 'é' * 512, 'y' * 1024, 'z' * 1025]
STAGES = ['awareness', 'consideration', 'decision', 'retention', 'advocacy']


def g_quoted(rng, s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def g_label(rng):
    r = rng.random()
    w = rng.choice(WORDS)
    if r < 0.35 and w and all(c.isalnum() or c in '_.-' for c in w) and w.upper() != 'NULL':
        return w
    if r < 0.45:
        return 'NULL'
    if r < 0.5:
        return '"' + w                                  # unterminated
    if r < 0.55:
        return '"a\\qb"'                                # bad escape
    return g_quoted(rng, w)


def g_time(rng):
    r = rng.random()
    if r < 0.04:
        return rng.choice(['infinity', '-infinity', 'epoch', '"2025-03-01 09:00:00+00"', 'now', '2025-03-01'])
    year = rng.choice([1, 2, 1970, 1999, 2000, 2024, 2025, 2025, 2025, 9999, 10000, 0])
    month = rng.choice([1, 2, 3, 12] + [rng.randint(0, 13)])
    day = rng.choice([1, 28, 29, 30, 31] + [rng.randint(0, 32)])
    hh, mm, ss = rng.randint(0, 24), rng.randint(0, 60), rng.randint(0, 61)
    frac = '' if rng.random() < 0.6 else '.' + ''.join(rng.choice('0123456789') for _ in range(rng.randint(1, 9)))
    zone = rng.choice(['Z', 'Z', 'Z', '+02:00', '-05:30', '+0530', '+14:00', '-12:00', '+15:00', '', 'z', '+2'])
    return '%04d-%02d-%02dT%02d:%02d:%02d%s%s' % (year, month, day, hh, mm, ss, frac, zone)


def g_number(rng, integer=False):
    if integer:
        return rng.choice(['0', '1', '2', '7', '100', '9223372036854775807', '9223372036854775808', '-1',
                           str(rng.randint(0, 10 ** rng.randint(1, 18)))])
    return rng.choice(['0', '1', '-0.5', '129.90', '1e100', '1e-320', '1e400', '-1e-20', 'NaN', 'Infinity',
                       '.5', '1.', '-', '0.000', '123456789012345678901234567890.123456789',
                       str(rng.uniform(-1000, 1000)), str(rng.randint(0, 1000))])


def g_stagelist(rng):
    r = rng.random()
    if r < 0.6:
        return None, ''
    if r < 0.65:
        return STAGES, '[' + '<'.join(STAGES) + '] '
    n = rng.choice([1, 2, 3, 4, 255, 256])
    labels = ['s%d' % i for i in range(n)]
    if rng.random() < 0.2:
        labels[rng.randrange(n)] = rng.choice(['', 'x' * 63, 'x' * 64, 'a b', '"q"', labels[0]])
    return labels, '[' + '<'.join(labels) + '] '


def g_touch(rng, stages, labels=True, value=True):
    st = stages or STAGES
    stage = rng.choice(st) if rng.random() < 0.95 else rng.choice(['nowhere', '', '"awareness"'])
    parts = [g_time(rng), stage]
    if labels:
        parts += [g_label(rng), g_label(rng)]
        if value and rng.random() < 0.4:
            parts.append(g_number(rng))
    return ' '.join(parts)


def g_journey(rng):
    stages, head = g_stagelist(rng)
    n = rng.choice([0, 1, 2, 3, 5, 12])
    return head + '{' + '; '.join(g_touch(rng, stages) for _ in range(n)) + '}'


def g_stage_time(rng):
    stages, head = g_stagelist(rng)
    n = rng.choice([0, 1, 2, 4, 9])
    return head + '{' + '; '.join(g_touch(rng, stages, labels=False) for _ in range(n)) + '}'


def g_touchpoint(rng):
    stages, head = g_stagelist(rng)
    return head + g_touch(rng, stages)


def g_funnel_report(rng):
    n = rng.choice([1, 2, 3, 3, 5, 64, 65, 0])
    reached = sorted((rng.randint(0, 100) for _ in range(max(n, 1))), reverse=rng.random() < 0.9)
    sections = []
    for k in range(1, n):
        pairs, d = [], 0
        for _ in range(rng.randint(0, 4)):
            d += rng.choice([0, 1, 1000000, 3600000000, 9223372036854775807])
            pairs.append('%d:%d' % (d, rng.randint(-1, 3)))
        sections.append(' '.join(pairs))
    head = '%d' % n + rng.choice(['', '', ' first_step_start', ' latest_step_start', ' first', ' latest_step_start '])
    return '; '.join([head, ' '.join(str(r) for r in reached)] + sections)


def g_response_state(rng):
    def arm():
        return '%s/%s' % (g_number(rng, True), g_number(rng, True))

    s = 'treated=%s control=%s' % (arm(), arm())
    if rng.random() < 0.5:
        s += ' treated_values=%s/%s/%s control_values=%s/%s/%s' % (
            g_number(rng, True), g_number(rng), g_number(rng), g_number(rng, True), g_number(rng), g_number(rng))
    return s


def g_response_variants(rng):
    n = rng.choice([0, 1, 2, 3, 5])
    return '{' + ', '.join('%s: %s/%s' % (g_quoted(rng, rng.choice(WORDS[:20])), g_number(rng, True),
                                          g_number(rng, True)) for _ in range(n)) + '}'


MODELS = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based',
          'w_shaped', 'markov', 'shapley']


def g_attribution(rng):
    model = rng.choice(MODELS + ['bogus'])
    spec = [model]
    for opt in rng.sample(['lookback=86400000000', 'half_life=3600000000', 'direct="direct"',
                           'weights=0.4/0.2/0.4', 'weights=0.5/0.2/0.2/0.1', 'lead_stage="lead"',
                           'opportunity_stage="sql"', 'lookback=0'], rng.randint(0, 2)):
        spec.append(opt)
    conv = rng.randint(0, 20)
    none = rng.randint(0, 3)
    head = '%s | conversions=%d revenue=%s none=%d/%s |' % (' '.join(spec), conv, g_number(rng), none,
                                                             g_number(rng))
    entries = []
    if model in ('markov', 'shapley') or rng.random() < 0.1:
        left = conv - none
        for _ in range(rng.randint(0, 4)):
            c = rng.randint(0, max(left, 0))
            left -= c
            path = ','.join(g_quoted(rng, rng.choice(WORDS[:12])) for _ in range(rng.randint(1, 4)))
            entries.append('[%s]=%d/%d/%s' % (path, c, rng.randint(0, 3), g_number(rng)))
    else:
        for _ in range(rng.randint(0, 4)):
            entries.append('%s=%s/%s' % (g_quoted(rng, rng.choice(WORDS[:12])), g_number(rng), g_number(rng)))
    return head + ' ' + ' '.join(entries)


def g_path_report(rng):
    head = rng.choice(['left', 'right', 'LEFT', 'Right', 'middle', ''])
    entries = []
    for _ in range(rng.choice([0, 1, 2, 3, 5])):
        n = rng.choice([0, 1, 2, 3, 8])
        labels = []
        for _ in range(n):
            r = rng.random()
            if r < 0.1:
                labels.append('NULL')
            elif r < 0.15:
                labels.append(rng.choice(['"unterminated', '"bad\\q"', 'bare', '"\\u00e9"']))
            else:
                w = rng.choice(WORDS)
                labels.append('"' + w.replace('\\', '\\\\').replace('"', '\\"').replace('\t', '\\t') + '"')
        entries.append('[%s]=%s' % (','.join(labels), g_number(rng, True)))
    return head + ' | ' + ' '.join(entries)


GRAMMARS = {
    'path_report': g_path_report,
    'touchpoint': g_touchpoint,
    'journey': g_journey,
    'stage_time': g_stage_time,
    'funnel_report': g_funnel_report,
    'response_state': g_response_state,
    'response_variants': g_response_variants,
    'attribution': g_attribution,
}
SPECIALS = [';', ':', ' ', '-', '9', '"', '\\', '{', '}', '[', ']', '<', ',', '/', '=', '|', 'x', 'NULL',
            '99999999999999999999', '', '\t', 'é', '\x01']


def mutate_text(rng, s):
    """Token-level: drop, repeat, swap or replace a token; or a character."""
    toks = [t for t in re.split(r'(\s+|[;{}\[\]<|,=/:])', s) if t]
    if not toks:
        return rng.choice(SPECIALS)
    op = rng.randrange(5)
    i = rng.randrange(len(toks))
    if op == 0:
        del toks[i]
    elif op == 1:
        toks.insert(i, toks[i])
    elif op == 2:
        j = rng.randrange(len(toks))
        toks[i], toks[j] = toks[j], toks[i]
    elif op == 3:
        toks[i] = rng.choice(SPECIALS)
    else:
        t = toks[i]
        k = rng.randrange(len(t) + 1)
        toks[i] = t[:k] + rng.choice(SPECIALS) + t[k + 1:]
    return ''.join(toks)


# ------------------------------------------- patterns and step texts -----

PATTERN_NUMBERS = ['1', '2', '3', '4', '0', '01', '+2', '+', '-1', '1.5', '', '99999999999999999999',
                   '18446744073709551615', '9223372036854775807', '64', '65']


def g_pattern(rng):
    items = []
    for _ in range(rng.randint(0, 8)):
        r = rng.random()
        if r < 0.4:
            items.append('(?%s)' % rng.choice(PATTERN_NUMBERS[:6] if rng.random() < 0.8 else PATTERN_NUMBERS))
        elif r < 0.5:
            items.append('.')
        elif r < 0.65:
            items.append('.*')
        elif r < 0.95:
            op = rng.choice(['<', '<=', '>', '>=', '=='] * 4 + ['!=', '=', '<<', ''])
            n = rng.choice(['0', '1', '5', '3600', '86400'] * 3 + PATTERN_NUMBERS)
            items.append('(?t%s%s)' % (op, n))
        else:
            items.append(rng.choice(['(', ')', '(?', '?', '*', ' ', '(?t', '(?x)']))
    return ''.join(items)


def g_step(rng):
    alts = []
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        if r < 0.3:
            alts.append(rng.choice(['purchase', 'signup', 'awareness', 'decision', 'web', 'only', 'x']))
        elif r < 0.6:
            field = rng.choice(['event', 'stage', 'channel', 'colour', '"event"'])
            op = rng.choice(['=', '=', '>=', '>', '<', '<=', '==', ''])
            alts.append('%s %s %s' % (field, op, rng.choice(['purchase', 'decision', 'sql', '"a b"', '"x""y"', '""', ''])))
        elif r < 0.75:
            alts.append('*')
        else:
            w = rng.choice(WORDS[:24])
            alts.append('"' + w.replace('"', '""') + '"' if rng.random() < 0.8 else '"' + w)
    sep = rng.choice(['|', ' | ', '||', '|'])
    return sep.join(alts)


def pattern_inputs(rng, count):
    out = []
    for key, gen in (('sequence pattern', g_pattern), ('journey step', g_step)):
        for _ in range(count // 2):
            s = gen(rng) if rng.random() < 0.7 else mutate_text(rng, gen(rng))
            out.append((key, s.replace('\x00', '')))
    return out


def text_inputs(rng, types, seed_texts, count):
    out = []
    per_type = max(1, count // len(types))
    for typ in types:
        gen = GRAMMARS[typ]
        for k in range(per_type):
            r = rng.random()
            if r < 0.55:
                s = gen(rng)
            elif r < 0.85:
                s = mutate_text(rng, gen(rng))
            else:
                s = mutate_text(rng, rng.choice(seed_texts[typ]))
            out.append((typ, s.replace('\x00', '')))
    return out


# ---------------------------------------------------------------- runs -----

def load_inputs(db, kind, inputs):
    db.run('TRUNCATE cjfuzz.inputs')
    lines = []
    for i, (key, v) in enumerate(inputs):
        if kind == 'text':
            lines.append('%d\t%s\t\\N\t%s\t\\N\n' % (i, key, copy_escape(v)))
        elif kind == 'pattern':
            lines.append('%d\t\\N\t\\N\t%s\t\\N\t%s\n' % (i, copy_escape(v), copy_escape(key)))
        elif kind in ('recv', 'stored'):
            lines.append('%d\t%s\t\\N\t\\N\t\\\\x%s\n' % (i, key, v.hex()))
        else:
            lines.append('%d\t\\N\t%s\t\\N\t\\\\x%s\n' % (i, copy_escape(key), v.hex()))
    db.run('COPY cjfuzz.inputs (id, typ, agg, str, data%s) FROM STDIN' % (', what' if kind == 'pattern' else ''),
           stdin=''.join(lines))


def run_kind(db, kind, inputs, keep):
    """Outcomes by input id; a batch that kills the backend is recorded as 'crash'."""
    load_inputs(db, kind, inputs)
    outcomes = {}
    for lo in range(0, len(inputs), BATCH):
        hi = min(lo + BATCH, len(inputs))
        p = db.run("SELECT id, outcome FROM cjfuzz.run('%s', %d, %d)" % (kind, lo, hi), check=False)
        if p.returncode != 0:
            for i in range(lo, hi):
                outcomes[i] = 'crash: ' + p.stderr.strip().splitlines()[-1][:200] if p.stderr.strip() else 'crash'
            if not db.wait_ready():
                break
            continue
        for line in p.stdout.splitlines():
            i, _, o = line.partition('\t')
            outcomes[int(i)] = o
    if keep:
        os.makedirs(keep, exist_ok=True)
        with open(os.path.join(keep, '%s-inputs.tsv' % kind), 'w') as f:
            for i, (key, v) in enumerate(inputs):
                f.write('%d\t%s\t%s\t%s\n' % (i, key, copy_escape(v) if kind in ('text', 'pattern') else v.hex(),
                                              copy_escape(outcomes.get(i, 'missing'))))
    return outcomes


def clean(outcome, kind=None):
    return outcome == 'accepted' or (len(outcome) == 5 and outcome[:2] in ('22', '54')) or \
        (kind == 'stored' and outcome == 'XX001')


def report(kind, inputs, outcomes, emit):
    by_key = collections.defaultdict(collections.Counter)
    bad = []
    for i, (key, v) in enumerate(inputs):
        o = outcomes.get(i, 'missing')
        by_key[key]['accepted' if o == 'accepted' else ('rejected' if clean(o, kind) else 'bad')] += 1
        if not clean(o, kind):
            shown = v[:300] if kind in ('text', 'pattern') else v.hex()[:300]
            bad.append('input %d (%s): %s\n  input: %s' % (i, key, o[:600], shown))
    for key in sorted(by_key):
        c = by_key[key]
        desc = '%s %s: %d inputs, %d accepted, %d rejected cleanly' % (
            kind, key, sum(c.values()), c['accepted'], c['rejected'])
        if c['bad'] == 0 and c['accepted'] > 0:
            emit('PASS', desc)
        else:
            emit('FAIL', desc + ', %d findings' % c['bad'],
                 *([b for b in bad if '(%s)' % key in b][:5] or ['no input was accepted']))
    emit('STAT', '%s: %d inputs over %d %s' % (kind, len(inputs), len(by_key),
                                              {'deserialize': 'aggregates', 'pattern': 'kinds'}.get(kind, 'types')))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--db', default=os.environ.get('PGDATABASE', 'postgres'))
    ap.add_argument('--lib', default='cjourney_fuzz', help='path or name of the test module')
    ap.add_argument('--seed', type=int, default=20250301)
    ap.add_argument('--long', action='store_true', help='20 times the default number of inputs')
    ap.add_argument('--count', type=int, help='inputs per fuzzer')
    ap.add_argument('--only', default='recv,deserialize,text,pattern,stored')
    ap.add_argument('--keep', help='write every input and its outcome here')
    args = ap.parse_args()
    db = Db(args.db)
    failed = False

    def emit(status, desc, *diag):
        nonlocal failed
        failed |= status == 'FAIL'
        print('\t'.join([status, desc] + [d.replace('\t', ' ').replace('\n', '\\n') for d in diag]), flush=True)

    db.run('DROP SCHEMA IF EXISTS cjfuzz CASCADE')
    for f in ('cjourney_fuzz.sql', 'harness.sql', 'seeds.sql', 'cases.sql'):
        db.run(file=os.path.join(HERE, f), variables=['fuzz_lib=' + args.lib])
    types = extension_types(db)
    calls = build_calls(db, types)
    emit('STAT', 'calls: %d function and aggregate calls over %d types' % (len(calls), len(types)))
    missing = [t for t in types if t not in GRAMMARS]
    if missing:
        emit('FAIL', 'every type has a text grammar', 'no grammar for: ' + ', '.join(missing))
    seedless = [r[0] for r in db.rows(
        "SELECT a.aggfnoid::regprocedure FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid %s "
        "WHERE a.aggdeserialfn <> 0 EXCEPT SELECT agg FROM cjfuzz.agg_seeds ORDER BY 1"
        % EXT_MEMBER.format(o='p', cls='pg_proc'))]
    if seedless:
        emit('FAIL', 'every aggregate with an internal state has seed rows', 'none for: ' + ', '.join(seedless))

    for name, expect, got in db.rows('SELECT name, expect, cjfuzz.try(sql) FROM cjfuzz.cases ORDER BY name'):
        right = got == expect if len(expect) == 5 and expect[0] != '^' else re.search(expect, got) is not None
        emit('PASS' if right else 'FAIL', 'case: ' + name, 'expected %s, got %s' % (expect, got[:300]))

    for kind in [k for k in args.only.split(',') if k in DEFAULT_COUNT]:
        rng = random.Random('%s/%d' % (kind, args.seed))
        count = args.count or DEFAULT_COUNT[kind] * (20 if args.long else 1)
        start = time.time()
        if kind == 'recv':
            seeds = collections.defaultdict(list)
            for typ in types:
                send = db.rows("SELECT typsend FROM pg_type WHERE oid = '%s'::regtype" % typ)[0][0]
                for (h,) in db.rows("SELECT encode(%s(v::%s), 'hex') FROM cjfuzz.seed_values "
                                    "WHERE typ = '%s'::regtype" % (send, typ, typ)):
                    seeds[typ].append(bytes.fromhex(h))
            inputs = binary_inputs(rng, seeds, count)
        elif kind == 'stored':
            seeds = collections.defaultdict(list)
            for typ in STORED_TYPES:
                for (h,) in db.rows("SELECT encode(cjfuzz.bytes(v::%s), 'hex') FROM cjfuzz.seed_values "
                                    "WHERE typ = '%s'::regtype" % (typ, typ)):
                    seeds[typ].append(bytes.fromhex(h))
            inputs = binary_inputs(rng, seeds, count)
        elif kind == 'deserialize':
            seeds = collections.defaultdict(list)
            for agg, h in db.rows("SELECT agg, encode(s, 'hex') FROM cjfuzz.agg_seeds, "
                                  "LATERAL cjfuzz.agg_states(agg, query, rows_per_state) s"):
                seeds[agg].append(bytes.fromhex(h))
            inputs = binary_inputs(rng, seeds, count)
        elif kind == 'pattern':
            inputs = pattern_inputs(rng, count)
        else:
            seed_texts = collections.defaultdict(list)
            for typ, v in db.rows('SELECT format_type(typ, NULL), v FROM cjfuzz.seed_values'):
                seed_texts[typ].append(v)
            inputs = text_inputs(rng, [t for t in types if t in GRAMMARS], seed_texts, count)
        outcomes = run_kind(db, kind, inputs, args.keep)
        report(kind, inputs, outcomes, emit)
        emit('STAT', '%s: %.1f s' % (kind, time.time() - start))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
