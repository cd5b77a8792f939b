-- value_checks.sql: what the stored values of the tables in one schema read
-- as, one "label<TAB>value" line per check, found from the catalogs alone
-- (no list of types, columns or functions), so that test/suites/upgrade.sh
-- can compare the lines before and after ALTER EXTENSION UPDATE, and with
-- the same values in a fresh install, whatever objects a release adds.
--
--   psql -X -At -F '<TAB>' -v ON_ERROR_STOP=1 -v schema=bin -v ext=cjourney -f value_checks.sql
--
-- For every table of the schema (rows in primary-key order) and every column:
--   text       md5 of the text output of every value
--   send       md5 of the type's binary send output
--   roundtrip  values whose text or send output changes through ::text::type
--   order      md5 of the primary keys in the order of the type's default
--              btree opclass, and the counts of <, = and > over every pair
--              (tables of at most 2,000 rows)
--   hashjoin   rows of a self hash join on the column, where the type's
--              default hash opclass exists
--   f()        every non-volatile function of the extension that takes the
--              column's type as its one argument (others defaulted): md5 of
--              its results (set-returning functions: the rows of each call)
--   agg()      every aggregate of the extension with the column's type as
--              its one argument (rollup, ...): over the whole table in key
--              order, and grouped by the leading key columns in the order of
--              the last one (the daily tables: per customer or segment by day),
--              and of each row alone
-- A function check that raises an error for some values is redone row by
-- row ("per row"), so the values that raise are told from those that do not.
-- A check that raises an error yields "ERROR <sqlstate> <message>", which is
-- compared like any other result.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, MDY';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 1;

CREATE FUNCTION pg_temp.cj_check(sql text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    v text;
BEGIN
    EXECUTE sql INTO v;
    RETURN coalesce(v, 'NULL');
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE || ' ' || SQLERRM;
END
$fn$;

-- md5 of expr evaluated on each row of rel (non-NULL col) on its own, in key
-- order, so that the rows that raise an error are told from those that do not
CREATE FUNCTION pg_temp.cj_per_row(expr text, rel text, pk text, col text) RETURNS text LANGUAGE plpgsql AS $fn$
BEGIN
    RETURN 'per row ' || pg_temp.cj_check(format(
        $$SELECT md5(string_agg(pg_temp.cj_check(%L || quote_literal(ctid::text)), E'\n' ORDER BY %s))
          FROM %s WHERE %s IS NOT NULL$$, format('SELECT %s FROM %s WHERE ctid = ', expr, rel), pk, rel, col));
END
$fn$;

CREATE FUNCTION pg_temp.cj_value_checks(sch name, ext name) RETURNS TABLE (label text, value text)
LANGUAGE plpgsql AS $fn$
DECLARE
    tb record;
    col record;
    f record;
    pk text;       -- primary key columns, comma-separated
    pkhead text;   -- all but the last (NULL if the key has one column)
    pklast text;
    nrows bigint;
    rel text;
    c text;
    ty text;
    btree_ok boolean;
    hash_ok boolean;
    call text;
BEGIN
    FOR tb IN SELECT cl.oid, cl.relname FROM pg_class cl
              WHERE cl.relnamespace = sch::regnamespace AND cl.relkind = 'r' ORDER BY cl.relname LOOP
        rel := format('%I.%I', sch, tb.relname);
        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord),
               string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord) FILTER (WHERE k.ord < cardinality(i.indkey::int2[])),
               (array_agg(quote_ident(a.attname) ORDER BY k.ord DESC))[1]
          INTO pk, pkhead, pklast
          FROM pg_index i, unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord), pg_attribute a
         WHERE i.indrelid = tb.oid AND i.indisprimary AND a.attrelid = i.indrelid AND a.attnum = k.attnum
         GROUP BY i.indkey;
        IF pk IS NULL THEN
            label := tb.relname || ' primary key'; value := 'missing: rows have no stable order';
            RETURN NEXT;
            CONTINUE;
        END IF;
        EXECUTE format('SELECT count(*) FROM %s', rel) INTO nrows;
        label := tb.relname || ' rows'; value := nrows; RETURN NEXT;

        FOR col IN SELECT a.attname, a.atttypid, t.typsend::oid AS typsend, t.typtype
                   FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                   WHERE a.attrelid = tb.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum LOOP
            c := quote_ident(col.attname);
            ty := format_type(col.atttypid, NULL);
            label := tb.relname || '.' || col.attname || ' ';

            value := pg_temp.cj_check(format(
                $$SELECT md5(string_agg(coalesce(%s::text, '\N'), E'\n' ORDER BY %s)) FROM %s$$, c, pk, rel));
            label := split_part(label, ' ', 1) || ' text'; RETURN NEXT;
            IF col.typsend <> 0 THEN
                value := pg_temp.cj_check(format(
                    $$SELECT md5(string_agg(coalesce(encode(%s(%s), 'hex'), '\N'), E'\n' ORDER BY %s)) FROM %s$$,
                    col.typsend::regproc, c, pk, rel));
                label := split_part(label, ' ', 1) || ' send'; RETURN NEXT;
                value := pg_temp.cj_check(format(
                    $$SELECT count(*) FROM %s WHERE %s::text::%s::text IS DISTINCT FROM %s::text
                                                 OR %s(%s::text::%s) IS DISTINCT FROM %s(%s)$$,
                    rel, c, ty, c, col.typsend::regproc, c, ty, col.typsend::regproc, c));
                label := split_part(label, ' ', 1) || ' roundtrip'; RETURN NEXT;
            END IF;

            SELECT EXISTS (SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
                           WHERE am.amname = 'btree' AND oc.opcdefault AND oc.opcintype = col.atttypid),
                   EXISTS (SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
                           WHERE am.amname = 'hash' AND oc.opcdefault AND oc.opcintype = col.atttypid)
              INTO btree_ok, hash_ok;
            IF col.typtype = 'e' THEN -- enums use the anyenum classes
                btree_ok := true; hash_ok := true;
            END IF;
            IF btree_ok THEN
                value := pg_temp.cj_check(format(
                    $$SELECT md5(string_agg((%s)::text, ',' ORDER BY %s, %s)) FROM %s WHERE %s IS NOT NULL$$,
                    pk, c, pk, rel, c));
                label := split_part(label, ' ', 1) || ' order'; RETURN NEXT;
                IF nrows <= 2000 THEN
                    value := pg_temp.cj_check(format(
                        $$SELECT count(*) FILTER (WHERE x.%s < y.%s) || ' ' || count(*) FILTER (WHERE x.%s = y.%s)
                                 || ' ' || count(*) FILTER (WHERE x.%s > y.%s) FROM %s x, %s y$$,
                        c, c, c, c, c, c, rel, rel));
                    label := split_part(label, ' ', 1) || ' pairs'; RETURN NEXT;
                END IF;
            END IF;
            IF hash_ok THEN
                value := pg_temp.cj_check(format(
                    $$SELECT count(*) FROM %s x JOIN %s y ON x.%s = y.%s$$, rel, rel, c, c));
                label := split_part(label, ' ', 1) || ' hashjoin'; RETURN NEXT;
            END IF;

            -- the extension's one-argument functions of this type
            FOR f IN SELECT p.oid::regprocedure AS sig, p.oid::regproc AS fn, p.proretset, p.prokind
                     FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                          AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
                          JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = ext
                     WHERE p.pronargs - p.pronargdefaults = 1 AND p.proargtypes[0] = col.atttypid
                       AND p.provolatile <> 'v' AND p.prokind IN ('f', 'a')
                       AND (p.prokind = 'f' OR (SELECT aggkind FROM pg_aggregate WHERE aggfnoid = p.oid) = 'n')
                     ORDER BY p.oid::regprocedure::text LOOP
                IF f.prokind = 'a' THEN
                    value := pg_temp.cj_check(format(
                        $$SELECT md5(coalesce(%s(%s ORDER BY %s)::text, '\N')) FROM %s$$, f.fn, c, pk, rel));
                    label := split_part(label, ' ', 1) || ' ' || f.sig::text; RETURN NEXT;
                    value := pg_temp.cj_per_row(format('%s(%s)::text', f.fn, c), rel, pk, c);
                    label := split_part(label, ' ', 1) || ' ' || f.sig::text || ' of each row'; RETURN NEXT;
                    IF pkhead IS NOT NULL THEN
                        value := pg_temp.cj_check(format(
                            $$SELECT md5(string_agg(g || ' ' || coalesce(v::text, '\N'), E'\n' ORDER BY g))
                              FROM (SELECT (%s)::text AS g, %s(%s ORDER BY %s) AS v FROM %s GROUP BY %s) s$$,
                            pkhead, f.fn, c, pklast, rel, pkhead));
                        label := split_part(label, ' ', 1) || ' ' || f.sig::text || ' by ' || pkhead; RETURN NEXT;
                    END IF;
                ELSE
                    IF f.proretset THEN
                        call := format($$(SELECT string_agg(x::text, ';') FROM %s(%s) x)$$, f.fn, c);
                    ELSE
                        call := format('%s(%s)::text', f.fn, c);
                    END IF;
                    value := pg_temp.cj_check(format(
                        $$SELECT md5(string_agg(coalesce(%s, '\N'), E'\n' ORDER BY %s)) FROM %s WHERE %s IS NOT NULL$$,
                        call, pk, rel, c));
                    IF value LIKE 'ERROR %' THEN -- some values raise: check row by row
                        value := pg_temp.cj_per_row(call, rel, pk, c);
                    END IF;
                    label := split_part(label, ' ', 1) || ' ' || f.sig::text; RETURN NEXT;
                END IF;
            END LOOP;
        END LOOP;
    END LOOP;
END
$fn$;

SELECT label, value FROM pg_temp.cj_value_checks(:'schema', :'ext') ORDER BY label COLLATE "C";
