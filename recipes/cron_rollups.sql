-- recipes/cron_rollups.sql
--		Nightly rollups of cjourney states for dashboards, kept by pg_cron.
--
-- Not part of the extension: a recipe you install (and adapt) in the database
-- that holds your touchpoints, with psql:
--
--   psql -v ON_ERROR_STOP=1 -d yourdb -f recipes/cron_rollups.sql
--
-- Optional psql variables (-v name=value), for tables other than the sample
-- data's:
--   cj_touchpoints   table of touches: customer_id bigint, occurred_at
--                    timestamptz, stage (text or enum)    default public.touchpoints
--   cj_customers     table of customers: customer_id, segment text
--                                                          default public.customers
--   cj_stage_type    enum the stage column is cast to      default cjourney's stage
--   cj_schedule      off: do not register the nightly pg_cron job
--
-- What it creates, all in schema cjourney_reports (re-running the script
-- keeps the stored rollups and replaces functions and views):
--   daily_customer        one row per (UTC day, customer) with touches: the
--                         customer's segment, number of touches and the
--                         stage_time state of that day's rows
--   refresh_log           when each day was last refreshed
--   refresh_day(d)        recompute one day: DELETE + INSERT in one
--                         transaction; re-running replaces, never double counts
--   refresh_days(a, b)    refresh_day for every day from a to b (inclusive)
--   refresh_recent(n)     the last n complete UTC days (the nightly job)
--   dashboard functions and views: see "Dashboard tiles" below
-- and, when pg_cron is installed in this database, the nightly job
-- 'cjourney-nightly' at 02:15 UTC (pg_cron 1.4 schedules in GMT).
--
-- Days are UTC calendar days, whatever the session's TimeZone. Late-arriving
-- touchpoints are picked up by re-running the days they fall on; the nightly
-- job re-runs the last 3 days for that reason (adjust refresh_recent's
-- argument to your pipeline's lateness). Backfill once with
--   SELECT cjourney_reports.refresh_days('2025-01-01', current_date - 1);
-- An index on the touchpoints' occurred_at keeps each day's refresh cheap.
--
-- The functions' SQL-standard bodies depend on the touchpoints and customers
-- tables (pg_depend): dropping or replacing those tables (data/load.sh does)
-- needs DROP SCHEMA cjourney_reports CASCADE first, then a re-install and a
-- backfill.
--
-- Search path safety: the script runs with search_path = pg_catalog, pg_temp
-- and names every object with its schema; function bodies are SQL-standard
-- (BEGIN ATOMIC), so their references are resolved when the script runs, not
-- under the caller's search_path.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET search_path = pg_catalog, pg_temp;

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'cjourney') THEN
		RAISE EXCEPTION 'extension cjourney is not installed in this database'
			USING HINT = 'Run CREATE EXTENSION cjourney first.';
	END IF;
END
$$;

-- the extension's schema, for qualified names below
SELECT n.nspname AS cj
FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'cjourney' \gset

\if :{?cj_touchpoints}
\else
\set cj_touchpoints public.touchpoints
\endif
\if :{?cj_customers}
\else
\set cj_customers public.customers
\endif
\if :{?cj_stage_type}
\else
\set cj_stage_type :"cj".stage
\endif
\if :{?cj_schedule}
\else
\set cj_schedule on
\endif

BEGIN;

CREATE SCHEMA IF NOT EXISTS cjourney_reports;
-- a schema someone else owns could hold objects we would then trust
DO $$
BEGIN
	IF (SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = 'cjourney_reports')
		<> (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
		RAISE EXCEPTION 'schema cjourney_reports exists and belongs to another role'
			USING HINT = 'Install the recipe as the schema''s owner.';
	END IF;
END
$$;
COMMENT ON SCHEMA cjourney_reports IS
	'cjourney dashboard rollups (recipes/cron_rollups.sql): daily cjourney states, refresh functions and BI views';

-- ---------------------------------------------------------------------------
-- Rollup tables
-- ---------------------------------------------------------------------------


-- One row per UTC day and customer with touches that day. stage_time states
-- belong to one customer, so the customer is part of the key; rollup(st)
-- over any set of a customer's days gives exactly the state of all their
-- rows on those days, and dashboards group the merged states by segment.
CREATE TABLE IF NOT EXISTS cjourney_reports.daily_customer (
	day			date NOT NULL,
	customer_id	bigint NOT NULL,
	segment		text,
	touches		integer NOT NULL,
	st			:"cj".stage_time NOT NULL,
	PRIMARY KEY (day, customer_id)
);
CREATE INDEX IF NOT EXISTS daily_customer_customer_day
	ON cjourney_reports.daily_customer (customer_id, day);
COMMENT ON TABLE cjourney_reports.daily_customer IS
	'cjourney rollup: one row per UTC day and customer with touches that day; written only by refresh_day';
COMMENT ON COLUMN cjourney_reports.daily_customer.day IS 'UTC calendar day of the touches';
COMMENT ON COLUMN cjourney_reports.daily_customer.customer_id IS 'customer';
COMMENT ON COLUMN cjourney_reports.daily_customer.segment IS 'customer''s segment when the day was last refreshed';
COMMENT ON COLUMN cjourney_reports.daily_customer.touches IS 'touchpoints of the customer that day';
COMMENT ON COLUMN cjourney_reports.daily_customer.st IS
	'stage_time state of the customer''s touches that day; merge days with rollup(st)';

-- TODO(issue 8, funnels): a daily table of funnel states per (day, customer)
-- or (day, segment), filled by refresh_day, for the "funnel by step" tile.
-- TODO(issue 6, segment response): daily_segment_response (day, segment,
-- campaign, segment_response state), filled by refresh_day, merged with
-- rollup() by the "campaign response by segment" tile.
-- TODO(attribution): channel credit states per day for "channel credit by model".

CREATE TABLE IF NOT EXISTS cjourney_reports.refresh_log (
	day				date PRIMARY KEY,
	refreshed_at	timestamptz NOT NULL,
	customers		integer NOT NULL,
	touches			bigint NOT NULL
);
COMMENT ON TABLE cjourney_reports.refresh_log IS
	'cjourney rollup: when each UTC day was last refreshed and what it held';
COMMENT ON COLUMN cjourney_reports.refresh_log.day IS 'UTC calendar day';
COMMENT ON COLUMN cjourney_reports.refresh_log.refreshed_at IS 'commit-time clock of the last refresh (transaction start)';
COMMENT ON COLUMN cjourney_reports.refresh_log.customers IS 'customers with touches that day';
COMMENT ON COLUMN cjourney_reports.refresh_log.touches IS 'touchpoints that day';

-- ---------------------------------------------------------------------------
-- Refresh
-- ---------------------------------------------------------------------------

-- Recompute one UTC day from the raw touchpoints. DELETE + INSERT in the
-- caller's transaction, serialised per day by an advisory lock, so a re-run
-- (or a concurrent one) replaces the day and never double counts.
CREATE OR REPLACE FUNCTION cjourney_reports.refresh_day(refresh_date date)
RETURNS integer
LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
BEGIN ATOMIC
	SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('cjourney_reports.refresh_day'),
											refresh_date - date '2000-01-01');
	DELETE FROM cjourney_reports.daily_customer WHERE day = refresh_date;
	INSERT INTO cjourney_reports.daily_customer (day, customer_id, segment, touches, st)
	SELECT refresh_date, t.customer_id, c.segment, pg_catalog.count(*),
		   :"cj".stage_time_agg(t.occurred_at, t.stage:::cj_stage_type)
	FROM :cj_touchpoints t
		LEFT JOIN :cj_customers c ON c.customer_id = t.customer_id
	WHERE t.occurred_at >= (refresh_date::timestamp AT TIME ZONE 'UTC')
	  AND t.occurred_at < ((refresh_date + 1)::timestamp AT TIME ZONE 'UTC')
	  AND t.stage IS NOT NULL
	GROUP BY t.customer_id, c.segment;
	INSERT INTO cjourney_reports.refresh_log AS l (day, refreshed_at, customers, touches)
	SELECT refresh_date, pg_catalog.now(), pg_catalog.count(*), COALESCE(pg_catalog.sum(r.touches), 0)
	FROM cjourney_reports.daily_customer r WHERE r.day = refresh_date
	ON CONFLICT (day) DO UPDATE
		SET refreshed_at = excluded.refreshed_at, customers = excluded.customers, touches = excluded.touches;
	SELECT l.customers FROM cjourney_reports.refresh_log l WHERE l.day = refresh_date;
END;
COMMENT ON FUNCTION cjourney_reports.refresh_day(date) IS
	'recompute the cjourney rollups of one UTC day from the raw touchpoints (replaces the day; returns its customers)';

-- Every day from from_day to to_day, inclusive, in one transaction.
CREATE OR REPLACE FUNCTION cjourney_reports.refresh_days(from_day date, to_day date)
RETURNS bigint
LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
BEGIN ATOMIC
	SELECT COALESCE(pg_catalog.sum(cjourney_reports.refresh_day(from_day + i)), 0)
	FROM pg_catalog.generate_series(0, to_day - from_day) AS i;
END;
COMMENT ON FUNCTION cjourney_reports.refresh_days(date, date) IS
	'refresh_day for every UTC day from from_day to to_day, inclusive, in one transaction (returns customer-days written)';

-- The nightly job: the last n complete UTC days, so rows that arrive up to
-- n days late are picked up.
CREATE OR REPLACE FUNCTION cjourney_reports.refresh_recent(days integer DEFAULT 3)
RETURNS bigint
LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
BEGIN ATOMIC
	SELECT cjourney_reports.refresh_days((pg_catalog.now() AT TIME ZONE 'UTC')::date - days,
										 (pg_catalog.now() AT TIME ZONE 'UTC')::date - 1);
END;
COMMENT ON FUNCTION cjourney_reports.refresh_recent(integer) IS
	'refresh the last n complete UTC days (the nightly pg_cron job; n covers late-arriving rows)';

REVOKE ALL ON FUNCTION cjourney_reports.refresh_day(date) FROM PUBLIC;
REVOKE ALL ON FUNCTION cjourney_reports.refresh_days(date, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION cjourney_reports.refresh_recent(integer) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Dashboard tiles: plain rows and columns, stable names and types
-- ---------------------------------------------------------------------------
--
-- Time in stage counts the periods between a customer's touches inside the
-- chosen days (a touch's period lasts until the customer's next touch in the
-- range; the last touch in the range counts zero), exactly as
-- stage_time_agg over the raw rows of those days would. A customer's segment
-- is the one stored on the latest day of the range.

-- Median time in stage by segment over any range of UTC days (inclusive).
CREATE OR REPLACE FUNCTION cjourney_reports.time_in_stage_by_segment(from_day date, to_day date)
RETURNS TABLE (segment text, stage text, stage_order integer, customers bigint,
			   median_duration interval, p90_duration interval, avg_duration interval,
			   median_days double precision)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT c.segment, d.stage,
		   pg_catalog.array_position(pg_catalog.enum_range(NULL:::cj_stage_type)::text[], d.stage),
		   pg_catalog.count(*),
		   pg_catalog.justify_hours(pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY d.duration)),
		   pg_catalog.justify_hours(pg_catalog.percentile_cont(0.9) WITHIN GROUP (ORDER BY d.duration)),
		   pg_catalog.justify_hours(pg_catalog.avg(d.duration)),
		   pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY pg_catalog.date_part('epoch', d.duration) / 86400)
	FROM (SELECT r.customer_id,
				 (pg_catalog.array_agg(r.segment ORDER BY r.day DESC))[1] AS segment,
				 :"cj".rollup(r.st) AS st
		  FROM cjourney_reports.daily_customer r
		  WHERE r.day >= from_day AND r.day <= to_day
		  GROUP BY r.customer_id) c,
		 :"cj".stage_durations(c.st) d
	GROUP BY c.segment, d.stage
	ORDER BY 1, 3;
END;
COMMENT ON FUNCTION cjourney_reports.time_in_stage_by_segment(date, date) IS
	'dashboard: time in stage by segment over UTC days from_day..to_day (inclusive), from the daily rollups merged with rollup()';

CREATE OR REPLACE VIEW cjourney_reports.time_in_stage_by_segment_28d AS
SELECT r.from_day, r.to_day, t.segment, t.stage, t.stage_order, t.customers,
	   t.median_duration, t.p90_duration, t.avg_duration, t.median_days
FROM (SELECT (pg_catalog.now() AT TIME ZONE 'UTC')::date - 28 AS from_day,
			 (pg_catalog.now() AT TIME ZONE 'UTC')::date - 1 AS to_day) r,
	 cjourney_reports.time_in_stage_by_segment(r.from_day, r.to_day) t;
COMMENT ON VIEW cjourney_reports.time_in_stage_by_segment_28d IS
	'dashboard: time in stage by segment over the last 28 complete UTC days';

-- Weekly trend: one state per customer and ISO week (Monday start).
CREATE OR REPLACE VIEW cjourney_reports.time_in_stage_weekly AS
SELECT w.week_start, w.segment, d.stage,
	   pg_catalog.array_position(pg_catalog.enum_range(NULL:::cj_stage_type)::text[], d.stage) AS stage_order,
	   pg_catalog.count(*) AS customers,
	   pg_catalog.justify_hours(pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY d.duration)) AS median_duration,
	   pg_catalog.justify_hours(pg_catalog.percentile_cont(0.9) WITHIN GROUP (ORDER BY d.duration)) AS p90_duration,
	   pg_catalog.justify_hours(pg_catalog.avg(d.duration)) AS avg_duration,
	   pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY pg_catalog.date_part('epoch', d.duration) / 86400) AS median_days
FROM (SELECT pg_catalog.date_trunc('week', r.day::timestamp)::date AS week_start, r.customer_id,
			 (pg_catalog.array_agg(r.segment ORDER BY r.day DESC))[1] AS segment,
			 :"cj".rollup(r.st) AS st
	  FROM cjourney_reports.daily_customer r
	  GROUP BY 1, 2) w,
	 :"cj".stage_durations(w.st) d
GROUP BY w.week_start, w.segment, d.stage;
COMMENT ON VIEW cjourney_reports.time_in_stage_weekly IS
	'dashboard: time in stage by ISO week (UTC, Monday start) and segment, from the touches of each week (the last one counts zero)';

-- Conversion trend by entry week: customers grouped by the week of their
-- first touch, and how many of them reached each stage (ever, so far).
CREATE OR REPLACE VIEW cjourney_reports.stages_reached_by_entry_week AS
WITH per_customer AS (
	SELECT r.customer_id,
		   pg_catalog.date_trunc('week', pg_catalog.min(r.day)::timestamp)::date AS entry_week,
		   (pg_catalog.array_agg(r.segment ORDER BY r.day DESC))[1] AS segment,
		   :"cj".rollup(r.st) AS st
	FROM cjourney_reports.daily_customer r
	GROUP BY r.customer_id
), visits AS (
	SELECT p.customer_id, p.entry_week, p.segment, d.stage, d.first_entered,
		   pg_catalog.min(d.first_entered) OVER (PARTITION BY p.customer_id) AS entered_at
	FROM per_customer p, :"cj".stage_durations(p.st) d
), cohorts AS (
	SELECT p.entry_week, p.segment, pg_catalog.count(*) AS customers
	FROM per_customer p GROUP BY 1, 2
), reached AS (
	SELECT v.entry_week, v.segment, v.stage, pg_catalog.count(*) AS reached,
		   pg_catalog.justify_hours(pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY v.first_entered - v.entered_at)) AS median_time_to_reach
	FROM visits v GROUP BY 1, 2, 3
)
SELECT c.entry_week, c.segment, s.stage, s.stage_order::integer AS stage_order, c.customers,
	   COALESCE(r.reached, 0) AS reached,
	   pg_catalog.round(COALESCE(r.reached, 0)::numeric / c.customers, 4) AS share_reached,
	   r.median_time_to_reach
FROM cohorts c
	CROSS JOIN pg_catalog.unnest(pg_catalog.enum_range(NULL:::cj_stage_type)::text[]) WITH ORDINALITY AS s(stage, stage_order)
	LEFT JOIN reached r ON r.entry_week = c.entry_week AND r.segment IS NOT DISTINCT FROM c.segment AND r.stage = s.stage;
COMMENT ON VIEW cjourney_reports.stages_reached_by_entry_week IS
	'dashboard: journeys by entry week (UTC, Monday start) and segment, and how many reached each stage';

-- Cohort retention matrix: share of an entry week's customers with a touch
-- in each later week.
CREATE OR REPLACE VIEW cjourney_reports.cohort_retention_weekly AS
WITH per_customer AS (
	SELECT r.customer_id,
		   pg_catalog.date_trunc('week', pg_catalog.min(r.day)::timestamp)::date AS entry_week,
		   (pg_catalog.array_agg(r.segment ORDER BY r.day DESC))[1] AS segment
	FROM cjourney_reports.daily_customer r
	GROUP BY r.customer_id
), active AS (
	SELECT DISTINCT r.customer_id, pg_catalog.date_trunc('week', r.day::timestamp)::date AS week_start
	FROM cjourney_reports.daily_customer r
), cohorts AS (
	SELECT p.entry_week, p.segment, pg_catalog.count(*) AS customers
	FROM per_customer p GROUP BY 1, 2
)
SELECT p.entry_week, p.segment, ((a.week_start - p.entry_week) / 7)::integer AS week_number,
	   c.customers, pg_catalog.count(*) AS active_customers,
	   pg_catalog.round(pg_catalog.count(*)::numeric / c.customers, 4) AS share_active
FROM per_customer p
	JOIN active a ON a.customer_id = p.customer_id
	JOIN cohorts c ON c.entry_week = p.entry_week AND c.segment IS NOT DISTINCT FROM p.segment
GROUP BY p.entry_week, p.segment, 3, c.customers;
COMMENT ON VIEW cjourney_reports.cohort_retention_weekly IS
	'dashboard: cohort retention matrix: customers of an entry week (UTC, Monday start) active in week_number weeks later';

-- TODO(issue 8): funnel_by_step view (funnel, step, segment, entered,
-- converted, conversion_rate, median_time_to_convert) over the funnel rollups.
-- TODO(issue 6): campaign_response_by_segment view (campaign, segment, treated,
-- responded, response_rate, lift, ...) from rollup(segment_response).
-- TODO(attribution): channel_credit_by_model view (model, channel, credit, revenue).

-- Column descriptions: BI tools (Metabase, Superset) show them next to fields.
COMMENT ON COLUMN cjourney_reports.time_in_stage_by_segment_28d.from_day IS 'first UTC day of the range';
COMMENT ON COLUMN cjourney_reports.time_in_stage_by_segment_28d.to_day IS 'last UTC day of the range (inclusive)';
COMMENT ON COLUMN cjourney_reports.time_in_stage_by_segment_28d.segment IS 'customer segment';
COMMENT ON COLUMN cjourney_reports.time_in_stage_by_segment_28d.stage IS 'lifecycle stage';
COMMENT ON COLUMN cjourney_reports.time_in_stage_by_segment_28d.stage_order IS 'position of the stage in the lifecycle (sort by it)';
COMMENT ON COLUMN cjourney_reports.time_in_stage_by_segment_28d.customers IS 'customers who visited the stage in the range';
COMMENT ON COLUMN cjourney_reports.time_in_stage_by_segment_28d.median_duration IS 'median time in the stage per customer';
COMMENT ON COLUMN cjourney_reports.time_in_stage_by_segment_28d.p90_duration IS '90th percentile of the time in the stage per customer';
COMMENT ON COLUMN cjourney_reports.time_in_stage_by_segment_28d.avg_duration IS 'mean time in the stage per customer';
COMMENT ON COLUMN cjourney_reports.time_in_stage_by_segment_28d.median_days IS 'median time in the stage per customer, in days (for charts)';
COMMENT ON COLUMN cjourney_reports.time_in_stage_weekly.median_days IS 'median time in the stage per customer that week, in days (for charts)';
COMMENT ON COLUMN cjourney_reports.time_in_stage_weekly.week_start IS 'Monday of the UTC week';
COMMENT ON COLUMN cjourney_reports.time_in_stage_weekly.segment IS 'customer segment';
COMMENT ON COLUMN cjourney_reports.time_in_stage_weekly.stage IS 'lifecycle stage';
COMMENT ON COLUMN cjourney_reports.time_in_stage_weekly.stage_order IS 'position of the stage in the lifecycle (sort by it)';
COMMENT ON COLUMN cjourney_reports.time_in_stage_weekly.customers IS 'customers who visited the stage that week';
COMMENT ON COLUMN cjourney_reports.time_in_stage_weekly.median_duration IS 'median time in the stage per customer that week';
COMMENT ON COLUMN cjourney_reports.time_in_stage_weekly.p90_duration IS '90th percentile of the time in the stage per customer that week';
COMMENT ON COLUMN cjourney_reports.time_in_stage_weekly.avg_duration IS 'mean time in the stage per customer that week';
COMMENT ON COLUMN cjourney_reports.stages_reached_by_entry_week.entry_week IS 'Monday of the UTC week of the customers'' first touch';
COMMENT ON COLUMN cjourney_reports.stages_reached_by_entry_week.segment IS 'customer segment';
COMMENT ON COLUMN cjourney_reports.stages_reached_by_entry_week.stage IS 'lifecycle stage (every stage of the lifecycle has a row)';
COMMENT ON COLUMN cjourney_reports.stages_reached_by_entry_week.stage_order IS 'position of the stage in the lifecycle (sort by it)';
COMMENT ON COLUMN cjourney_reports.stages_reached_by_entry_week.customers IS 'journeys (customers) that started that week';
COMMENT ON COLUMN cjourney_reports.stages_reached_by_entry_week.reached IS 'of those, customers with a touch in the stage so far';
COMMENT ON COLUMN cjourney_reports.stages_reached_by_entry_week.share_reached IS 'reached / customers, rounded to 4 decimals';
COMMENT ON COLUMN cjourney_reports.stages_reached_by_entry_week.median_time_to_reach IS 'median time from the first touch to the first touch in the stage';
COMMENT ON COLUMN cjourney_reports.cohort_retention_weekly.entry_week IS 'Monday of the UTC week of the customers'' first touch';
COMMENT ON COLUMN cjourney_reports.cohort_retention_weekly.segment IS 'customer segment';
COMMENT ON COLUMN cjourney_reports.cohort_retention_weekly.week_number IS 'weeks since the entry week (0 = the entry week)';
COMMENT ON COLUMN cjourney_reports.cohort_retention_weekly.customers IS 'customers of the cohort (entry week and segment)';
COMMENT ON COLUMN cjourney_reports.cohort_retention_weekly.active_customers IS 'of those, customers with a touch in that week';
COMMENT ON COLUMN cjourney_reports.cohort_retention_weekly.share_active IS 'active_customers / customers, rounded to 4 decimals';

-- ---------------------------------------------------------------------------
-- The nightly job
-- ---------------------------------------------------------------------------
-- pg_cron runs jobs in the database named by cron.database_name. When pg_cron
-- is installed here, register (or update, by name) the nightly job; else say
-- how to register it from the cron database.

SET client_min_messages = notice;
\if :cj_schedule
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
		PERFORM cron.schedule('cjourney-nightly', '15 2 * * *',
							  'SELECT cjourney_reports.refresh_recent(3)');
	ELSE
		RAISE NOTICE 'pg_cron is not installed in this database: nightly job not scheduled'
			USING HINT = pg_catalog.format('In the cron.database_name database run: SELECT cron.schedule_in_database(''cjourney-nightly'', ''15 2 * * *'', ''SELECT cjourney_reports.refresh_recent(3)'', %L);',
										   pg_catalog.current_database());
	END IF;
END
$$;
\endif

COMMIT;
