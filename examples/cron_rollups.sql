-- examples/cron_rollups.sql
--		Nightly rollups of cjourney states for dashboards, kept by pg_cron.
--
-- Not part of the extension: a recipe you install (and adapt) in the database
-- that holds your touchpoints, with psql:
--
--   psql -v ON_ERROR_STOP=1 -d yourdb -f examples/cron_rollups.sql
--
-- Optional psql variables (-v name=value), for tables other than the sample
-- data's (a CRM export: psql -v cj_touchpoints=crm.events -v cj_key=contact_id
-- -v cj_time=ts -v cj_stage=lifecycle_stage ...):
--   cj_touchpoints   table (or view) of touches            default public.touchpoints
--   cj_key           its customer key column, any type (bigint, uuid, text)
--                                                          default customer_id
--   cj_time          its time column, timestamptz or timestamp (a timestamp
--                    is read as UTC)                       default occurred_at
--   cj_stage         its stage column (text, varchar or enum) default stage
--   cj_event         its event column (text)               default event
--   cj_channel       its channel column (text)             default channel
--   cj_revenue       its revenue column (numeric)          default revenue
--   cj_stages        the stage order, 'lead<mql<sql', optionally ending in
--                    '; unknown=skip' (README, CRM tables)  default: the labels
--                    of cj_stage_type
--   cj_stage_type    enum whose labels are the default cj_stages
--                                                          default cjourney's stage
--   cj_customers     table of customers: the key, a segment and a campaign
--                    group ('treatment' | 'control')       default public.customers
--   cj_customer_key, cj_segment, cj_campaign_group  its columns
--                                  default cj_key, segment, campaign_group
--   cj_funnel        the funnel steps: the events of each step separated by
--                    ',', the steps by '|'
--                    default 'ad_click,page_view|signup,demo_request|purchase'
--   cj_funnel_window every step within this time of step 1  default 14 days
--   cj_schedule      off: do not register the nightly pg_cron job
-- The recipe reads the touchpoints and customers through two views it
-- creates (source_touchpoints, source_customers) that rename those columns;
-- purchases are touches whose event is 'purchase'. The whole install is one
-- transaction: an error leaves nothing behind. Re-installing with another
-- key type or funnel needs DROP SCHEMA cjourney_reports CASCADE first (the
-- stored rollups depend on them).
--
-- What it creates, all in schema cjourney_reports (re-running the script
-- keeps the stored rollups and replaces functions and views):
--   daily_customer        one row per (UTC day, customer) with touches: the
--                         customer's segment, number of touches and the
--                         stage_time state of that day's rows
--   funnel_customer       one row per customer whose funnel has entered: the
--                         step times of the fixed 3-step funnel over all the
--                         customer's touches, and the entry day
--   daily_funnel          one funnel_report per (entry day, segment)
--   daily_response        one response_state per (day, segment): the campaign's
--                         active customer-days, treated vs control
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
-- Indexes on the touchpoints' key and time keep each day's refresh cheap;
-- for a timestamp column index the expression the recipe filters on:
--   CREATE INDEX ON crm.events ((ts AT TIME ZONE 'UTC'));
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
\if :{?cj_key}
\else
\set cj_key customer_id
\endif
\if :{?cj_time}
\else
\set cj_time occurred_at
\endif
\if :{?cj_stage}
\else
\set cj_stage stage
\endif
\if :{?cj_event}
\else
\set cj_event event
\endif
\if :{?cj_channel}
\else
\set cj_channel channel
\endif
\if :{?cj_revenue}
\else
\set cj_revenue revenue
\endif
\if :{?cj_customer_key}
\else
\set cj_customer_key :cj_key
\endif
\if :{?cj_segment}
\else
\set cj_segment segment
\endif
\if :{?cj_campaign_group}
\else
\set cj_campaign_group campaign_group
\endif
\if :{?cj_funnel}
\else
\set cj_funnel 'ad_click,page_view|signup,demo_request|purchase'
\endif
\if :{?cj_funnel_window}
\else
\set cj_funnel_window '14 days'
\endif
\if :{?cj_stages}
\else
SELECT pg_catalog.array_to_string(pg_catalog.enum_range(NULL:::cj_stage_type)::text[], '<') AS cj_stages \gset
\endif

-- check the columns named above, and read the key's and the time's types
CREATE FUNCTION pg_temp.cj_column_type(tbl text, col text, what text) RETURNS text
LANGUAGE plpgsql STABLE AS $f$
DECLARE t text;
BEGIN
	SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) INTO t
	FROM pg_catalog.pg_attribute a
	WHERE a.attrelid = tbl::regclass AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
	IF t IS NULL THEN
		RAISE EXCEPTION 'table % has no column "%" (the %)', tbl, col, what
			USING HINT = 'Name the column with psql -v, see the head of examples/cron_rollups.sql.';
	END IF;
	RETURN t;
END
$f$;
CREATE FUNCTION pg_temp.cj_same_type(tbl text, key_type text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $f$
BEGIN
	IF pg_temp.cj_column_type(tbl, 'customer_id', 'customer key') <> key_type THEN
		RAISE EXCEPTION '% holds customer keys of type %, not %', tbl,
			pg_temp.cj_column_type(tbl, 'customer_id', 'customer key'), key_type
			USING HINT = 'The rollups were installed for another key: DROP SCHEMA cjourney_reports CASCADE, re-install, backfill.';
	END IF;
	RETURN true;
END
$f$;
SELECT pg_temp.cj_column_type(:'cj_touchpoints', :'cj_key', 'customer key, cj_key') AS cj_key_type,
	   pg_temp.cj_column_type(:'cj_touchpoints', :'cj_time', 'time, cj_time') = 'timestamp without time zone' AS cj_time_is_timestamp,
	   pg_temp.cj_column_type(:'cj_touchpoints', :'cj_stage', 'stage, cj_stage') IS NOT NULL AS cj_ok_stage,
	   pg_temp.cj_column_type(:'cj_touchpoints', :'cj_event', 'event, cj_event') IS NOT NULL AS cj_ok_event,
	   pg_temp.cj_column_type(:'cj_touchpoints', :'cj_channel', 'channel, cj_channel') IS NOT NULL AS cj_ok_channel,
	   pg_temp.cj_column_type(:'cj_touchpoints', :'cj_revenue', 'revenue, cj_revenue') IS NOT NULL AS cj_ok_revenue,
	   pg_temp.cj_column_type(:'cj_customers', :'cj_customer_key', 'customer key, cj_customer_key') IS NOT NULL AS cj_ok_ckey,
	   pg_temp.cj_column_type(:'cj_customers', :'cj_segment', 'segment, cj_segment') IS NOT NULL AS cj_ok_segment,
	   pg_temp.cj_column_type(:'cj_customers', :'cj_campaign_group', 'campaign group, cj_campaign_group') IS NOT NULL AS cj_ok_group,
	   pg_catalog.cardinality(pg_catalog.string_to_array(:'cj_funnel', '|')) AS cj_nsteps,
	   pg_catalog.string_to_array(pg_catalog.regexp_replace(pg_catalog.split_part(:'cj_stages', ';', 1), '\s+', '', 'g'), '<')::text AS cj_stage_labels
\gset

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
	'cjourney dashboard rollups (examples/cron_rollups.sql): daily cjourney states, refresh functions and BI views';

-- The source tables under the names the recipe uses. A timestamp without
-- time zone is read as UTC (as cjourney's timestamp overloads do), so days
-- are UTC days whatever the session's TimeZone.
CREATE OR REPLACE VIEW cjourney_reports.source_touchpoints AS
SELECT s.:"cj_key" AS customer_id,
\if :cj_time_is_timestamp
	   (s.:"cj_time" AT TIME ZONE 'UTC') AS occurred_at,
\else
	   s.:"cj_time"::timestamptz AS occurred_at,
\endif
	   s.:"cj_stage"::text AS stage, s.:"cj_event"::text AS event,
	   s.:"cj_channel"::text AS channel, s.:"cj_revenue"::numeric AS revenue
FROM :cj_touchpoints s;
COMMENT ON VIEW cjourney_reports.source_touchpoints IS
	'the touchpoints table the recipe was installed on, with its columns renamed (customer_id, occurred_at, stage, event, channel, revenue)';
CREATE OR REPLACE VIEW cjourney_reports.source_customers AS
SELECT c.:"cj_customer_key" AS customer_id, c.:"cj_segment"::text AS segment,
	   c.:"cj_campaign_group"::text AS campaign_group
FROM :cj_customers c;
COMMENT ON VIEW cjourney_reports.source_customers IS
	'the customers table the recipe was installed on, with its columns renamed (customer_id, segment, campaign_group)';
COMMENT ON COLUMN cjourney_reports.source_touchpoints.customer_id IS 'customer key (cj_key)';
COMMENT ON COLUMN cjourney_reports.source_touchpoints.occurred_at IS 'touch time (cj_time; a timestamp read as UTC)';
COMMENT ON COLUMN cjourney_reports.source_touchpoints.stage IS 'lifecycle stage as text (cj_stage)';
COMMENT ON COLUMN cjourney_reports.source_touchpoints.event IS 'event (cj_event)';
COMMENT ON COLUMN cjourney_reports.source_touchpoints.channel IS 'channel (cj_channel)';
COMMENT ON COLUMN cjourney_reports.source_touchpoints.revenue IS 'revenue (cj_revenue)';
COMMENT ON COLUMN cjourney_reports.source_customers.customer_id IS 'customer key (cj_customer_key)';
COMMENT ON COLUMN cjourney_reports.source_customers.segment IS 'customer segment (cj_segment)';
COMMENT ON COLUMN cjourney_reports.source_customers.campaign_group IS 'treatment, control or another group (cj_campaign_group)';
-- the funnel steps of cj_funnel, per touch event
CREATE OR REPLACE FUNCTION cjourney_reports.funnel_flags(event text) RETURNS boolean[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT pg_catalog.array_agg(COALESCE(event = ANY (pg_catalog.string_to_array(f.events, ',')), false) ORDER BY f.step)
		FROM pg_catalog.unnest(pg_catalog.string_to_array(:'cj_funnel', '|')) WITH ORDINALITY AS f (events, step));
COMMENT ON FUNCTION cjourney_reports.funnel_flags(text) IS
	'the funnel steps (cj_funnel at install) an event fills, as window_funnel_times step flags';

-- ---------------------------------------------------------------------------
-- Rollup tables
-- ---------------------------------------------------------------------------


-- One row per UTC day and customer with touches that day. stage_time states
-- belong to one customer, so the customer is part of the key; rollup(st)
-- over any set of a customer's days gives exactly the state of all their
-- rows on those days, and dashboards group the merged states by segment.
CREATE TABLE IF NOT EXISTS cjourney_reports.daily_customer (
	day			date NOT NULL,
	customer_id	:cj_key_type NOT NULL,
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

-- The funnel of the funnel tiles, cj_funnel at install (by default
--   step 1  event ad_click or page_view
--   step 2  event signup or demo_request
--   step 3  event purchase
-- within cj_funnel_window, 14 days, of step 1: window_funnel_times, default
-- mode; to change it, DROP SCHEMA cjourney_reports CASCADE, re-install with
-- -v cj_funnel=... and backfill). A customer's
-- funnel is window_funnel_times over ALL the customer's touches; its entry
-- day is the UTC day of its step-1 time (the start of the chain that first
-- reached the customer's deepest step). Completions arrive later than the
-- entry, and a later, deeper chain moves the entry to a later day, so a
-- day's funnel row is not a function of that day's touches: refresh_day(d)
-- recomputes the funnel of every customer with touches on d (now, or at the
-- previous refresh of d) over all their touches, then rebuilds the
-- daily_funnel rows of every entry day those customers left or joined. Once
-- every day with new touches has been refreshed, daily_funnel equals
-- funnel_report_agg over the raw rows exactly, whichever days are re-run
-- and in which order; the nightly refresh_recent(3) keeps it so for rows up
-- to 3 days late.
CREATE OR REPLACE VIEW cjourney_reports.funnel_definition (step, step_name, window_length) AS
SELECT f.step::integer, pg_catalog.replace(f.events, ',', ' or '), :'cj_funnel_window'::interval
FROM pg_catalog.unnest(pg_catalog.string_to_array(:'cj_funnel', '|')) WITH ORDINALITY AS f (events, step);
COMMENT ON VIEW cjourney_reports.funnel_definition IS
	'the funnel of the funnel tiles (cj_funnel at install: events per step, window from step 1); refresh_day computes it';
COMMENT ON COLUMN cjourney_reports.funnel_definition.step IS 'step number, 1 = entry';
COMMENT ON COLUMN cjourney_reports.funnel_definition.step_name IS 'touchpoint events that fill the step';
COMMENT ON COLUMN cjourney_reports.funnel_definition.window_length IS 'every step must lie within this time of step 1';

CREATE TABLE IF NOT EXISTS cjourney_reports.funnel_customer (
	customer_id	:cj_key_type PRIMARY KEY,
	segment		text,
	entry_day	date NOT NULL,
	step_times	timestamptz[] NOT NULL
);
-- tables kept from an install on another key type cannot serve this one
SELECT pg_temp.cj_same_type('cjourney_reports.daily_customer', :'cj_key_type'),
	   pg_temp.cj_same_type('cjourney_reports.funnel_customer', :'cj_key_type');
CREATE INDEX IF NOT EXISTS funnel_customer_entry_day
	ON cjourney_reports.funnel_customer (entry_day);
COMMENT ON TABLE cjourney_reports.funnel_customer IS
	'cjourney rollup: the funnel of each customer who entered it, over all their touches; written only by refresh_day';
COMMENT ON COLUMN cjourney_reports.funnel_customer.customer_id IS 'customer';
COMMENT ON COLUMN cjourney_reports.funnel_customer.segment IS 'customer''s segment when the customer''s funnel was last recomputed';
COMMENT ON COLUMN cjourney_reports.funnel_customer.entry_day IS 'UTC day of step_times[1]';
COMMENT ON COLUMN cjourney_reports.funnel_customer.step_times IS
	'window_funnel_times of the funnel over all the customer''s touches (1 to 3 elements)';

CREATE TABLE IF NOT EXISTS cjourney_reports.daily_funnel (
	day			date NOT NULL,
	segment		text,
	customers	integer NOT NULL,
	report		:"cj".funnel_report NOT NULL,
	CONSTRAINT daily_funnel_day_segment UNIQUE NULLS NOT DISTINCT (day, segment)
);
COMMENT ON TABLE cjourney_reports.daily_funnel IS
	'cjourney rollup: funnel_report of the customers whose funnel entered on a UTC day, per segment; written only by refresh_day';
COMMENT ON COLUMN cjourney_reports.daily_funnel.day IS 'UTC entry day (day of step 1)';
COMMENT ON COLUMN cjourney_reports.daily_funnel.segment IS 'customer segment (as in funnel_customer)';
COMMENT ON COLUMN cjourney_reports.daily_funnel.customers IS 'customers who entered the funnel that day';
COMMENT ON COLUMN cjourney_reports.daily_funnel.report IS
	'funnel_report_agg(step_times, 3) of those customers; merge days with rollup(report)';

-- Campaign response (the spring campaign's treatment/control split in
-- customers.campaign_group). The unit is the customer-day: a customer in the
-- campaign (campaign_group treatment or control) with at least one touch on
-- a UTC day; treated = campaign_group = 'treatment'; responded = a purchase
-- touch that day; value = that day's purchase revenue (0 without). Each row
-- belongs to one day, so rollup(st) over any range of days equals
-- response_agg over that range's customer-days exactly (the value moments to
-- floating-point rounding).
CREATE TABLE IF NOT EXISTS cjourney_reports.daily_response (
	day			date NOT NULL,
	segment		text,
	st			:"cj".response_state NOT NULL,
	CONSTRAINT daily_response_day_segment UNIQUE NULLS NOT DISTINCT (day, segment)
);
COMMENT ON TABLE cjourney_reports.daily_response IS
	'cjourney rollup: campaign response_state of the active customer-days of a UTC day, per segment; written only by refresh_day';
COMMENT ON COLUMN cjourney_reports.daily_response.day IS 'UTC calendar day';
COMMENT ON COLUMN cjourney_reports.daily_response.segment IS 'customer segment when the day was last refreshed';
COMMENT ON COLUMN cjourney_reports.daily_response.st IS
	'response_agg(treated, purchased that day, purchase revenue that day) over the campaign customers active that day; merge days with rollup(st)';

-- Channel credit: per UTC day, segment and rule-based model, the attribution
-- of the purchases made that day. Each purchase is credited to the touches
-- since the customer's previous purchase (cjourney's conversion cycles), so
-- the day's state is computed from the rows since the last purchase before
-- the day, with earlier purchases left out; rollup(a) over any range of days
-- equals attribution_agg over the purchases of that range. The data-driven
-- models need every path, converting or not, over the whole history: run
-- them on demand (README, Attribution) rather than per day.
CREATE TABLE IF NOT EXISTS cjourney_reports.daily_attribution (
	day			date NOT NULL,
	segment		text,
	model		text NOT NULL,
	a			:"cj".attribution NOT NULL,
	CONSTRAINT daily_attribution_day_segment_model UNIQUE NULLS NOT DISTINCT (day, segment, model)
);
COMMENT ON TABLE cjourney_reports.daily_attribution IS
	'cjourney rollup: channel credit of the purchases of a UTC day, per segment and model; written only by refresh_day';
COMMENT ON COLUMN cjourney_reports.daily_attribution.day IS 'UTC calendar day of the purchases';
COMMENT ON COLUMN cjourney_reports.daily_attribution.segment IS 'customer segment when the day was last refreshed';
COMMENT ON COLUMN cjourney_reports.daily_attribution.model IS 'attribution model: last_touch, linear, position_based or time_decay';
COMMENT ON COLUMN cjourney_reports.daily_attribution.a IS
	'attribution_agg of the day''s purchases; merge days with rollup(a), read with attribution_credits';

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

-- The channel credit of the purchases of one UTC day, per segment and model:
-- each customer who bought that day, from their last purchase before the day
-- on, earlier purchases left out (see daily_attribution).
CREATE OR REPLACE FUNCTION cjourney_reports.day_attribution(purchase_day date)
RETURNS TABLE (segment text, model text, a :"cj".attribution)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT x.segment, x.model, :"cj".rollup(x.a)
	FROM (SELECT t.customer_id, b.segment, m.model,
				 :"cj".attribution_agg(t.occurred_at, t.channel, t.event = 'purchase', t.revenue, m.model,
									   CASE m.model WHEN 'time_decay' THEN 'half_life=7 days' ELSE '' END) AS a
		  FROM (SELECT p.customer_id, c.segment,
					   (SELECT pg_catalog.max(e.occurred_at) FROM cjourney_reports.source_touchpoints e
						WHERE e.customer_id = p.customer_id AND e.event = 'purchase'
						  AND e.occurred_at < (purchase_day::timestamp AT TIME ZONE 'UTC')) AS since
				FROM (SELECT DISTINCT d.customer_id FROM cjourney_reports.source_touchpoints d
					  WHERE d.event = 'purchase'
						AND d.occurred_at >= (purchase_day::timestamp AT TIME ZONE 'UTC')
						AND d.occurred_at < ((purchase_day + 1)::timestamp AT TIME ZONE 'UTC')) p
					LEFT JOIN cjourney_reports.source_customers c ON c.customer_id = p.customer_id) b
			  JOIN cjourney_reports.source_touchpoints t ON t.customer_id = b.customer_id
			  CROSS JOIN (VALUES ('last_touch'), ('linear'), ('position_based'), ('time_decay')) m (model)
		  WHERE t.occurred_at < ((purchase_day + 1)::timestamp AT TIME ZONE 'UTC')
			AND (b.since IS NULL OR t.occurred_at >= b.since)
			AND (t.event IS DISTINCT FROM 'purchase' OR t.occurred_at >= (purchase_day::timestamp AT TIME ZONE 'UTC'))
		  GROUP BY t.customer_id, b.segment, m.model) x
	GROUP BY x.segment, x.model;
END;
COMMENT ON FUNCTION cjourney_reports.day_attribution(date) IS
	'channel credit of the purchases of one UTC day, per segment and rule-based model (used by refresh_day)';


-- The purchase days whose channel credit a refresh of refresh_date changes:
-- the day itself, and for every customer with touches on it (now, or at its
-- last refresh: daily_customer still holds that) the days of their purchases
-- from that day up to their first purchase after it, which the day's touches
-- count toward.
CREATE OR REPLACE FUNCTION cjourney_reports.attribution_days(refresh_date date)
RETURNS SETOF date
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT refresh_date
	UNION
	SELECT (p.occurred_at AT TIME ZONE 'UTC')::date
	FROM cjourney_reports.source_touchpoints p
	WHERE p.event = 'purchase'
	  AND p.customer_id IN (SELECT t.customer_id FROM cjourney_reports.source_touchpoints t
							WHERE t.occurred_at >= (refresh_date::timestamp AT TIME ZONE 'UTC')
							  AND t.occurred_at < ((refresh_date + 1)::timestamp AT TIME ZONE 'UTC')
							UNION
							SELECT r.customer_id FROM cjourney_reports.daily_customer r WHERE r.day = refresh_date)
	  AND p.occurred_at >= (refresh_date::timestamp AT TIME ZONE 'UTC')
	  AND p.occurred_at <= COALESCE((SELECT pg_catalog.min(n.occurred_at) FROM cjourney_reports.source_touchpoints n
									 WHERE n.customer_id = p.customer_id AND n.event = 'purchase'
									   AND n.occurred_at >= ((refresh_date + 1)::timestamp AT TIME ZONE 'UTC')),
									((refresh_date + 1)::timestamp AT TIME ZONE 'UTC'));
END;
COMMENT ON FUNCTION cjourney_reports.attribution_days(date) IS
	'purchase days whose channel credit depends on the touches of one UTC day (used by refresh_day)';

-- Recompute one UTC day from the raw touchpoints. DELETE + INSERT in the
-- caller's transaction, serialised by an advisory lock (one refresh at a
-- time, as a customer's funnel spans days), so a re-run (or a concurrent
-- one) replaces the day and never double counts. It also recomputes the
-- funnels of the day's customers (see funnel_customer) and the day's
-- campaign response.
CREATE OR REPLACE FUNCTION cjourney_reports.refresh_day(refresh_date date)
RETURNS integer
LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
BEGIN ATOMIC
	-- one refresh at a time: a customer's funnel row spans days
	SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('cjourney_reports.refresh_day'), 0);
	-- funnels of the customers with touches on the day (now, or at its last
	-- refresh: daily_customer still holds that): drop the entry days they
	-- were counted on, recompute them over all their touches, drop the
	-- entry days they are counted on now, rebuild every dropped day
	DELETE FROM cjourney_reports.daily_funnel
	WHERE day IN (SELECT f.entry_day FROM cjourney_reports.funnel_customer f
				  WHERE f.customer_id IN (SELECT t.customer_id FROM cjourney_reports.source_touchpoints t
		 WHERE t.occurred_at >= (refresh_date::timestamp AT TIME ZONE 'UTC')
		   AND t.occurred_at < ((refresh_date + 1)::timestamp AT TIME ZONE 'UTC')
		 UNION SELECT r.customer_id FROM cjourney_reports.daily_customer r WHERE r.day = refresh_date));
	DELETE FROM cjourney_reports.funnel_customer
	WHERE customer_id IN (SELECT t.customer_id FROM cjourney_reports.source_touchpoints t
		 WHERE t.occurred_at >= (refresh_date::timestamp AT TIME ZONE 'UTC')
		   AND t.occurred_at < ((refresh_date + 1)::timestamp AT TIME ZONE 'UTC')
		 UNION SELECT r.customer_id FROM cjourney_reports.daily_customer r WHERE r.day = refresh_date);
	INSERT INTO cjourney_reports.funnel_customer (customer_id, segment, entry_day, step_times)
	SELECT s.customer_id, s.segment, (s.times[1] AT TIME ZONE 'UTC')::date, s.times
	FROM (SELECT t.customer_id, c.segment,
				 :"cj".window_funnel_times(:'cj_funnel_window'::interval, t.occurred_at,
					 VARIADIC cjourney_reports.funnel_flags(t.event)) AS times
		  FROM cjourney_reports.source_touchpoints t
			  LEFT JOIN cjourney_reports.source_customers c ON c.customer_id = t.customer_id
		  WHERE t.customer_id IN (SELECT t.customer_id FROM cjourney_reports.source_touchpoints t
		 WHERE t.occurred_at >= (refresh_date::timestamp AT TIME ZONE 'UTC')
		   AND t.occurred_at < ((refresh_date + 1)::timestamp AT TIME ZONE 'UTC')
		 UNION SELECT r.customer_id FROM cjourney_reports.daily_customer r WHERE r.day = refresh_date)
		  GROUP BY t.customer_id, c.segment) s
	WHERE pg_catalog.cardinality(s.times) > 0;
	DELETE FROM cjourney_reports.daily_funnel
	WHERE day IN (SELECT f.entry_day FROM cjourney_reports.funnel_customer f
				  WHERE f.customer_id IN (SELECT t.customer_id FROM cjourney_reports.source_touchpoints t
		 WHERE t.occurred_at >= (refresh_date::timestamp AT TIME ZONE 'UTC')
		   AND t.occurred_at < ((refresh_date + 1)::timestamp AT TIME ZONE 'UTC')
		 UNION SELECT r.customer_id FROM cjourney_reports.daily_customer r WHERE r.day = refresh_date));
	INSERT INTO cjourney_reports.daily_funnel (day, segment, customers, report)
	SELECT f.entry_day, f.segment, pg_catalog.count(*), :"cj".funnel_report_agg(f.step_times, :cj_nsteps)
	FROM cjourney_reports.funnel_customer f
	WHERE NOT EXISTS (SELECT 1 FROM cjourney_reports.daily_funnel d WHERE d.day = f.entry_day)
	GROUP BY f.entry_day, f.segment;
	-- campaign response of the day's active customer-days
	DELETE FROM cjourney_reports.daily_response WHERE day = refresh_date;
	INSERT INTO cjourney_reports.daily_response (day, segment, st)
	SELECT refresh_date, p.segment, :"cj".response_agg(p.treated, p.responded, p.revenue)
	FROM (SELECT t.customer_id, c.segment, c.campaign_group = 'treatment' AS treated,
				 pg_catalog.bool_or(COALESCE(t.event = 'purchase', false)) AS responded,
				 COALESCE(pg_catalog.sum(t.revenue) FILTER (WHERE t.event = 'purchase'), 0)::double precision AS revenue
		  FROM cjourney_reports.source_touchpoints t
			  JOIN cjourney_reports.source_customers c ON c.customer_id = t.customer_id
		  WHERE t.occurred_at >= (refresh_date::timestamp AT TIME ZONE 'UTC')
			AND t.occurred_at < ((refresh_date + 1)::timestamp AT TIME ZONE 'UTC')
			AND c.campaign_group IN ('treatment', 'control')
		  GROUP BY t.customer_id, c.segment, c.campaign_group) p
	GROUP BY p.segment;
	-- channel credit: a touch of the day counts toward its customer's next
	-- purchase, made that day or on the day of their first purchase after
	-- it, so those days are recomputed too (see daily_attribution)
	DELETE FROM cjourney_reports.daily_attribution
	WHERE day IN (SELECT d.day FROM cjourney_reports.attribution_days(refresh_date) d (day));
	INSERT INTO cjourney_reports.daily_attribution (day, segment, model, a)
	SELECT d.day, x.segment, x.model, x.a
	FROM cjourney_reports.attribution_days(refresh_date) d (day),
		 cjourney_reports.day_attribution(d.day) x;
	DELETE FROM cjourney_reports.daily_customer WHERE day = refresh_date;
	INSERT INTO cjourney_reports.daily_customer (day, customer_id, segment, touches, st)
	SELECT refresh_date, t.customer_id, c.segment, pg_catalog.count(*),
		   :"cj".stage_time_agg(t.occurred_at, t.stage, :'cj_stages')
	FROM cjourney_reports.source_touchpoints t
		LEFT JOIN cjourney_reports.source_customers c ON c.customer_id = t.customer_id
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
	'recompute the cjourney rollups of one UTC day from the raw touchpoints (replaces the day, and the funnels of its customers; returns its customers)';

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
		   pg_catalog.array_position(:'cj_stage_labels'::text[], d.stage),
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
	   pg_catalog.array_position(:'cj_stage_labels'::text[], d.stage) AS stage_order,
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
		   pg_catalog.justify_hours(pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY v.first_entered - v.entered_at)) AS median_time_to_reach,
		   pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY pg_catalog.date_part('epoch', v.first_entered - v.entered_at) / 86400) AS median_days_to_reach
	FROM visits v GROUP BY 1, 2, 3
)
SELECT c.entry_week, c.segment, s.stage, s.stage_order::integer AS stage_order, c.customers,
	   COALESCE(r.reached, 0) AS reached,
	   pg_catalog.round(COALESCE(r.reached, 0)::numeric / c.customers, 4) AS share_reached,
	   r.median_time_to_reach, r.median_days_to_reach
FROM cohorts c
	CROSS JOIN pg_catalog.unnest(:'cj_stage_labels'::text[]) WITH ORDINALITY AS s(stage, stage_order)
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

-- Funnel by step: customers whose funnel entered on a UTC day from from_day
-- to to_day (inclusive), per segment, with their later steps wherever they
-- fell (up to 14 days after entry); funnel_steps of rollup(report).
CREATE OR REPLACE FUNCTION cjourney_reports.funnel_by_step(from_day date, to_day date)
RETURNS TABLE (segment text, step integer, step_name text, customers bigint,
			   conversion_from_previous double precision, conversion_from_first double precision,
			   dropped_off bigint, median_time_from_previous interval, p90_time_from_previous interval,
			   median_days_from_previous double precision, p90_days_from_previous double precision)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT r.segment, s.step, d.step_name, s.customers, s.conversion_from_previous, s.conversion_from_first,
		   s.dropped_off, s.median_time_from_previous, s.p90_time_from_previous,
		   pg_catalog.date_part('epoch', s.median_time_from_previous) / 86400,
		   pg_catalog.date_part('epoch', s.p90_time_from_previous) / 86400
	FROM (SELECT f.segment, :"cj".rollup(f.report) AS report
		  FROM cjourney_reports.daily_funnel f
		  WHERE f.day >= from_day AND f.day <= to_day
		  GROUP BY f.segment) r,
		 :"cj".funnel_steps(r.report) s
		 LEFT JOIN cjourney_reports.funnel_definition d ON d.step = s.step
	ORDER BY 1, 2;
END;
COMMENT ON FUNCTION cjourney_reports.funnel_by_step(date, date) IS
	'dashboard: funnel by step and segment for the customers whose funnel entered on UTC days from_day..to_day (inclusive)';

CREATE OR REPLACE VIEW cjourney_reports.funnel_by_step_28d AS
SELECT r.from_day, r.to_day, f.segment, f.step, f.step_name, f.customers, f.conversion_from_previous,
	   f.conversion_from_first, f.dropped_off, f.median_time_from_previous, f.p90_time_from_previous,
	   f.median_days_from_previous, f.p90_days_from_previous
FROM (SELECT (pg_catalog.now() AT TIME ZONE 'UTC')::date - 28 AS from_day,
			 (pg_catalog.now() AT TIME ZONE 'UTC')::date - 1 AS to_day) r,
	 cjourney_reports.funnel_by_step(r.from_day, r.to_day) f;
COMMENT ON VIEW cjourney_reports.funnel_by_step_28d IS
	'dashboard: funnel by step and segment for funnels entered in the last 28 complete UTC days (recent entries may still convert)';

-- Funnel conversion trend: one funnel per entry week (UTC, Monday start).
CREATE OR REPLACE VIEW cjourney_reports.funnel_by_entry_week AS
SELECT w.week_start, w.segment, s.step, d.step_name, s.customers,
	   s.conversion_from_previous, s.conversion_from_first, s.dropped_off,
	   s.median_time_from_previous, s.p90_time_from_previous,
	   pg_catalog.date_part('epoch', s.median_time_from_previous) / 86400 AS median_days_from_previous,
	   pg_catalog.date_part('epoch', s.p90_time_from_previous) / 86400 AS p90_days_from_previous
FROM (SELECT pg_catalog.date_trunc('week', f.day::timestamp)::date AS week_start, f.segment,
			 :"cj".rollup(f.report) AS report
	  FROM cjourney_reports.daily_funnel f
	  GROUP BY 1, 2) w,
	 :"cj".funnel_steps(w.report) s
	 LEFT JOIN cjourney_reports.funnel_definition d ON d.step = s.step;
COMMENT ON VIEW cjourney_reports.funnel_by_entry_week IS
	'dashboard: funnel conversion trend: the funnel of the customers whose funnel entered in each UTC week (Monday start), per segment';

-- Campaign response by segment over any range of UTC days (inclusive): the
-- campaign's active customer-days (see daily_response), treated vs control.
CREATE OR REPLACE FUNCTION cjourney_reports.campaign_response_by_segment(from_day date, to_day date,
																	   level double precision DEFAULT 0.95)
RETURNS TABLE (segment text, treated_n bigint, treated_responders bigint, treated_rate double precision,
			   control_n bigint, control_responders bigint, control_rate double precision,
			   abs_lift double precision, lift double precision, ci_low double precision,
			   ci_high double precision, z double precision, p_value double precision,
			   treated_mean_value double precision, control_mean_value double precision)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT r.segment, (r.sr).treated_n, (r.sr).treated_responders, (r.sr).treated_rate,
		   (r.sr).control_n, (r.sr).control_responders, (r.sr).control_rate,
		   (r.sr).abs_lift, (r.sr).lift, (r.sr).ci_low, (r.sr).ci_high, (r.sr).z, (r.sr).p_value,
		   :"cj".response_treated_mean(r.st), :"cj".response_control_mean(r.st)
	FROM (SELECT m.segment, m.st, :"cj".segment_response(m.st, level) AS sr
		  FROM (SELECT d.segment, :"cj".rollup(d.st) AS st
				FROM cjourney_reports.daily_response d
				WHERE d.day >= from_day AND d.day <= to_day
				GROUP BY d.segment) m) r
	ORDER BY 1;
END;
COMMENT ON FUNCTION cjourney_reports.campaign_response_by_segment(date, date, double precision) IS
	'dashboard: campaign response (purchase on an active day) by segment, treatment vs control, over UTC days from_day..to_day (inclusive)';

CREATE OR REPLACE VIEW cjourney_reports.campaign_response_by_segment_28d AS
SELECT r.from_day, r.to_day, c.*
FROM (SELECT (pg_catalog.now() AT TIME ZONE 'UTC')::date - 28 AS from_day,
			 (pg_catalog.now() AT TIME ZONE 'UTC')::date - 1 AS to_day) r,
	 cjourney_reports.campaign_response_by_segment(r.from_day, r.to_day) c;
COMMENT ON VIEW cjourney_reports.campaign_response_by_segment_28d IS
	'dashboard: campaign response by segment over the last 28 complete UTC days';

-- Channel credit by model over any range of UTC days (inclusive): the
-- purchases of those days credited to the channels before them, per segment,
-- under each rule-based model; (none) holds purchases with no touch before.
CREATE OR REPLACE FUNCTION cjourney_reports.channel_credit_by_model(from_day date, to_day date)
RETURNS TABLE (segment text, model text, channel text, conversions double precision, revenue double precision)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT r.segment, r.model, c.channel, c.conversions, c.revenue
	FROM (SELECT d.segment, d.model, :"cj".rollup(d.a) AS a
		  FROM cjourney_reports.daily_attribution d
		  WHERE d.day >= from_day AND d.day <= to_day
		  GROUP BY d.segment, d.model) r,
		 :"cj".attribution_credits(r.a) c
	ORDER BY 1, 2, 4 DESC, 3;
END;
COMMENT ON FUNCTION cjourney_reports.channel_credit_by_model(date, date) IS
	'dashboard: purchases and revenue credited per channel by segment and model, over UTC days from_day..to_day (inclusive)';

CREATE OR REPLACE VIEW cjourney_reports.channel_credit_by_model_28d AS
SELECT r.from_day, r.to_day, c.*
FROM (SELECT (pg_catalog.now() AT TIME ZONE 'UTC')::date - 28 AS from_day,
			 (pg_catalog.now() AT TIME ZONE 'UTC')::date - 1 AS to_day) r,
	 cjourney_reports.channel_credit_by_model(r.from_day, r.to_day) c;
COMMENT ON VIEW cjourney_reports.channel_credit_by_model_28d IS
	'dashboard: channel credit by segment and model over the last 28 complete UTC days';

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
COMMENT ON COLUMN cjourney_reports.stages_reached_by_entry_week.median_days_to_reach IS 'median time from the first touch to the first touch in the stage, in days (for charts)';
COMMENT ON COLUMN cjourney_reports.cohort_retention_weekly.entry_week IS 'Monday of the UTC week of the customers'' first touch';
COMMENT ON COLUMN cjourney_reports.cohort_retention_weekly.segment IS 'customer segment';
COMMENT ON COLUMN cjourney_reports.cohort_retention_weekly.week_number IS 'weeks since the entry week (0 = the entry week)';
COMMENT ON COLUMN cjourney_reports.cohort_retention_weekly.customers IS 'customers of the cohort (entry week and segment)';
COMMENT ON COLUMN cjourney_reports.cohort_retention_weekly.active_customers IS 'of those, customers with a touch in that week';
COMMENT ON COLUMN cjourney_reports.cohort_retention_weekly.share_active IS 'active_customers / customers, rounded to 4 decimals';
COMMENT ON COLUMN cjourney_reports.funnel_by_step_28d.from_day IS 'first UTC entry day of the range';
COMMENT ON COLUMN cjourney_reports.funnel_by_step_28d.to_day IS 'last UTC entry day of the range (inclusive)';
COMMENT ON COLUMN cjourney_reports.funnel_by_step_28d.segment IS 'customer segment';
COMMENT ON COLUMN cjourney_reports.funnel_by_step_28d.step IS 'funnel step (1 = entry); see funnel_definition';
COMMENT ON COLUMN cjourney_reports.funnel_by_step_28d.step_name IS 'touchpoint events that fill the step';
COMMENT ON COLUMN cjourney_reports.funnel_by_step_28d.customers IS 'customers who reached the step';
COMMENT ON COLUMN cjourney_reports.funnel_by_step_28d.conversion_from_previous IS 'customers / customers of the previous step';
COMMENT ON COLUMN cjourney_reports.funnel_by_step_28d.conversion_from_first IS 'customers / customers of step 1';
COMMENT ON COLUMN cjourney_reports.funnel_by_step_28d.dropped_off IS 'customers of the previous step who did not reach this one';
COMMENT ON COLUMN cjourney_reports.funnel_by_step_28d.median_time_from_previous IS 'median time from the previous step (exact, percentile_cont)';
COMMENT ON COLUMN cjourney_reports.funnel_by_step_28d.p90_time_from_previous IS '90th percentile of the time from the previous step';
COMMENT ON COLUMN cjourney_reports.funnel_by_step_28d.median_days_from_previous IS 'median time from the previous step, in days (for charts)';
COMMENT ON COLUMN cjourney_reports.funnel_by_step_28d.p90_days_from_previous IS '90th percentile of the time from the previous step, in days (for charts)';
COMMENT ON COLUMN cjourney_reports.funnel_by_entry_week.week_start IS 'Monday of the UTC week the customers'' funnels entered';
COMMENT ON COLUMN cjourney_reports.funnel_by_entry_week.segment IS 'customer segment';
COMMENT ON COLUMN cjourney_reports.funnel_by_entry_week.step IS 'funnel step (1 = entry); see funnel_definition';
COMMENT ON COLUMN cjourney_reports.funnel_by_entry_week.step_name IS 'touchpoint events that fill the step';
COMMENT ON COLUMN cjourney_reports.funnel_by_entry_week.customers IS 'customers who reached the step';
COMMENT ON COLUMN cjourney_reports.funnel_by_entry_week.conversion_from_previous IS 'customers / customers of the previous step';
COMMENT ON COLUMN cjourney_reports.funnel_by_entry_week.conversion_from_first IS 'customers / customers of step 1';
COMMENT ON COLUMN cjourney_reports.funnel_by_entry_week.dropped_off IS 'customers of the previous step who did not reach this one';
COMMENT ON COLUMN cjourney_reports.funnel_by_entry_week.median_time_from_previous IS 'median time from the previous step (exact, percentile_cont)';
COMMENT ON COLUMN cjourney_reports.funnel_by_entry_week.p90_time_from_previous IS '90th percentile of the time from the previous step';
COMMENT ON COLUMN cjourney_reports.funnel_by_entry_week.median_days_from_previous IS 'median time from the previous step, in days (for charts)';
COMMENT ON COLUMN cjourney_reports.funnel_by_entry_week.p90_days_from_previous IS '90th percentile of the time from the previous step, in days (for charts)';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.from_day IS 'first UTC day of the range';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.to_day IS 'last UTC day of the range (inclusive)';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.segment IS 'customer segment';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.treated_n IS 'treatment customer-days (campaign customers active on a day)';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.treated_responders IS 'of those, days with a purchase';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.treated_rate IS 'treated_responders / treated_n';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.control_n IS 'control customer-days';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.control_responders IS 'of those, days with a purchase';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.control_rate IS 'control_responders / control_n';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.abs_lift IS 'treated_rate - control_rate';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.lift IS 'treated_rate / control_rate - 1 (NULL when the control rate is 0)';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.ci_low IS 'lower bound of the 95% (Wald) interval of abs_lift';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.ci_high IS 'upper bound of the 95% (Wald) interval of abs_lift';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.z IS 'pooled two-proportion z statistic';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.p_value IS 'two-sided p-value of the z-test';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.treated_mean_value IS 'mean purchase revenue per treatment customer-day';
COMMENT ON COLUMN cjourney_reports.campaign_response_by_segment_28d.control_mean_value IS 'mean purchase revenue per control customer-day';
COMMENT ON COLUMN cjourney_reports.channel_credit_by_model_28d.from_day IS 'first UTC day of the range';
COMMENT ON COLUMN cjourney_reports.channel_credit_by_model_28d.to_day IS 'last UTC day of the range (inclusive)';
COMMENT ON COLUMN cjourney_reports.channel_credit_by_model_28d.segment IS 'customer segment';
COMMENT ON COLUMN cjourney_reports.channel_credit_by_model_28d.model IS 'attribution model';
COMMENT ON COLUMN cjourney_reports.channel_credit_by_model_28d.channel IS 'channel credited; (none) for purchases with no touch before them';
COMMENT ON COLUMN cjourney_reports.channel_credit_by_model_28d.conversions IS 'purchases credited to the channel (fractions add up to the purchases)';
COMMENT ON COLUMN cjourney_reports.channel_credit_by_model_28d.revenue IS 'purchase revenue credited to the channel';

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
