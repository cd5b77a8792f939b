"""Reference check of cjourney's segment response statistics against scipy.

Run by test/suites/response_scipy.sh with the PG* environment of a database
that has cjourney and the sample data.  Every statistic is computed in SQL
and independently here: exact rational arithmetic (fractions) for counts,
rates and table statistics, scipy.stats distributions for tails and
quantiles, scipy.stats.chi2_contingency(correction=False) and
ttest_ind(equal_var=False) on raw sample-data rows.  Prints one line per
comparison group: "ok|description" or "not ok|description|diagnostics".

Tolerance: 1e-9 relative everywhere (absolute 1e-300 for values near 0).
Quantiles of t: scipy's t.ppf (cephes stdtrit) is itself off by up to
~2e-9 relative, so the reference solves t.sf(x, df) = q with brentq to
machine precision instead; scipy's t.sf is the ground truth.
"""
import math
import subprocess
import sys
from fractions import Fraction as F

import numpy as np
from scipy import optimize, stats

TOL = 1e-9


def psql(sql):
    out = subprocess.run(["psql", "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return [line.split("\t") for line in out.stdout.splitlines() if line != ""]


def num(s):
    return None if s == "" else float(s)


class Group:
    def __init__(self, name):
        self.name, self.n, self.bad = name, 0, []

    def cmp(self, label, got, ref, tol=TOL):
        self.n += 1
        if ref is None or (isinstance(ref, float) and math.isnan(ref)):
            if got is not None:
                self.bad.append(f"{label}: got {got!r}, expected NULL")
            return
        if got is None:
            self.bad.append(f"{label}: got NULL, expected {ref!r}")
            return
        if abs(got - ref) > tol * abs(ref) + 1e-300:
            self.bad.append(f"{label}: got {got!r}, expected {ref!r} (rel {abs(got - ref) / max(abs(ref), 1e-300):.3g})")

    def report(self):
        desc = f"{self.name} ({self.n} comparisons)"
        if self.bad:
            print("not ok|" + desc + "|" + "|".join(self.bad[:10]))
        else:
            print("ok|" + desc)


def t_isf(q, df):
    """x with scipy's t.sf(x, df) = q, to machine precision."""
    x0 = stats.t.isf(q, df)
    return optimize.brentq(lambda x: stats.t.sf(x, df) - q, x0 * (1 - 1e-6), x0 * (1 + 1e-6),
                           xtol=1e-300, rtol=8.9e-16, maxiter=500)


# --- two-proportion cases -------------------------------------------------
CASES = [
    (1, 0, 1, 1), (1, 1, 1, 0), (2, 1, 3, 1), (10, 0, 10, 0), (10, 10, 10, 10), (7, 7, 9, 0),
    (100, 12, 100, 9), (1000, 130, 1000, 100), (5000, 0, 4000, 3), (5000, 5000, 4000, 3999),
    (123456, 12345, 234567, 23000), (10**9, 123456789, 10**9, 123400000),
    (10**9, 500000001, 999999999, 500000000), (2 * 10**9, 1, 3 * 10**9, 2),
    (1234567890, 1234567889, 987654321, 987654321), (10**9, 10**8, 10**9, 9 * 10**7),
    (3, 0, 10**9, 10**9 - 1), (400, 399, 400, 1), (10**6, 300000, 10**6, 100000),
    (50, 25, 0, 0), (0, 0, 50, 20),
]
LEVELS = [0.95, 0.9, 0.99, 0.5]


def pooled(nt, xt, nc, xc):
    diff = F(xt, nt) - F(xc, nc)
    x, n = xt + xc, nt + nc
    if x == 0 or x == n:
        return float(diff), None, None
    var0 = F(x * (n - x), n * nt * nc)
    z = float(diff) / math.sqrt(float(var0))
    return float(diff), z, 2 * stats.norm.sf(abs(z))


def check_counts():
    g_rate, g_lift, g_z, g_ci, g_chi = (Group("two proportions: counts and rates"), Group("two proportions: abs_lift and lift"),
                                        Group("two proportions: z and p-value (scipy norm)"),
                                        Group("two proportions: Wald interval at levels 0.95, 0.9, 0.99, 0.5"),
                                        Group("two proportions: p-value = chi2_contingency(correction=False)"))
    for level in LEVELS:
        values = ", ".join(f"('treated={nt}/{xt} control={nc}/{xc}'::response_state)" for nt, xt, nc, xc in CASES)
        rows = psql(f"SELECT (segment_response(s, {level})).* FROM (VALUES {values}) v(s)")
        for (nt, xt, nc, xc), r in zip(CASES, rows):
            r = [num(v) for v in r]
            lab = f"{nt}/{xt} vs {nc}/{xc}"
            se = None
            if level == 0.95:
                g_rate.cmp(lab + " treated_n", r[0], float(nt))
                g_rate.cmp(lab + " control_n", r[3], float(nc))
                g_rate.cmp(lab + " treated_rate", r[2], float(F(xt, nt)) if nt else None, 0)
                g_rate.cmp(lab + " control_rate", r[5], float(F(xc, nc)) if nc else None, 0)
            if nt == 0 or nc == 0:
                for i in range(6, 12):
                    g_lift.cmp(lab + f" field {i}", r[i], None)
                continue
            diff, z, p = pooled(nt, xt, nc, xc)
            if level == 0.95:
                g_lift.cmp(lab + " abs_lift", r[6], diff)
                g_lift.cmp(lab + " lift", r[7], float(F(xt, nt) / F(xc, nc) - 1) if xc else None)
                g_z.cmp(lab + " z", r[10], z)
                g_z.cmp(lab + " p", r[11], p)
                if p is not None and min(xt + xc, nt + nc - xt - xc) > 0:
                    chi2, pc, _, _ = stats.chi2_contingency([[xt, nt - xt], [xc, nc - xc]], correction=False)
                    # scipy's float table arithmetic loses digits when the rates are close: compare where it is well conditioned
                    if abs(diff) > 1e-4:
                        g_chi.cmp(lab + " p vs chi2_contingency", r[11], pc)
                        g_chi.cmp(lab + " z^2 vs chi2", r[10] ** 2, chi2)
            var = F(xt * (nt - xt), nt ** 3) + F(xc * (nc - xc), nc ** 3)
            half = stats.norm.ppf((1 + level) / 2) * math.sqrt(float(var))
            g_ci.cmp(lab + f" ci_low@{level}", r[8], diff - half, TOL if abs(diff - half) > 1e-6 * half else 1e-9 * half / max(abs(diff - half), 1e-300))
            g_ci.cmp(lab + f" ci_high@{level}", r[9], diff + half, TOL if abs(diff + half) > 1e-6 * half else 1e-9 * half / max(abs(diff + half), 1e-300))
    for g in (g_rate, g_lift, g_z, g_ci, g_chi):
        g.report()


def check_wilson():
    g = Group("Wilson score interval (response_rate_ci)")
    cases = [(0, 1), (1, 1), (0, 20), (45, 100), (1, 3), (999, 1000), (123456789, 10**9), (7, 10**9), (10**9 - 3, 10**9)]
    for level in LEVELS:
        values = ", ".join(f"({x}, {n})" for x, n in cases)
        rows = psql(f"SELECT r.* FROM (VALUES {values}) v(x, n), response_rate_ci(x, n, {level}) r")
        zq = stats.norm.ppf((1 + level) / 2)
        for (x, n), r in zip(cases, rows):
            p = x / n
            z2 = zq * zq
            denom = 1 + z2 / n
            centre = (p + z2 / (2 * n)) / denom
            half = zq * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
            g.cmp(f"{x}/{n}@{level} rate", num(r[0]), p)
            g.cmp(f"{x}/{n}@{level} low", num(r[1]), centre - half, TOL * max(1.0, half / max(abs(centre - half), 1e-300)))
            g.cmp(f"{x}/{n}@{level} high", num(r[2]), centre + half)
    g.report()


def check_sample_size():
    g = Group("sample size per arm (normal-approximation formula)")
    cases = [(0.1, 0.02, 0.05, 0.8), (0.1, -0.02, 0.05, 0.8), (0.5, 0.1, 0.01, 0.9), (0.02, 0.001, 0.05, 0.8),
             (0.3, 0.05, 0.1, 0.95), (0.9, 0.05, 0.05, 0.5), (0.001, 0.0005, 0.001, 0.99)]
    values = ", ".join(f"({a}::float8, {b}::float8, {c}::float8, {d}::float8)" for a, b, c, d in cases)
    rows = psql(f"SELECT response_sample_size(a, b, c, d) FROM (VALUES {values}) v(a, b, c, d)")
    for (p1, mde, alpha, power), r in zip(cases, rows):
        p2 = p1 + mde
        pbar = (p1 + p2) / 2
        root = stats.norm.isf(alpha / 2) * math.sqrt(2 * pbar * (1 - pbar)) + stats.norm.ppf(power) * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
        ref = math.ceil(root * root / (mde * mde))
        g.cmp(f"{p1},{mde},{alpha},{power}", float(r[0]), float(ref), 0)
    g.report()


def welch_ref(n1, m1, s1, n2, m2, s2, level):
    res = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False)
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    half = t_isf((1 - level) / 2, df) * math.sqrt(v1 + v2)
    return res.statistic, res.pvalue, df, m1 - m2 - half, m1 - m2 + half


def check_welch_moments():
    g = Group("Welch t-test from moments (ttest_ind_from_stats; interval from scipy t)")
    cases = [(2, 10.0, 1.0, 2, 12.0, 3.0), (5, 43.4, 52.0, 4, 26.25, 49.0), (30, 100.0, 15.0, 45, 92.0, 30.0),
             (1000, 61.5, 80.0, 900, 58.25, 70.0), (10**6, 231.0, 300.0, 2 * 10**6, 230.0, 290.0),
             (10**9, 593.0, 500.0, 10**9, 592.9, 510.0), (3, 1e-3, 1e-4, 50, 2e-3, 5e-4), (12, 5.0, 0.001, 7, -5.0, 0.002)]
    for level in (0.95, 0.9, 0.99):
        states = []
        for n1, m1, s1, n2, m2, s2 in cases:
            # M2 = (n - 1) s^2, written with repr (lossless)
            states.append(f"('treated=0/0 control=0/0 treated_values={n1}/{m1!r}/{(n1 - 1) * s1 * s1!r} "
                          f"control_values={n2}/{m2!r}/{(n2 - 1) * s2 * s2!r}'::response_state)")
            rows = None
        rows = psql(f"SELECT r.t, r.p_value, r.df, r.ci_low, r.ci_high, r.treated_sd, r.control_sd FROM (VALUES {', '.join(states)}) v(s), segment_mean_response(s, {level}) r")
        for (n1, m1, s1, n2, m2, s2), r in zip(cases, rows):
            # the state holds M2 = (n-1) s^2 rounded: the reference uses the same sd back from it
            sd1 = math.sqrt(((n1 - 1) * s1 * s1) / (n1 - 1))
            sd2 = math.sqrt(((n2 - 1) * s2 * s2) / (n2 - 1))
            t, p, df, lo, hi = welch_ref(n1, m1, sd1, n2, m2, sd2, level)
            lab = f"{n1}:{m1}:{s1} vs {n2}:{m2}:{s2}@{level}"
            r = [num(v) for v in r]
            g.cmp(lab + " t", r[0], t)
            g.cmp(lab + " p", r[1], p)
            g.cmp(lab + " df", r[2], df)
            g.cmp(lab + " ci_low", r[3], lo)
            g.cmp(lab + " ci_high", r[4], hi)
            g.cmp(lab + " sd", r[5], sd1)
    g.report()


def check_ab():
    g = Group("A/B/n: per-variant z and p, Holm (exact fractions + scipy norm)")
    gc = Group("A/B/n: chi-square across variants (chi2_contingency, correction=False)")
    tables = [
        {"control": (1000, 100), "a": (1000, 130), "b": (1000, 90), "c": (1000, 125)},
        {"control": (50000, 1400), "variant_a": (50500, 1520), "variant_b": (49000, 1300)},
        {"control": (10**9, 10**8), "a": (10**9, 100010000), "b": (999999999, 99990000)},
        {"control": (7, 1), "x": (3, 3), "y": (5, 0), "z": (9, 4), "w": (2, 1)},
    ]
    for tab in tables:
        lit = "{" + ", ".join(f'"{k}": {n}/{x}' for k, (n, x) in tab.items()) + "}"
        rows = psql(f"SELECT variant, z, p_value, p_adjusted FROM response_ab_test('{lit}', 'control', 'holm')")
        nc, xc = tab["control"]
        ps = {}
        for r in rows:
            if r[0] == "control":
                continue
            nt, xt = tab[r[0]]
            diff, z, p = pooled(nt, xt, nc, xc)
            g.cmp(f"{r[0]} z", num(r[1]), z)
            g.cmp(f"{r[0]} p", num(r[2]), p)
            ps[r[0]] = (p, num(r[3]))
        order = sorted(ps, key=lambda k: ps[k][0])
        m, running = len(order), 0.0
        for i, k in enumerate(order):
            running = max(running, min(1.0, (m - i) * ps[k][0]))
            g.cmp(f"{k} holm", ps[k][1], running)
        chi = psql(f"SELECT chi2, df, p_value FROM response_ab_chi2('{lit}')")[0]
        obs = [[x, n - x] for n, x in tab.values()]
        c2, pc, dof, _ = stats.chi2_contingency(obs, correction=False)
        # exact Pearson statistic from fractions; p from scipy's chi2
        N = sum(n for n, _ in tab.values())
        X = sum(x for _, x in tab.values())
        exact = float(sum(F((x * N - n * X) ** 2, n * X * (N - X)) for n, x in tab.values()))
        gc.cmp("chi2 (exact fractions)", num(chi[0]), exact)
        gc.cmp("df", num(chi[1]), float(dof))
        gc.cmp("p (scipy chi2.sf of the exact statistic)", num(chi[2]), stats.chi2.sf(exact, dof))
        if max(n for n, _ in tab.values()) < 10**8:
            gc.cmp("chi2 vs chi2_contingency", num(chi[0]), c2)
            gc.cmp("p vs chi2_contingency", num(chi[2]), pc)
    g.report()
    gc.report()


def check_sample_data():
    g = Group("sample data per segment: segment_response vs chi2_contingency and exact rates")
    gw = Group("sample data per segment: segment_mean_response vs ttest_ind(equal_var=False) on raw values")
    gv = Group("sample data: A/B/n variants vs chi2_contingency")
    per_customer = """
        WITH pc AS (
          SELECT c.customer_id, c.segment, c.ab_variant, c.campaign_group = 'treatment' AS treated,
                 coalesce(bool_or(t.event = 'purchase' AND t.occurred_at >= '2025-03-01' AND t.occurred_at < '2025-06-01'), false) AS responded,
                 coalesce(sum(t.revenue), 0)::float8 AS revenue
          FROM customers c LEFT JOIN touchpoints t USING (customer_id)
          GROUP BY c.customer_id)
    """
    raw = psql(per_customer + "SELECT segment, ab_variant, treated, responded, revenue FROM pc")
    ours = {r[0]: r[1:] for r in psql(per_customer + "SELECT segment, (segment_response(treated, responded)).*, (segment_mean_response(treated, revenue)).* FROM pc GROUP BY segment")}
    for seg, r in ours.items():
        rows = [x for x in raw if x[0] == seg]
        tr = [x[3] == "t" for x in rows if x[2] == "t"]
        cr = [x[3] == "t" for x in rows if x[2] == "f"]
        nt, xt, nc, xc = len(tr), sum(tr), len(cr), sum(cr)
        r = [num(v) for v in r]
        g.cmp(seg + " treated_rate", r[2], float(F(xt, nt)), 0)
        g.cmp(seg + " control_rate", r[5], float(F(xc, nc)), 0)
        chi2, pc, _, _ = stats.chi2_contingency([[xt, nt - xt], [xc, nc - xc]], correction=False)
        g.cmp(seg + " p_value", r[11], pc)
        g.cmp(seg + " z^2", r[10] ** 2, chi2)
        tv = np.array([float(x[4]) for x in rows if x[2] == "t"])
        cv = np.array([float(x[4]) for x in rows if x[2] == "f"])
        res = stats.ttest_ind(tv, cv, equal_var=False)
        m = r[12:]
        gw.cmp(seg + " treated_mean", m[1], float(np.mean(tv)))
        gw.cmp(seg + " treated_sd", m[2], float(np.std(tv, ddof=1)))
        gw.cmp(seg + " control_mean", m[4], float(np.mean(cv)))
        gw.cmp(seg + " t", m[10], float(res.statistic))
        gw.cmp(seg + " p", m[12], float(res.pvalue))
        v1, v2 = np.var(tv, ddof=1) / len(tv), np.var(cv, ddof=1) / len(cv)
        df = (v1 + v2) ** 2 / (v1 * v1 / (len(tv) - 1) + v2 * v2 / (len(cv) - 1))
        gw.cmp(seg + " df", m[11], float(df))
        half = t_isf(0.025, df) * math.sqrt(v1 + v2)
        gw.cmp(seg + " ci_low", m[8], float(np.mean(tv) - np.mean(cv) - half))
    chi = psql(per_customer + "SELECT (response_ab_chi2(response_variants_agg(ab_variant, responded))).* FROM pc WHERE treated")[0]
    variants = sorted({x[1] for x in raw if x[2] == "t"})
    obs = [[sum(1 for x in raw if x[2] == "t" and x[1] == v and x[3] == "t"),
            sum(1 for x in raw if x[2] == "t" and x[1] == v and x[3] == "f")] for v in variants]
    c2, pc, dof, _ = stats.chi2_contingency(obs, correction=False)
    gv.cmp("chi2", num(chi[0]), c2)
    gv.cmp("p", num(chi[2]), pc)
    g.report()
    gw.report()
    gv.report()


def main():
    for check in (check_counts, check_wilson, check_sample_size, check_welch_moments, check_ab, check_sample_data):
        try:
            check()
        except Exception as e:  # one failing group must not hide the others
            print(f"not ok|{check.__name__} ran|{type(e).__name__}: {e}".replace("\n", " "))


if __name__ == "__main__":
    main()
