"""Reference check of cjourney's data-driven attribution (Markov, Shapley).

Run by test/suites/attribution_reference.sh with the PG* environment of a
database that has cjourney and the sample data.  The Markov removal effect
is computed here the textbook way: build the absorbing chain start ->
channels -> conversion / null from the paths, and for every channel solve
the chain again with that channel's incoming transitions sent to null
(numpy.linalg.solve), so nothing is shared with the C code's
one-factorization update.  The Shapley value enumerates every ordering of a
journey's channels (or every subset beyond 6 channels).  Paths of the sample
data are rebuilt from the raw rows with the documented cycle rule.  Prints
"ok|description" or "not ok|description|diagnostics" per group.
"""
import itertools
import math
import random
import subprocess
from collections import Counter, defaultdict

import numpy as np

TOL = 1e-9


def psql(sql, stdin=None):
    out = subprocess.run(["psql", "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         input=stdin, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return [line.split("\t") for line in out.stdout.splitlines() if line != ""]


def close(a, b, scale=1.0):
    return abs(a - b) <= TOL * max(1.0, abs(b), scale)


def markov_reference(paths):
    """paths: {tuple(channels): [conv, nulls, revenue]} -> (credits, revenue credits, removal effects)."""
    chans = sorted({c for p in paths for c in p})
    idx = {c: i for i, c in enumerate(chans)}
    n = len(chans)
    start, conv, null = n, n + 1, n + 2
    counts = np.zeros((n + 3, n + 3))
    value = np.zeros(n)
    for p, (cv, nl, rev) in paths.items():
        w = cv + nl
        seq = [start] + [idx[c] for c in p]
        for a, b in zip(seq, seq[1:]):
            counts[a, b] += w
        counts[seq[-1], conv] += cv
        counts[seq[-1], null] += nl
        value[seq[-1]] += rev
    out = counts.sum(axis=1)

    def absorb(removed, reward):
        # probability (or expected reward) of conversion from start
        T = np.zeros((n + 1, n + 1))   # transient: channels and start
        r = np.zeros(n + 1)
        for a in list(range(n)) + [start]:
            ai = a if a < n else n
            if a == removed:
                continue
            for b in range(n):
                if b != removed and counts[a, b]:
                    T[ai, b] = counts[a, b] / out[a]
            if a < n:
                r[ai] = reward[a] / out[a]
        x = np.linalg.solve(np.eye(n + 1) - T, r)
        return x[n]

    conv_reward = counts[:n, conv]
    P = absorb(None, conv_reward)
    V = absorb(None, value)
    re = {c: (1 - absorb(idx[c], conv_reward) / P) if P > 0 else 0.0 for c in chans}
    rev_re = {c: (1 - absorb(idx[c], value) / V) if V > 0 else 0.0 for c in chans}
    total_conv = sum(v[0] for v in paths.values())
    total_rev = sum(v[2] for v in paths.values())
    s, sv = sum(re.values()), sum(rev_re.values())
    credits = {c: total_conv * re[c] / s if s > 0 else 0.0 for c in chans}
    rev_credits = {c: total_rev * rev_re[c] / sv if sv > 0 else 0.0 for c in chans}
    return credits, rev_credits, re


def shapley_reference(paths):
    sets = defaultdict(lambda: [0, 0, 0.0])
    for p, (cv, nl, rev) in paths.items():
        key = frozenset(p)
        sets[key][0] += cv
        sets[key][1] += nl
        sets[key][2] += rev

    def v(s):
        e = sets.get(frozenset(s))
        return e[0] / (e[0] + e[1]) if e else 0.0

    credits, rev_credits = defaultdict(float), defaultdict(float)
    for c in {c for p in paths for c in p}:
        credits[c] += 0.0
        rev_credits[c] += 0.0
    for t, (cv, nl, rev) in sets.items():
        if cv == 0:
            continue
        members = sorted(t)
        m = len(members)
        phi = dict.fromkeys(members, 0.0)
        if m <= 6:
            perms = list(itertools.permutations(members))
            for order in perms:
                before = []
                for c in order:
                    phi[c] += (v(before + [c]) - v(before)) / len(perms)
                    before.append(c)
        else:
            for c in members:
                others = [x for x in members if x != c]
                for k in range(m):
                    wgt = math.factorial(k) * math.factorial(m - k - 1) / math.factorial(m)
                    for s in itertools.combinations(others, k):
                        phi[c] += wgt * (v(list(s) + [c]) - v(list(s)))
        vt = v(members)
        for c in members:
            credits[c] += cv * phi[c] / vt
            rev_credits[c] += rev * phi[c] / vt
    return credits, rev_credits


def sql_credits(table, model):
    rows = psql(f"SELECT channel, conversions, revenue FROM attribution_credits("
                f"(SELECT attribution_agg(path, conversions, nulls, revenue, '{model}') FROM {table}))")
    return {r[0]: (float(r[1]), float(r[2])) for r in rows}


def compare(name, got, ref_conv, ref_rev, extra=None):
    bad = []
    if set(got) != set(ref_conv):
        bad.append(f"channels: got {sorted(got)}, expected {sorted(ref_conv)}")
    scale = max([1.0] + [abs(x) for x in ref_conv.values()])
    rscale = max([1.0] + [abs(x) for x in ref_rev.values()])
    for c in sorted(set(got) & set(ref_conv)):
        if not close(got[c][0], ref_conv[c], scale):
            bad.append(f"{c} conversions: got {got[c][0]!r}, expected {ref_conv[c]!r}")
        if not close(got[c][1], ref_rev[c], rscale):
            bad.append(f"{c} revenue: got {got[c][1]!r}, expected {ref_rev[c]!r}")
    bad += extra or []
    if bad:
        print("not ok|" + name + "|" + "|".join(bad[:20]))
    else:
        print("ok|" + name)


def load_paths(table, paths):
    psql(f"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} "
         "(path text[], conversions bigint, nulls bigint, revenue numeric)")
    lines = []
    for p, (cv, nl, rev) in paths.items():
        lines.append("{" + ",".join('"' + c + '"' for c in p) + "}\t%d\t%d\t%r" % (cv, nl, rev))
    psql(f"COPY {table} FROM STDIN", "\n".join(lines) + "\n")


def generated(seed, npaths, nchan, maxlen, repeats):
    rnd = random.Random(seed)
    chans = [f"ch{i:02d}" for i in range(nchan)]
    # channels differ in how much they raise conversion
    lift = {c: rnd.random() for c in chans}
    paths = {}
    for _ in range(npaths):
        k = rnd.randint(1, maxlen)
        p = []
        for _ in range(k):
            if repeats and p and rnd.random() < 0.3:
                p.append(p[-1])
            else:
                p.append(rnd.choice(chans))
        p = tuple(p)
        prob = min(0.95, sum(lift[c] for c in set(p)) / 4)
        conv = sum(rnd.random() < prob for _ in range(rnd.randint(1, 5)))
        nulls = rnd.randint(0, 4) if conv else rnd.randint(1, 4)
        rev = round(conv * rnd.uniform(10, 200), 2)
        e = paths.setdefault(p, [0, 0, 0.0])
        e[0] += conv
        e[1] += nulls
        e[2] += rev
    return paths


def check_generated():
    cases = [(1, 40, 4, 4, False), (2, 400, 6, 6, True), (3, 2000, 12, 8, True), (4, 300, 3, 12, True)]
    for seed, npaths, nchan, maxlen, repeats in cases:
        paths = generated(seed, npaths, nchan, maxlen, repeats)
        table = f"gen{seed}"
        load_paths(table, paths)
        conv, rev, re = markov_reference(paths)
        got_re = {r[0]: float(r[1]) for r in psql(
            f"SELECT * FROM attribution_removal_effects((SELECT attribution_agg(path, conversions, nulls, revenue, 'markov') FROM {table}))")}
        extra = [f"{c} removal effect: got {got_re.get(c)!r}, expected {re[c]!r}"
                 for c in re if c not in got_re or not close(got_re[c], re[c])]
        compare(f"markov on {len(paths)} generated paths over {nchan} channels (seed {seed}) = reference",
                sql_credits(table, "markov"), conv, rev, extra)
        sconv, srev = shapley_reference(paths)
        compare(f"shapley on {len(paths)} generated paths over {nchan} channels (seed {seed}) = reference",
                sql_credits(table, "shapley"), sconv, srev)


def sample_paths():
    """The sample data's paths, rebuilt from raw rows with the documented cycle rule."""
    rows = psql("SELECT customer_id, extract(epoch FROM occurred_at)::numeric * 1000000, channel, "
                "(event = 'purchase')::int, coalesce(revenue, 0) FROM touchpoints")
    by_customer = defaultdict(list)
    for cid, t, ch, conv, rev in rows:
        by_customer[cid].append((int(float(t)), ch if ch != "" else None, conv == "1", float(rev)))
    paths = {}

    def add(p, cv, nl, rev):
        e = paths.setdefault(tuple(p), [0, 0, 0.0])
        e[0] += cv
        e[1] += nl
        e[2] += rev

    none = [0, 0.0]
    for cid, evs in by_customer.items():
        evs.sort(key=lambda e: (e[0], e[1] or ""))
        conv_times = sorted({e[0] for e in evs if e[2]})
        prev = None
        for t in conv_times:
            path = [e[1] for e in evs if not e[2] and e[1] is not None and e[0] < t
                    and (prev is None or e[0] >= prev)]
            for e in evs:
                if e[2] and e[0] == t:
                    if path:
                        add(path, 1, 0, e[3])
                    else:
                        none[0] += 1
                        none[1] += e[3]
            prev = t
        tail = [e[1] for e in evs if not e[2] and e[1] is not None and (prev is None or e[0] >= prev)]
        if tail:
            add(tail, 0, 1, 0.0)
    return paths, none


def check_sample():
    paths, none = sample_paths()
    psql("DROP TABLE IF EXISTS per_customer; CREATE TABLE per_customer AS "
         "SELECT customer_id, attribution_agg(occurred_at, channel, event = 'purchase', revenue, 'markov') AS m, "
         "attribution_agg(occurred_at, channel, event = 'purchase', revenue, 'shapley') AS s "
         "FROM touchpoints GROUP BY customer_id")
    got_paths = {}
    for p, cv, nl, rev in psql("SELECT array_to_string(path, chr(31)), conversions, nulls, revenue "
                               "FROM attribution_paths((SELECT rollup(m) FROM per_customer))"):
        got_paths[tuple(p.split("\x1f"))] = [int(cv), int(nl), float(rev)]
    bad = []
    if set(got_paths) != set(paths):
        bad.append(f"{len(set(got_paths) ^ set(paths))} paths differ, e.g. {sorted(set(got_paths) ^ set(paths))[:3]}")
    for p in set(got_paths) & set(paths):
        g, r = got_paths[p], paths[p]
        if g[0] != r[0] or g[1] != r[1] or not close(g[2], r[2]):
            bad.append(f"{p}: got {g}, expected {r}")
    (nconv, nrev), = [(int(a), float(b)) for a, b in psql(
        "SELECT sum(conversions), sum(revenue) FROM attribution_credits((SELECT rollup(m) FROM per_customer)) WHERE channel = '(none)'")
        if a != ""] or [(0, 0.0)]
    if nconv != none[0] or not close(nrev, none[1]):
        bad.append(f"(none): got {nconv}/{nrev}, expected {none[0]}/{none[1]}")
    print(("not ok|" if bad else "ok|") + f"sample data: {len(paths)} distinct paths rebuilt from raw rows = "
          "attribution_paths of the rolled-up per-customer states" + ("|" + "|".join(bad[:20]) if bad else ""))

    for model, col, ref in (("markov", "m", markov_reference), ("shapley", "s", shapley_reference)):
        res = ref(paths)
        got = {r[0]: (float(r[1]), float(r[2])) for r in psql(
            f"SELECT channel, conversions, revenue FROM attribution_credits((SELECT rollup({col}) FROM per_customer)) "
            "WHERE channel <> '(none)'")}
        compare(f"sample data: {model} credits of the rolled-up per-customer states = reference", got, res[0], res[1])


def main():
    for fn in (check_generated, check_sample):
        try:
            fn()
        except Exception as e:  # report, do not hide
            print(f"not ok|{fn.__name__} raised|{e!r}")


main()
