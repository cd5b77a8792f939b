-- test/fuzz/harness.sql: the SQL side of test/fuzz/fuzz.py (run after
-- cjourney_fuzz.sql).  fuzz.py fills cjfuzz.calls and cjfuzz.inputs, then
-- reads cjfuzz.run(kind): one outcome per input.
--
-- Outcomes: 'accepted' (the value passed every check), a SQLSTATE (the
-- input was rejected with that error), or a sentence starting with "bad:"
-- (a check failed).  fuzz.py decides which SQLSTATEs are clean.

-- Calls of every extension function and aggregate that takes a value of
-- type typ, with $1 standing for the value (fuzz.py builds them from the
-- catalog).
CREATE TABLE cjfuzz.calls (typ regtype, sql text);

-- The inputs of one run: a text literal, a binary value, an aggregate
-- state (agg set), or a sequence pattern or journey step text (what set).
CREATE TABLE cjfuzz.inputs (id int PRIMARY KEY, typ regtype, agg regprocedure, str text, data bytea,
							what text);

-- A sequence pattern or a journey step text through every function that
-- takes one, over the sample rows and the seed journeys: 'accepted' when
-- some call succeeded and every error was clean, else the SQLSTATE of the
-- last (clean) error, or "bad: ...".
CREATE FUNCTION cjfuzz.pattern_outcome(what text, s text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	q text;
	r text;
	ok boolean := false;
	code text := '';
	journeys CONSTANT text := $$FROM cjfuzz.seed_values WHERE typ = 'journey'::regtype$$;
BEGIN
	FOREACH q IN ARRAY CASE what WHEN 'sequence pattern' THEN ARRAY[
		$$SELECT sequence_match($1, ts, stage = 'awareness', converted, lead)::text FROM cjfuzz.rows$$,
		$$SELECT string_agg(c::text, ',') FROM (SELECT sequence_count($1, extract(epoch FROM ts)::bigint, stage = 'awareness', converted, lead, opp) AS c FROM cjfuzz.rows GROUP BY customer_id) x$$,
		$$SELECT sequence_match_events($1, ts, converted, lead, true)::text FROM cjfuzz.rows$$,
		$$SELECT sequence_match_events($1, extract(epoch FROM ts)::bigint, true, lead)::text FROM cjfuzz.rows$$,
		$$SELECT string_agg(journey_sequence_count(v::journey, $1, 'awareness', 'stage >= decision', '*')::text, ',') $$ || journeys,
		$$SELECT string_agg(journey_sequence_match_events(v::journey, $1, 'purchase | x', '*', 'channel = web')::text, ',') $$ || journeys]
	ELSE ARRAY[
		$$SELECT string_agg(journey_sequence_count(v::journey, '(?1)', $1)::text, ',') $$ || journeys,
		$$SELECT string_agg(journey_sequence_match(v::journey, '(?2).*(?t<=86400)(?1)', $1, $1)::text, ',') $$ || journeys,
		$$SELECT string_agg(journey_next_node(v::journey, 'forward', 'first_match', $1), ',') $$ || journeys,
		$$SELECT string_agg(journey_next_node(v::journey, 'backward', 'tail', '*', $1), ',') $$ || journeys,
		$$SELECT string_agg(journey_touches_before(v::journey, $1, '1 day')::text, ',') $$ || journeys,
		$$SELECT string_agg(journey_path_before(v::journey, $1, true, 2)::text, ',') $$ || journeys,
		$$SELECT string_agg(journey_retention(v::journey, '*', $1)::text, ',') $$ || journeys]
	END LOOP
		BEGIN
			EXECUTE q INTO r USING s;
			ok := true;
		EXCEPTION WHEN others THEN
			IF NOT cjfuzz.clean_error(SQLSTATE) THEN
				RETURN format('bad: %s: %s %s', q, SQLSTATE, SQLERRM);
			END IF;
			code := SQLSTATE;
		END;
	END LOOP;
	RETURN CASE WHEN ok THEN 'accepted' ELSE code END;
END
$f$;

-- Errors an accepted value's functions may raise: data exceptions (bad
-- arguments, values out of range) and limits.  Anything else (an internal
-- error, out of memory) is a finding.
CREATE FUNCTION cjfuzz.clean_error(code text) RETURNS boolean
	LANGUAGE sql IMMUTABLE AS $$ SELECT code ~ '^(22|54)' $$;

-- Run an accepted value through its type's forms and functions: text and
-- binary round trips (over exact-size buffers), then every call in
-- cjfuzz.calls.  Returns 'accepted' or "bad: ...".
CREATE FUNCTION cjfuzz.exercise(v anyelement) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	typ regtype := pg_typeof(v);
	sendfn regproc;
	t text;
	t2 text;
	same boolean;
	c record;
BEGIN
	IF v IS NULL THEN
		RETURN 'bad: accepted as NULL';
	END IF;
	SELECT typsend INTO sendfn FROM pg_type WHERE oid = typ;
	BEGIN
		t := v::text;
		EXECUTE format('SELECT cjfuzz.input($1, NULL::%s)::text', typ) INTO t2 USING t;
		IF t2 IS DISTINCT FROM t THEN
			RETURN format('bad: text round trip gives %s for %s', left(t2, 200), left(t, 200));
		END IF;
		EXECUTE format('SELECT %1$s(cjfuzz.recv(%1$s($1), NULL::%2$s)) = %1$s($1), cjfuzz.recv(%1$s($1), NULL::%2$s)::text',
					   sendfn, typ) INTO same, t2 USING v;
		IF NOT same OR t2 IS DISTINCT FROM t THEN
			RETURN format('bad: binary round trip changes %s', left(t, 200));
		END IF;
	EXCEPTION WHEN others THEN
		RETURN format('bad: round trip of %s fails with %s %s', left(t, 200), SQLSTATE, SQLERRM);
	END;
	FOR c IN SELECT sql FROM cjfuzz.calls WHERE calls.typ = pg_typeof(v) ORDER BY sql LOOP
		BEGIN
			EXECUTE c.sql USING v;
		EXCEPTION WHEN others THEN
			IF NOT cjfuzz.clean_error(SQLSTATE) THEN
				RETURN format('bad: %s on %s: %s %s', c.sql, left(t, 200), SQLSTATE, SQLERRM);
			END IF;
		END;
	END LOOP;
	RETURN 'accepted';
END
$f$;

-- A damaged stored value (cjfuzz.stored) through its type's output and send
-- functions and every call in cjfuzz.calls: each must succeed or fail
-- cleanly (for a damaged value XX001, data corrupted, is clean too).
-- Returns the SQLSTATE when the value cannot even be printed, else
-- 'accepted' (its calls may still fail cleanly: sample arguments need not
-- suit it), or "bad: ...".  Nothing is compared: a damaged value may read as
-- another value, as long as nothing reads outside it.
CREATE FUNCTION cjfuzz.exercise_stored(v anyelement) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	t text;
	c record;
BEGIN
	BEGIN
		t := v::text;
	EXCEPTION WHEN others THEN
		IF cjfuzz.clean_error(SQLSTATE) OR SQLSTATE = 'XX001' THEN
			RETURN SQLSTATE;
		END IF;
		RETURN format('bad: output: %s %s', SQLSTATE, SQLERRM);
	END;
	FOR c IN SELECT sql FROM cjfuzz.calls WHERE calls.typ = pg_typeof(v)
			 UNION ALL SELECT format('SELECT %s($1)', typsend) FROM pg_type WHERE oid = pg_typeof(v)
			 ORDER BY 1 LOOP
		BEGIN
			EXECUTE c.sql INTO t USING v;
		EXCEPTION WHEN others THEN
			IF NOT (cjfuzz.clean_error(SQLSTATE) OR SQLSTATE = 'XX001') THEN
				RETURN format('bad: %s: %s %s', c.sql, SQLSTATE, SQLERRM);
			END IF;
		END;
	END LOOP;
	RETURN 'accepted';
END
$f$;

-- One outcome per input of cjfuzz.inputs with id in [lo, hi).
--   kind 'text': cjfuzz.input(str) then exercise
--   kind 'recv': cjfuzz.recv(data) then exercise
--   kind 'stored': cjfuzz.stored(data) then exercise_stored
--   kind 'deserialize': cjfuzz.deserialize(agg, data); a result of a
--       cjourney type is exercised too
--   kind 'pattern': cjfuzz.pattern_outcome(what, str)
CREATE FUNCTION cjfuzz.run(kind text, lo int, hi int) RETURNS TABLE (id int, outcome text)
LANGUAGE plpgsql AS $f$
DECLARE
	r record;
	o text;
	rettype regtype;
BEGIN
	FOR r IN SELECT * FROM cjfuzz.inputs i WHERE i.id >= lo AND i.id < hi ORDER BY i.id LOOP
		BEGIN
			IF kind = 'text' THEN
				EXECUTE format('SELECT cjfuzz.exercise(cjfuzz.input($1, NULL::%s))', r.typ) INTO o USING r.str;
			ELSIF kind = 'pattern' THEN
				o := cjfuzz.pattern_outcome(r.what, r.str);
			ELSIF kind = 'recv' THEN
				EXECUTE format('SELECT cjfuzz.exercise(cjfuzz.recv($1, NULL::%s))', r.typ) INTO o USING r.data;
			ELSIF kind = 'stored' THEN
				EXECUTE format('SELECT cjfuzz.exercise_stored(cjfuzz.stored($1, NULL::%s))', r.typ)
					INTO o USING r.data;
			ELSE
				o := 'accepted:' || coalesce(cjfuzz.deserialize(r.agg, r.data), '');
			END IF;
		EXCEPTION WHEN others THEN
			o := SQLSTATE;
		END;
		-- an accepted state's result, when of a cjourney type, must pass too
		IF o LIKE 'accepted:%' THEN
			SELECT p.prorettype INTO rettype FROM pg_proc p WHERE p.oid = r.agg;
			IF o <> 'accepted:' AND EXISTS (SELECT FROM cjfuzz.calls WHERE calls.typ = rettype) THEN
				BEGIN
					EXECUTE format('SELECT cjfuzz.exercise($1::%s)', rettype) INTO o USING substr(o, 10);
				EXCEPTION WHEN others THEN
					o := format('bad: the final result %s does not read back: %s %s', left(substr(o, 10), 200), SQLSTATE, SQLERRM);
				END;
			ELSE
				o := 'accepted';
			END IF;
		END IF;
		id := r.id;
		outcome := o;
		RETURN NEXT;
	END LOOP;
END
$f$;

-- 'ok: <result>' or the SQLSTATE of the error sql raises (for cases.sql)
CREATE FUNCTION cjfuzz.try(sql text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	r text;
BEGIN
	EXECUTE sql INTO r;
	RETURN 'ok: ' || coalesce(r, 'NULL');
EXCEPTION WHEN others THEN
	RETURN SQLSTATE;
END
$f$;
