-- Fuzzing the text input of journey, touchpoint and stage.
--
-- From valid seed literals, a seeded LCG (not random(): runs repeat exactly)
-- derives ~5000 mutants per type: every prefix of every seed, then random
-- stacks of 1-3 edits (delete, duplicate, swap, delete a run, insert or
-- overwrite with special text -- quotes, backslashes, ; { } [ ] <, spaces,
-- digits, - : T Z + ., NULL, long digit runs, a 2000-byte label -- change a
-- digit, splice with another seed), plus a few hand-made extremes. Each
-- mutant is cast in its own subtransaction. Asserted:
--   * every rejection has SQLSTATE 22P02, 22008, 54000, 22023 or 22003;
--   * every accepted mutant round-trips: x::text::T = x and
--     x::text::T::text = x::text (and its jsonb cast / send work);
-- and the counts by SQLSTATE are reported with diag().
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(15);

-- The mutants of seeds: every prefix of every seed, then random edits until
-- target rows. donors: material for splices. Deterministic for a given seed.
CREATE FUNCTION pg_temp.cj_mutants(seeds text[], donors text[], target int, rng bigint)
RETURNS TABLE (k int, m text) LANGUAGE plpgsql AS $fn$
DECLARE
    specials constant text[] := ARRAY[
        '"', '\', ';', '{', '}', '[', ']', '<', ' ', '   ', E'\t', E'\n',
        '0', '1', '2', '5', '9', '00', '99', '-', ':', 'T', 'Z', 't', 'z', '+', '.',
        'NULL', 'null', '""', '"\"', '\"', '"x y"', 'e', 'E', 'e5', 'E-7', 'e1001', 'e999999',
        '12345678901234567890123456789012345678901234567890', repeat('7', 400),
        '0000', '9999', '10000', '-12', '+14:00', '-15:59', '+16:00', '+05:3', '24:00:00',
        '23:59:60', '2024-02-29', '2025-02-29', '.000001', '.1234567', 'infinity', 'NaN',
        '-0', 'é', '✓', '😀', repeat('x', 2000), '};{', '; ', '[a<b] ', '[awareness] ',
        '<b', 'awareness', 'advocacy', 'lead', 'mql', '9999-12-31T23:59:59.999999Z',
        '0001-01-01T00:00:00+01:00', '2025-03-01T09:00:00Z'];
    nspec constant int := array_length(specials, 1);
    st bigint := rng;
    s text;
    d text;
    pos int;
    len int;
    nops int;
    op int;
    i int;
BEGIN
    -- The LCG (glibc's constants, mod 2^31) is stepped inline with
    --   st := (st * 1103515245 + 12345) & 2147483647
    -- and draws use st >> 8, dropping the weak low bits.
    k := 0;
    FOREACH s IN ARRAY seeds LOOP
        FOR pos IN 0 .. length(s) - 1 LOOP
            k := k + 1;
            m := left(s, pos);
            RETURN NEXT;
        END LOOP;
    END LOOP;

    WHILE k < target LOOP
        st := (st * 1103515245 + 12345) & 2147483647;
        s := seeds[1 + (st >> 8) % array_length(seeds, 1)];
        st := (st * 1103515245 + 12345) & 2147483647;
        nops := CASE WHEN (st >> 8) % 10 < 6 THEN 1 WHEN (st >> 8) % 10 < 9 THEN 2 ELSE 3 END;
        FOR i IN 1 .. nops LOOP
            len := length(s);
            st := (st * 1103515245 + 12345) & 2147483647;
            op := (st >> 8) % 11;
            st := (st * 1103515245 + 12345) & 2147483647;
            pos := (st >> 8) % (len + 1);          -- 0 .. len: chars before the edit
            st := (st * 1103515245 + 12345) & 2147483647;
            CASE op
                WHEN 0 THEN                         -- delete one char
                    s := left(s, pos) || substr(s, pos + 2);
                WHEN 1 THEN                         -- duplicate one char
                    s := left(s, pos) || substr(s, pos + 1, 1) || substr(s, pos + 1);
                WHEN 2 THEN                         -- swap two neighbours
                    s := left(s, pos) || substr(s, pos + 2, 1) || substr(s, pos + 1, 1) || substr(s, pos + 3);
                WHEN 3 THEN                         -- delete a run of 2..12 chars
                    s := left(s, pos) || substr(s, pos + 3 + ((st >> 8) % 11)::int);
                WHEN 4, 5, 6 THEN                   -- insert special text
                    s := left(s, pos) || specials[1 + (st >> 8) % nspec] || substr(s, pos + 1);
                WHEN 7 THEN                         -- overwrite one char with special text
                    s := left(s, pos) || specials[1 + (st >> 8) % nspec] || substr(s, pos + 2);
                WHEN 8 THEN                         -- change the next digit
                    WHILE pos < len AND substr(s, pos + 1, 1) !~ '[0-9]' LOOP
                        pos := pos + 1;
                    END LOOP;
                    s := left(s, pos) || ((st >> 8) % 10)::text || substr(s, pos + 2);
                ELSE                                -- splice: our head, a donor's tail
                    d := donors[1 + (st >> 8) % array_length(donors, 1)];
                    st := (st * 1103515245 + 12345) & 2147483647;
                    s := left(s, pos) || substr(d, 1 + ((st >> 8) % (length(d) + 1))::int);
            END CASE;
        END LOOP;
        k := k + 1;
        m := s;
        RETURN NEXT;
    END LOOP;
END
$fn$;

-- Cast m to typ. state: NULL when accepted, else the SQLSTATE. problem: why
-- an accepted value misbehaves (round trip, jsonb, send), NULL when fine.
CREATE FUNCTION pg_temp.cj_try(typ text, m text, OUT state text, OUT problem text)
LANGUAGE plpgsql AS $fn$
DECLARE
    j journey;
    t touchpoint;
    s stage;
BEGIN
    BEGIN
        CASE typ
            WHEN 'journey' THEN j := m::journey;
            WHEN 'touchpoint' THEN t := m::touchpoint;
            ELSE s := m::stage;
        END CASE;
    EXCEPTION WHEN others THEN
        state := SQLSTATE;
        RETURN;
    END;
    -- accepted: a failure from here on is a bug whatever its SQLSTATE
    BEGIN
        CASE typ
            WHEN 'journey' THEN
                IF NOT (j::text::journey = j) THEN
                    problem := 'x::text::journey <> x';
                ELSIF j::text::journey::text <> j::text THEN
                    problem := 'x::text::journey::text <> x::text';
                ELSIF j::jsonb IS NULL OR journey_send(j) IS NULL OR journey_length(j) < 0 THEN
                    problem := 'jsonb/send/length';
                END IF;
            WHEN 'touchpoint' THEN
                IF NOT (t::text::touchpoint = t) THEN
                    problem := 'x::text::touchpoint <> x';
                ELSIF t::text::touchpoint::text <> t::text THEN
                    problem := 'x::text::touchpoint::text <> x::text';
                ELSIF t::jsonb IS NULL OR touchpoint_send(t) IS NULL THEN
                    problem := 'jsonb/send';
                END IF;
            ELSE
                IF s::text::stage <> s OR s::text::stage::text <> s::text THEN
                    problem := 'stage round trip';
                END IF;
        END CASE;
    EXCEPTION WHEN others THEN
        problem := 'error ' || SQLSTATE || ' on an accepted value: ' || SQLERRM;
    END;
END
$fn$;

CREATE TEMP TABLE seeds (typ text, seed text);
INSERT INTO seeds VALUES
    ('journey', '{}'),
    ('journey', '{2025-03-01T09:00:00Z decision store purchase 129.90}'),
    ('journey', '{2025-03-01T09:00:00Z awareness web ad_click; 2025-03-02T10:30:00.5+02:00 consideration email NULL; 2025-03-03T00:00:00Z decision store purchase -12.5e3}'),
    ('journey', '[lead<mql<sql<opportunity<customer] {2025-03-01T09:00:00.123456Z mql "a b" "x\"y\\z" 1.00; 2025-03-01T09:00:00Z lead NULL NULL}'),
    ('journey', '["a b"<"x<y"<NULL] {0001-01-01T00:00:00Z "a b" "" "NULL"; 9999-12-31T23:59:59.999999Z NULL null Null 0}'),
    ('journey', '{"2025-03-01 09:00:00+01" retention web NULL}'),
    ('journey', '  { 2025-03-01t09:00:00z   retention   web   NULL  ;2025-03-01T09:00:00-0330 advocacy web NULL +1 }  '),
    ('touchpoint', '2025-03-01T09:00:00Z decision store purchase 129.90'),
    ('touchpoint', '2025-03-01T09:00:00Z awareness NULL NULL'),
    ('touchpoint', '[lead<mql<sql<opportunity<customer] 2025-03-01T09:00:00.5-03:00 mql "sign up" "x\"y" -42.50'),
    ('touchpoint', '["a b"<c] 0001-01-01T00:00:00+00 "a b" "" "NULL" 0.000001'),
    ('touchpoint', '9999-12-31T23:59:59.999999Z advocacy "{}" "[]" 1e10'),
    ('touchpoint', ' "2025-03-01 09:00:00+01:00" retention web null .5 '),
    ('stage', 'awareness'), ('stage', 'consideration'), ('stage', 'decision'),
    ('stage', 'retention'), ('stage', 'advocacy');

-- the seeds are valid
SELECT is((SELECT count(*) FROM seeds, LATERAL pg_temp.cj_try(typ, seed) r
           WHERE r.state IS NOT NULL OR r.problem IS NOT NULL),
          0::bigint, 'every seed literal is accepted and round-trips');

-- ~5000 mutants per type, with a few hand-made extremes
CREATE TEMP TABLE mutants AS
SELECT typ, k, m
FROM (VALUES ('journey', 5000, 20250301), ('touchpoint', 5000, 42), ('stage', 5000, 7)) AS p(typ, target, rng),
     LATERAL pg_temp.cj_mutants((SELECT array_agg(seed ORDER BY seed) FROM seeds s WHERE s.typ = p.typ),
                                (SELECT array_agg(seed ORDER BY seed) FROM seeds),
                                target, rng);
INSERT INTO mutants
SELECT typ, 100000 + n, m FROM (VALUES
    (1, 'journey', '{2025-03-01T09:00:00Z decision store purchase ' || repeat('9', 131073) || '}'),
    (2, 'journey', '{2025-03-01T09:00:00Z decision store purchase ' || repeat('9', 131000) || '}'),
    (3, 'journey', '{2025-03-01T09:00:00Z decision "' || repeat('x', 1025) || '" NULL}'),
    (4, 'journey', '{2025-03-01T09:00:00Z decision "' || repeat('é', 512) || '" NULL}'),
    (5, 'journey', '[' || (SELECT string_agg('s' || i, '<') FROM generate_series(1, 256) i) || '] {}'),
    (6, 'journey', '[' || (SELECT string_agg('s' || i, '<') FROM generate_series(1, 255) i) || '] {2025-03-01T09:00:00Z s255 a b}'),
    (7, 'journey', '[' || repeat('s', 63) || '] {}'),
    (8, 'journey', '[' || repeat('é', 32) || '] {}'),
    (9, 'journey', '{9999-12-31T23:59:59.999999-00:01 decision a b}'),
    (10, 'journey', '{0001-01-01T00:00:00+00:01 decision a b}'),
    (11, 'journey', '{0001-01-01T00:00:00-15:59 decision a b}'),
    (12, 'touchpoint', '2025-03-01T09:00:00Z decision store purchase -' || repeat('9', 131073)),
    (13, 'touchpoint', '2025-03-01T09:00:00Z decision "' || repeat('\\', 1025) || '" NULL'),
    (14, 'touchpoint', '2025-03-01T09:00:00Z decision "' || repeat('\\', 1024) || '" NULL'),
    (15, 'touchpoint', '9999-12-31T23:59:59Z advocacy a b 1e' || repeat('9', 30)),
    (16, 'touchpoint', '10000-01-01T00:00:00Z advocacy a b')) v(n, typ, m);

CREATE TEMP TABLE results AS
SELECT mu.typ, mu.k, mu.m, r.state, r.problem
FROM mutants mu, LATERAL pg_temp.cj_try(mu.typ, mu.m) r;

-- repeatable: the generator gives the same mutants again
SELECT is((SELECT md5(string_agg(m, E'\x01' ORDER BY typ, k)) FROM mutants WHERE k < 100000),
          (SELECT md5(string_agg(m, E'\x01' ORDER BY typ, k))
           FROM (VALUES ('journey', 5000, 20250301), ('touchpoint', 5000, 42), ('stage', 5000, 7)) AS p(typ, target, rng),
                LATERAL pg_temp.cj_mutants((SELECT array_agg(seed ORDER BY seed) FROM seeds s WHERE s.typ = p.typ),
                                           (SELECT array_agg(seed ORDER BY seed) FROM seeds),
                                           target, rng)),
          'the LCG generator is deterministic');

-- per type: enough mutants, only expected SQLSTATEs, round trips, both outcomes seen
SELECT cmp_ok((SELECT count(*) FROM results WHERE typ = t), '>=', n::bigint,
              format('%s: at least %s mutants tried', t, n))
FROM (VALUES ('journey', 5000), ('touchpoint', 5000), ('stage', 5000)) v(t, n);

SELECT is((SELECT count(*) FROM results
           WHERE typ = t AND state NOT IN ('22P02', '22008', '54000', '22023', '22003')),
          0::bigint, format('%s: every rejection is 22P02, 22008, 54000, 22023 or 22003', t))
FROM (VALUES ('journey'), ('touchpoint'), ('stage')) v(t);

SELECT is((SELECT count(*) FROM results WHERE typ = t AND state IS NULL AND problem IS NOT NULL),
          0::bigint, format('%s: every accepted mutant round-trips through text', t))
FROM (VALUES ('journey'), ('touchpoint'), ('stage')) v(t);

SELECT ok((SELECT count(*) FILTER (WHERE state IS NULL) > 0 AND count(*) FILTER (WHERE state IS NOT NULL) > 0
           FROM results WHERE typ = t),
          format('%s: some mutants are accepted, some rejected', t))
FROM (VALUES ('journey'), ('touchpoint'), ('stage')) v(t);

-- the hand-made extremes hit the limits they aim at
SELECT is((SELECT string_agg(coalesce(state, 'ok'), ' ' ORDER BY k) FROM results WHERE k > 100000),
          '22003 ok 54000 ok 54000 ok ok 22P02 22008 22008 ok 22003 54000 ok 22003 22P02',
          'hand-made extremes: numeric overflow, label and stage limits, time range');

-- failures, for the log
SELECT diag(format('%s: unexpected %s for %s', typ, coalesce(state, 'acceptance'),
                   left(m, 200) || CASE WHEN length(m) > 200 THEN '...' ELSE '' END
                   || coalesce(' (' || problem || ')', '')))
FROM (SELECT * FROM results
      WHERE state NOT IN ('22P02', '22008', '54000', '22023', '22003')
         OR (state IS NULL AND problem IS NOT NULL)
      ORDER BY typ, k LIMIT 20) f;
-- counts by SQLSTATE
SELECT diag(format('%s: %s mutants (%s distinct): %s', typ, count(*), count(DISTINCT m),
                   (SELECT string_agg(coalesce(state, 'accepted') || ' ' || c, ', ' ORDER BY coalesce(state, 'accepted'))
                    FROM (SELECT state, count(*) AS c FROM results r2 WHERE r2.typ = r.typ GROUP BY state) g)))
FROM results r GROUP BY typ ORDER BY typ;

SELECT * FROM finish();
ROLLBACK;
