-- A CRM table of another shape (issue 14): contact_id uuid, ts timestamp
-- without time zone, lifecycle_stage varchar with HubSpot-like stages, a few
-- unknown labels ('Lead', 'marketing qualified lead'), NULL stages and
-- duplicate timestamps.  The funnel, time in stage, touches, attribution,
-- A/B and retention questions answered with cjourney straight from it (text
-- stages, timestamp overloads, uuid keys) and checked against plain SQL,
-- under UTC and America/New_York.  The fixture is generated here
-- (deterministic, no random()).
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(25);

CREATE TEMP TABLE crm_contacts (contact_id uuid PRIMARY KEY, ab_group varchar(20), region varchar(20));
INSERT INTO crm_contacts
SELECT md5('contact ' || i)::uuid,
       (ARRAY['control', 'treatment', 'holdout'])[1 + i % 3],
       (ARRAY['emea', 'amer', 'apac'])[1 + (i / 3) % 3]
FROM generate_series(1, 1500) i;

CREATE TEMP TABLE crm_events (contact_id uuid, ts timestamp, lifecycle_stage varchar(60), source varchar(20),
                              event_name varchar(20), amount numeric(10, 2));
INSERT INTO crm_events
SELECT md5('contact ' || i)::uuid,
       -- spread over the year (both DST changes of America/New_York); every
       -- fourth touch repeats the previous one's time
       '2025-02-20 08:00'::timestamp + (i * 37 % 240) * interval '1 day'
         + ((k - (k % 4 = 3)::int) * (1 + (i * k) % 5)) * interval '19 hours 7 minutes',
       CASE WHEN (i + k) % 41 = 0 THEN NULL
            WHEN (i * k) % 53 = 0 THEN 'Lead'
            WHEN (i * k) % 59 = 0 THEN 'marketing qualified lead'
            ELSE (ARRAY['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity',
                        'customer', 'evangelist', 'other'])[1 + least(7, (k + i % 3) / 2 + (i % 5 = 0)::int)] END,
       (ARRAY['web', 'email', 'paid_search', 'social', 'direct'])[1 + (i + 2 * k) % 5],
       CASE WHEN (i + k) % 7 = 0 THEN 'purchase' WHEN k % 3 = 0 THEN 'form' ELSE 'visit' END,
       CASE WHEN (i + k) % 7 = 0 THEN 10 + (i % 50) END
FROM generate_series(1, 1500) i, generate_series(0, 2 + i % 12) k;


SELECT cmp_ok((SELECT count(*) FROM crm_events), '>', 10000::bigint, 'fixture: more than 10,000 touches');
SELECT ok((SELECT count(*) FILTER (WHERE lifecycle_stage IS NULL) > 0 AND count(*) FILTER (WHERE lifecycle_stage = 'Lead') > 0
                  AND count(*) FILTER (WHERE lifecycle_stage = 'marketing qualified lead') > 0 FROM crm_events)
          AND (SELECT count(*) > 0 FROM (SELECT contact_id, ts FROM crm_events GROUP BY 1, 2 HAVING count(*) > 1) d),
          'fixture: NULL stages, unknown labels and duplicate timestamps');

-- the known rows with their stage order, for the plain-SQL answers
CREATE TEMP VIEW known AS
SELECT e.*, array_position(string_to_array('subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other', '<'), e.lifecycle_stage::text) AS ord
FROM crm_events e WHERE e.lifecycle_stage::text = ANY (string_to_array('subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other', '<'));

-- cjourney's answers, one row per (question, key)
CREATE FUNCTION pg_temp.cj_answers() RETURNS TABLE (q text, k text, v text) LANGUAGE sql AS $f$
  -- funnel: lead then customer within 30 days (strictly later)
  SELECT 'funnel', contact_id::text,
         window_funnel('30 days', 'strict_increase', ts, lifecycle_stage = 'lead', lifecycle_stage = 'customer')::text
  FROM crm_events GROUP BY contact_id
  UNION ALL
  -- time in stage, per contact and stage visited
  SELECT 'stage', s.contact_id || ' ' || d.stage, extract(epoch FROM d.duration)::text
  FROM (SELECT contact_id, stage_time_agg(ts, lifecycle_stage, 'subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other; unknown=skip') AS st FROM crm_events GROUP BY contact_id) s,
       stage_durations(s.st) d
  WHERE d.duration > interval '0'
  UNION ALL
  -- touches before the first purchase
  SELECT 'touches', contact_id::text, touches_before_conversion(ts, event_name = 'purchase')::text
  FROM crm_events GROUP BY contact_id
  UNION ALL
  -- attribution: conversions and revenue credited per channel, first touch
  SELECT 'attribution', c.channel, round(c.conversions::numeric, 6) || ' ' || round(c.revenue::numeric, 2)
  FROM (SELECT rollup(a) AS a FROM (SELECT attribution_agg(ts, source, event_name = 'purchase', amount, 'first_touch') AS a
                                    FROM crm_events GROUP BY contact_id) x) r, attribution_credits(r.a) c
  UNION ALL
  -- A/B: treatment vs control, a contact responds when it purchased
  SELECT 'ab', 'counts', concat_ws(' ', r.treated_n, r.treated_responders, r.control_n, r.control_responders)
  FROM (SELECT (segment_response(ab_group = 'treatment', purchased)).* FROM
          (SELECT c.ab_group, bool_or(e.event_name = 'purchase') AS purchased
           FROM crm_contacts c JOIN crm_events e USING (contact_id)
           WHERE c.ab_group IN ('treatment', 'control') GROUP BY c.contact_id, c.ab_group) p) r
  UNION ALL
  -- retention: active in April, then in May and in June
  SELECT 'retention', 'sum', retention_sum(r)::text
  FROM (SELECT retention(ts >= '2025-04-01' AND ts < '2025-05-01', ts >= '2025-05-01' AND ts < '2025-06-01',
                         ts >= '2025-06-01' AND ts < '2025-07-01') AS r
        FROM crm_events GROUP BY contact_id) x
  UNION ALL
  -- stages reached, whatever the case of unknown labels
  SELECT 'reached', s, count(*) FILTER (WHERE journey_reached(j, s))::text
  FROM (SELECT contact_id, journey_agg(ts, lifecycle_stage, source, event_name, 'subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other; unknown=skip') AS j FROM crm_events GROUP BY contact_id) x,
       unnest(string_to_array('subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other', '<')) s
  GROUP BY s
$f$;

-- the same questions in plain SQL
CREATE FUNCTION pg_temp.sql_answers() RETURNS TABLE (q text, k text, v text) LANGUAGE sql AS $f$
  SELECT 'funnel', c.contact_id::text,
         (CASE WHEN EXISTS (SELECT 1 FROM crm_events l JOIN crm_events u USING (contact_id)
                            WHERE l.contact_id = c.contact_id AND l.lifecycle_stage = 'lead' AND u.lifecycle_stage = 'customer'
                              AND u.ts > l.ts AND u.ts <= l.ts + interval '30 days') THEN 2
               WHEN EXISTS (SELECT 1 FROM crm_events l WHERE l.contact_id = c.contact_id AND l.lifecycle_stage = 'lead') THEN 1
               ELSE 0 END)::text
  FROM (SELECT DISTINCT contact_id FROM crm_events) c
  UNION ALL
  SELECT 'stage', contact_id || ' ' || lifecycle_stage, extract(epoch FROM sum(next_ts - ts))::text
  FROM (SELECT contact_id, lifecycle_stage, ts, lead(ts) OVER (PARTITION BY contact_id ORDER BY ts, ord) AS next_ts FROM known) p
  GROUP BY contact_id, lifecycle_stage HAVING sum(next_ts - ts) > interval '0'
  UNION ALL
  SELECT 'touches', c.contact_id::text,
         (SELECT count(*) FROM crm_events e WHERE e.contact_id = c.contact_id AND e.ts < c.first_purchase)::text
  FROM (SELECT contact_id, min(ts) FILTER (WHERE event_name = 'purchase') AS first_purchase FROM crm_events GROUP BY contact_id) c
  WHERE c.first_purchase IS NOT NULL
  UNION ALL
  SELECT 'touches', contact_id::text, NULL FROM crm_events GROUP BY contact_id HAVING NOT bool_or(event_name = 'purchase')
  UNION ALL
  SELECT 'ab', 'counts', concat_ws(' ', count(*) FILTER (WHERE ab_group = 'treatment'), count(*) FILTER (WHERE ab_group = 'treatment' AND purchased),
                                   count(*) FILTER (WHERE ab_group = 'control'), count(*) FILTER (WHERE ab_group = 'control' AND purchased))
  FROM (SELECT c.ab_group, bool_or(e.event_name = 'purchase') AS purchased
        FROM crm_contacts c JOIN crm_events e USING (contact_id)
        WHERE c.ab_group IN ('treatment', 'control') GROUP BY c.contact_id, c.ab_group) p
  UNION ALL
  SELECT 'retention', 'sum', ARRAY[count(*) FILTER (WHERE apr), count(*) FILTER (WHERE apr AND may), count(*) FILTER (WHERE apr AND jun)]::text
  FROM (SELECT bool_or(ts >= '2025-04-01' AND ts < '2025-05-01') AS apr, bool_or(ts >= '2025-05-01' AND ts < '2025-06-01') AS may,
               bool_or(ts >= '2025-06-01' AND ts < '2025-07-01') AS jun FROM crm_events GROUP BY contact_id) x
  UNION ALL
  SELECT 'reached', s, (SELECT count(DISTINCT contact_id) FROM known WHERE lifecycle_stage = s)::text
  FROM unnest(string_to_array('subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other', '<')) s
$f$;

-- attribution in plain SQL: every purchase's cycle runs from the previous
-- purchase (exclusive) of the contact to it (inclusive); first touch = the
-- cycle's earliest row (ties: the canonical order, so compare totals per
-- channel only where no tie decides)
CREATE FUNCTION pg_temp.sql_attribution_totals() RETURNS TABLE (conversions numeric, revenue numeric) LANGUAGE sql AS $f$
  SELECT count(*)::numeric, coalesce(sum(amount), 0) FROM crm_events WHERE event_name = 'purchase'
$f$;

SET LOCAL TimeZone = 'UTC';
CREATE TEMP TABLE cj_utc AS SELECT * FROM pg_temp.cj_answers();
CREATE TEMP TABLE sql_utc AS SELECT * FROM pg_temp.sql_answers();
SET LOCAL TimeZone = 'America/New_York';
CREATE TEMP TABLE cj_ny AS SELECT * FROM pg_temp.cj_answers();
CREATE TEMP TABLE sql_ny AS SELECT * FROM pg_temp.sql_answers();

CREATE FUNCTION pg_temp.differ(a regclass, b regclass, question text) RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM ((SELECT k, v FROM %s WHERE q = $1 EXCEPT ALL SELECT k, v FROM %s WHERE q = $1)
                  UNION ALL (SELECT k, v FROM %s WHERE q = $1 EXCEPT ALL SELECT k, v FROM %s WHERE q = $1)) d', a, b, b, a)
    INTO n USING question;
  RETURN n;
END $f$;

SELECT is(pg_temp.differ('cj_utc', 'sql_utc', 'funnel'), 0::bigint, 'funnel (lead then customer within 30 days) = plain SQL, UTC');
SELECT is(pg_temp.differ('cj_ny', 'sql_ny', 'funnel'), 0::bigint, 'funnel = plain SQL, America/New_York');
SELECT is(pg_temp.differ('cj_utc', 'sql_utc', 'stage'), 0::bigint, 'time in stage per contact and stage = lead() in plain SQL, UTC');
SELECT is(pg_temp.differ('cj_ny', 'sql_ny', 'stage'), 0::bigint, 'time in stage = plain SQL, America/New_York');
SELECT is(pg_temp.differ('cj_utc', 'sql_utc', 'touches'), 0::bigint, 'touches before the first purchase = plain SQL, UTC');
SELECT is(pg_temp.differ('cj_ny', 'sql_ny', 'touches'), 0::bigint, 'touches before the first purchase = plain SQL, America/New_York');
SELECT is(pg_temp.differ('cj_utc', 'sql_utc', 'ab'), 0::bigint, 'A/B counts = plain SQL, UTC');
SELECT is(pg_temp.differ('cj_ny', 'sql_ny', 'ab'), 0::bigint, 'A/B counts = plain SQL, America/New_York');
SELECT is(pg_temp.differ('cj_utc', 'sql_utc', 'retention'), 0::bigint, 'retention = plain SQL, UTC');
SELECT is(pg_temp.differ('cj_ny', 'sql_ny', 'retention'), 0::bigint, 'retention = plain SQL, America/New_York');
SELECT is(pg_temp.differ('cj_utc', 'sql_utc', 'reached'), 0::bigint, 'customers reaching each stage = count(DISTINCT) in plain SQL, UTC');
SELECT is(pg_temp.differ('cj_ny', 'sql_ny', 'reached'), 0::bigint, 'stages reached = plain SQL, America/New_York');
SELECT is((SELECT count(*) FROM ((SELECT * FROM cj_utc EXCEPT ALL SELECT * FROM cj_ny) UNION ALL (SELECT * FROM cj_ny EXCEPT ALL SELECT * FROM cj_utc)) d),
          0::bigint, 'every cjourney answer is the same under UTC and America/New_York');
SELECT cmp_ok((SELECT count(*) FROM cj_utc WHERE q = 'stage'), '>', 3000::bigint, 'time in stage: thousands of (contact, stage) answers');
SELECT cmp_ok((SELECT count(*) FROM cj_utc WHERE q = 'funnel' AND v = '2'), '>', 10::bigint, 'funnel: some contacts complete it');
SELECT is((SELECT round(sum(split_part(v, ' ', 1)::numeric), 6) || ' ' || sum(split_part(v, ' ', 2)::numeric) FROM cj_utc WHERE q = 'attribution'),
          (SELECT round(conversions, 6) || ' ' || revenue FROM pg_temp.sql_attribution_totals()),
          'attribution: the credits add up to the purchases and their revenue');
-- the text-stage journey equals the one built through an enum of the same labels
CREATE TYPE pg_temp.hubspot AS ENUM ('subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other');
SELECT is((SELECT count(*) FROM (SELECT contact_id,
                                        journey_agg(ts, lifecycle_stage, source, event_name, 'subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other; unknown=skip') AS a,
                                        journey_agg(ts, lifecycle_stage::text::pg_temp.hubspot, source, event_name)
                                          FILTER (WHERE lifecycle_stage::text = ANY (string_to_array('subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other', '<'))) AS b
                                 FROM crm_events GROUP BY contact_id) x WHERE a IS DISTINCT FROM b), 0::bigint,
          'text stages with unknown=skip = an enum cast after filtering the unknown labels');
SELECT is((SELECT count(*) FROM (SELECT contact_id,
                                        stage_time_agg(ts, lifecycle_stage, 'pg_temp.hubspot; unknown=skip')::text AS a,
                                        stage_time_agg(ts, lifecycle_stage, 'subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other; unknown=skip')::text AS b
                                 FROM crm_events GROUP BY contact_id) x WHERE a IS DISTINCT FROM b), 0::bigint,
          'an enum type name as the stage order = the stage list');
SELECT throws_ok($$SELECT stage_time_agg(ts, lifecycle_stage, 'subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other') FROM crm_events$$,
    '22P02', NULL, 'without unknown=skip the unknown labels are an error');
SELECT is((SELECT count(*) FROM (SELECT contact_id, journey_agg(ts, lifecycle_stage, source, event_name, 'subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other; unknown=skip')::text AS a,
                                        journey_agg(ts, lifecycle_stage, source, event_name, replace('subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other; unknown=skip', 'skip', 'null'))::text AS b
                                 FROM crm_events GROUP BY contact_id) x WHERE a IS DISTINCT FROM b), 0::bigint,
          'unknown=null = unknown=skip for the aggregates');
-- forced parallel plan, shuffled input: the same answers
SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0; SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2; SET LOCAL force_parallel_mode = on;
CREATE TEMP TABLE crm_shuffled AS SELECT * FROM crm_events ORDER BY md5(contact_id::text || ts::text || coalesce(lifecycle_stage, ''));
ANALYZE crm_shuffled;
SELECT is((SELECT md5(string_agg(st::text, ',' ORDER BY contact_id)) FROM
             (SELECT contact_id, stage_time_agg(ts, lifecycle_stage, 'subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other; unknown=skip') AS st FROM crm_shuffled GROUP BY contact_id) x),
          (SELECT md5(string_agg(st::text, ',' ORDER BY contact_id)) FROM
             (SELECT contact_id, stage_time_agg(ts, lifecycle_stage, 'subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other; unknown=skip') AS st FROM crm_events GROUP BY contact_id) y),
          'time in stage: shuffled rows under a forced parallel plan');
SELECT is((SELECT md5(string_agg(j::text, ',' ORDER BY contact_id)) FROM
             (SELECT contact_id, journey_agg(ts, lifecycle_stage, source, event_name, 'subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other; unknown=skip') AS j FROM crm_shuffled GROUP BY contact_id) x),
          (SELECT md5(string_agg(j::text, ',' ORDER BY contact_id)) FROM
             (SELECT contact_id, journey_agg(ts, lifecycle_stage, source, event_name, 'subscriber<lead<marketingqualifiedlead<salesqualifiedlead<opportunity<customer<evangelist<other; unknown=skip') AS j FROM crm_events GROUP BY contact_id) y),
          'journeys: shuffled rows under a forced parallel plan');
SELECT is((SELECT md5(string_agg(a::text, ',' ORDER BY contact_id)) FROM
             (SELECT contact_id, attribution_agg(ts, source, event_name = 'purchase', amount, 'linear') AS a FROM crm_shuffled GROUP BY contact_id) x),
          (SELECT md5(string_agg(a::text, ',' ORDER BY contact_id)) FROM
             (SELECT contact_id, attribution_agg(ts, source, event_name = 'purchase', amount, 'linear') AS a FROM crm_events GROUP BY contact_id) y),
          'attribution: shuffled rows under a forced parallel plan');

SELECT * FROM finish();
ROLLBACK;
