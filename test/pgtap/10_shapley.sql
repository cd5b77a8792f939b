-- The Shapley model: exact values against a plain-SQL formulation, its cost
-- bounded by work (ATTR_MAX_SHAPLEY_STEPS), not by the number of journeys.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(5);

-- 2,000 customers, each converting on a distinct set of 20 of 40 channels (the
-- case that took 240 s when every converting set cost 2^20 steps).  No set is
-- within another, so each set's only touched subset is itself, and each of
-- its channels gets 1/20 of its conversion.
CREATE TEMP TABLE p20 AS
SELECT g, ARRAY(SELECT 'c' || k FROM generate_series(1, 40) k ORDER BY hashint4(g * 100 + k) LIMIT 20) AS path
FROM generate_series(1, 2000) g;
SET LOCAL statement_timeout = '20s';
SELECT results_eq(
    $$SELECT channel, round(conversions::numeric, 9)
      FROM attribution_credits((SELECT attribution_agg(path, 1::bigint, 1::bigint, 0::numeric, 'shapley') FROM p20))
      WHERE conversions <> 0 ORDER BY 1$$,
    $$SELECT c, round(count(*) / 20.0, 9) FROM p20, unnest(path) c GROUP BY c ORDER BY 1$$,
    '2,000 converting journeys over 20 distinct channels each: exact, within the statement timeout');
RESET statement_timeout;

-- Nested sets: 400 paths over 8 channels with conversions and journeys without
-- one.  Small converting sets find their touched subsets by looking each up,
-- larger ones by testing every converting set; both against the formula in
-- plain SQL: phi_c = sum over touched U within T of v(U) * (w(|U|-1) if c in
-- U, else -w(|U|)), with w(s) = s! (|T|-s-1)! / |T|! and v the conversion rate.
CREATE TEMP TABLE pn AS
SELECT ARRAY(SELECT 'ch' || k FROM generate_series(1, 8) k ORDER BY hashint4(g * 31 + k) LIMIT 1 + g % 6) AS path,
       (g % 3)::bigint AS conv, (g % 2)::bigint AS nulls, (g % 7)::numeric AS revenue
FROM generate_series(1, 400) g;
CREATE TEMP TABLE shap AS
SELECT * FROM attribution_credits((SELECT attribution_agg(path, conv, nulls, revenue, 'shapley') FROM pn));
SELECT results_eq(
    $$SELECT channel, round(conversions::numeric, 9), round(revenue::numeric, 6) FROM shap ORDER BY 1$$,
    $$WITH sets AS (SELECT ARRAY(SELECT DISTINCT x FROM unnest(path) x ORDER BY x) AS s,
                           sum(conv) AS conv, sum(nulls) AS nulls, sum(revenue) AS rev
                    FROM pn GROUP BY 1),
           rated AS (SELECT s, conv, rev, conv::float8 / (conv + nulls) AS v FROM sets WHERE conv > 0),
           terms AS (SELECT t.s AS ts, t.conv, t.rev, t.v AS vt, c,
                            sum(u.v * CASE WHEN c = ANY (u.s)
                                           THEN (factorial(cardinality(u.s) - 1) * factorial(cardinality(t.s) - cardinality(u.s)))::float8
                                           ELSE -(factorial(cardinality(u.s)) * factorial(cardinality(t.s) - cardinality(u.s) - 1))::float8
                                      END / factorial(cardinality(t.s))::float8) AS phi
                     FROM rated t JOIN rated u ON u.s <@ t.s, unnest(t.s) c
                     GROUP BY t.s, t.conv, t.rev, t.v, c)
      SELECT c, round(sum(conv * phi / vt)::numeric, 9), round(sum(rev * phi / vt)::numeric, 6)
      FROM terms GROUP BY c ORDER BY 1$$,
    'nested channel sets: credits = the subset formula in plain SQL');
SELECT is((SELECT round(sum(conversions)::numeric, 9) FROM shap), (SELECT sum(conv)::numeric FROM pn),
          'the credits add up to the conversions');

-- Converting sets on channels of their own (singletons z1..z300) make the
-- small sets look their subsets up; the credits of ch1..ch8 do not change.
SELECT results_eq(
    $$SELECT channel, round(conversions::numeric, 9) FROM attribution_credits((
          SELECT attribution_agg(path, conv, nulls, revenue, 'shapley')
          FROM (SELECT * FROM pn UNION ALL SELECT ARRAY['z' || g], 1, 0, 0 FROM generate_series(1, 300) g) x))
      WHERE channel LIKE 'ch%' ORDER BY 1$$,
    $$SELECT channel, round(conversions::numeric, 9) FROM shap ORDER BY 1$$,
    'looking subsets up and testing converting sets give the same credits');

-- 45,000 distinct converting sets of 20 channels: 45,000 tests each, over
-- the 2,000,000,000 steps of the limit; refused before any work
CREATE TEMP TABLE p45 AS
SELECT ARRAY(SELECT 'c' || k FROM generate_series(1, 40) k ORDER BY hashint4(g * 100 + k) LIMIT 20) AS path
FROM generate_series(1, 45000) g;
SET LOCAL statement_timeout = '20s';
SELECT throws_ok(
    $$SELECT * FROM attribution_credits((SELECT attribution_agg(path, 1::bigint, 0::bigint, 0::numeric, 'shapley') FROM p45))$$,
    '54000', NULL, 'past the work limit: a clean 54000 error');

SELECT * FROM finish();
ROLLBACK;
