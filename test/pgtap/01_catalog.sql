-- Catalog checks: every object documented, markings right, nothing unsafe.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(21);

SELECT has_type('stage');
SELECT has_type('touchpoint');
SELECT has_type('journey');
SELECT is_aggregate('journey_agg', ARRAY['timestamp with time zone', 'anyenum', 'text', 'text']);
SELECT is_aggregate('journey_agg', ARRAY['touchpoint']);
SELECT has_type('response_state');
SELECT has_type('response_variants');
SELECT is_aggregate('segment_response', ARRAY['boolean', 'boolean']);
SELECT is((SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
           WHERE attrelid = 'segment_response_result'::regclass AND attnum > 0),
          'treated_n,treated_responders,treated_rate,control_n,control_responders,control_rate,abs_lift,lift,ci_low,ci_high,z,p_value',
          'segment_response returns the pinned field names in order');

CREATE TEMP VIEW cj_objects AS
SELECT d.classid::regclass AS catalog, d.objid,
       pg_describe_object(d.classid, d.objid, 0) AS object
FROM pg_depend d JOIN pg_extension e ON d.refobjid = e.oid
WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'cjourney' AND d.deptype = 'e';

SELECT is_empty($$SELECT object FROM cj_objects
                  WHERE obj_description(objid, catalog::text) IS NULL
                    AND catalog <> 'pg_cast'::regclass$$,
                'every extension object has a COMMENT');
SELECT is_empty($$SELECT object FROM cj_objects c JOIN pg_cast k ON k.oid = c.objid
                  WHERE obj_description(c.objid, 'pg_cast') IS NULL$$,
                'every cast has a COMMENT');
SELECT is_empty($$SELECT object FROM cj_objects c JOIN pg_proc p ON p.oid = c.objid
                  WHERE c.catalog = 'pg_proc'::regclass AND p.prosecdef$$,
                'no SECURITY DEFINER functions');
-- The journey store's maintenance functions (plpgsql: they create tables and
-- triggers and write the store) are the one exception to the markings below:
-- VOLATILE, PARALLEL UNSAFE, SECURITY INVOKER; all but journey_store_create
-- (which creates the store in the caller's current schema) pin search_path.
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
                  WHERE p.proname LIKE 'journey\_store\_%'
                    AND p.pronamespace = (SELECT extnamespace FROM pg_extension WHERE extname = 'cjourney')
                    AND NOT (l.lanname = 'plpgsql' AND p.provolatile = 'v' AND p.proparallel = 'u'
                             AND NOT p.prosecdef
                             AND (p.proname = 'journey_store_create'
                                  OR p.proconfig = ARRAY['search_path=pg_catalog, pg_temp']))$$,
                'journey store functions: plpgsql, VOLATILE, PARALLEL UNSAFE, SECURITY INVOKER, fixed search_path');
CREATE TEMP VIEW cj_marked AS
SELECT c.* FROM cj_objects c LEFT JOIN pg_proc p ON c.catalog = 'pg_proc'::regclass AND p.oid = c.objid
WHERE p.proname IS NULL OR p.proname NOT LIKE 'journey\_store\_%';
SELECT is_empty($$SELECT object FROM cj_marked c JOIN pg_proc p ON p.oid = c.objid
                  WHERE c.catalog = 'pg_proc'::regclass AND p.proparallel <> 's'$$,
                'every function and aggregate is PARALLEL SAFE');
SELECT is_empty($$SELECT object FROM cj_marked c JOIN pg_proc p ON p.oid = c.objid
                  WHERE c.catalog = 'pg_proc'::regclass AND p.provolatile <> 'i'$$,
                'every function is IMMUTABLE (text output is in UTC, no setting is read)');
-- Serialize/deserialize are needed only for internal states; the response
-- aggregates' state is a real type (response_state, response_variants)
-- that travels between workers as it is.
SELECT is_empty($$SELECT object FROM cj_objects c JOIN pg_aggregate a ON a.aggfnoid = c.objid
                  WHERE a.aggcombinefn = 0
                     OR (a.aggtranstype = 'internal'::regtype AND (a.aggserialfn = 0 OR a.aggdeserialfn = 0))$$,
                'every aggregate can run in partial (parallel) mode');
SELECT is_empty($$SELECT object FROM cj_objects c JOIN pg_aggregate a ON a.aggfnoid = c.objid
                  JOIN pg_proc t ON t.oid = a.aggtransfn JOIN pg_proc k ON k.oid = a.aggcombinefn
                  WHERE t.proisstrict OR k.proisstrict$$,
                'transition and combine functions are not strict (they handle NULL states)');
SELECT is_empty($$SELECT object FROM cj_objects c JOIN pg_proc p ON p.oid = c.objid
                  WHERE c.catalog = 'pg_proc'::regclass
                    AND p.proname NOT LIKE 'journey%' AND p.proname NOT LIKE 'touchpoint%' AND p.proname NOT LIKE 'stage\_time%' AND p.proname NOT LIKE 'window\_funnel%' AND p.proname NOT LIKE 'retention%' AND p.proname NOT LIKE 'funnel\_report%'
                    AND p.proname NOT LIKE 'response%' AND p.proname NOT LIKE 'segment\_response%' AND p.proname NOT LIKE 'segment\_mean\_response%' AND p.proname NOT LIKE 'touches\_before%' AND p.proname NOT LIKE 'time\_to\_conversion%' AND p.proname NOT LIKE 'conversion%' AND p.proname NOT LIKE 'attribution%'
                    AND p.proname NOT LIKE 'session%' AND p.proname NOT LIKE 'event\_path%' AND p.proname NOT LIKE 'path\_%' AND p.proname NOT LIKE 'sequence\_%'
                    AND NOT EXISTS (SELECT 1 FROM unnest(p.proargtypes::oid[]) a
                                    JOIN cj_objects t ON t.objid = a AND t.catalog = 'pg_type'::regclass)$$,
                'functions without a cjourney type in their signature carry a type or topic prefix');
SELECT function_privs_are('journey_length', ARRAY['journey'], 'public', ARRAY['EXECUTE']);
SELECT is((SELECT count(*)::int FROM pg_opclass o JOIN pg_am a ON a.oid = o.opcmethod
           WHERE o.opcintype IN ('journey'::regtype, 'touchpoint'::regtype) AND o.opcdefault),
          4, 'default btree and hash opclasses for both types');
SELECT is((SELECT typalign::text || typstorage::text FROM pg_type WHERE oid = 'journey'::regtype),
          'dx', 'journey is double-aligned and toastable');

SELECT * FROM finish();
ROLLBACK;
