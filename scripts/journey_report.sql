-- scripts/journey_report.sql
--		The analyses of the journey report, as one JSON document on stdout.
--
-- Run by scripts/journey_report.sh, which sets every variable below with
-- psql -v and wraps the document into the HTML page. By hand:
--
--   psql -X -At -v cj_table=public.touchpoints ... -f scripts/journey_report.sql
--
-- Variables (all set by the driver; empty means "none"):
--   cj_table          touchpoints table (or view), any name regclass accepts
--   cj_customer_col   customer key column (any type with equality: bigint, uuid, text)
--   cj_time_col       time column: timestamptz, or timestamp / date read as UTC
--   cj_stage_col      stage column: an enum, or text / varchar cast to the stage enum
--   cj_event_col      event column (text)
--   cj_channel_col    channel column (text)
--   cj_value_col      revenue column (numeric), optional
--   cj_segment_col    segment column, optional
--   cj_customers      table with one row per customer (same key column name) that
--                     holds the segment and treated columns instead, optional
--   cj_treated_col    campaign column: boolean, or text compared with
--   cj_treated_value / cj_control_value (other values are left out), optional
--   cj_stage_type     enum the stage column is cast to (default cjourney's stage)
--   cj_stages         comma-separated stage labels in lifecycle order: a
--                     temporary enum of them is created and used instead
--   cj_funnel         funnel steps: events, comma between steps, | between
--                     alternatives (ad_click|page_view,signup,purchase)
--   cj_funnel_window  window of window_funnel_times (an interval)
--   cj_conversion     conversion event (attribution credit and campaign response)
--   cj_models         comma-separated attribution models
--   cj_path_steps     stages per journey-map path (event_path max_steps)
--   cj_retention_weeks weeks after the cohort week in the retention matrix
--   cj_as_of          close every customer's last stage period at this time
--                     (time in stage); empty: the last period counts zero
--   cj_title          report title
--
-- Everything runs in one REPEATABLE READ transaction (one snapshot), rolled
-- back at the end, with TimeZone = UTC: weeks are UTC weeks and a timestamp
-- without time zone is read as UTC. The only objects created are temporary
-- (pg_temp) and go with the rollback; the script writes nothing else.

\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only on
\pset footer off
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SET extra_float_digits = 1;
SET intervalstyle = 'iso_8601';
BEGIN ISOLATION LEVEL REPEATABLE READ;

-- cj_raise(message, hint): ERROR 22023; called from a query's select list
-- only when a check finds a problem (no row, no output otherwise)
CREATE FUNCTION pg_temp.cj_raise(msg text, hint text) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$BEGIN RAISE EXCEPTION '%', msg USING HINT = hint, ERRCODE = '22023'; END$$;

-- Resolve the tables and types under the caller's search_path, before it
-- changes.
SELECT pg_temp.cj_raise(format('relation %s does not exist', :'cj_table'),
                        'Name the touchpoints table with --table (schema-qualified if it is not on the search_path).')
WHERE to_regclass(:'cj_table') IS NULL;
SELECT pg_temp.cj_raise(format('relation %s does not exist', :'cj_customers'),
                        'Name the customers table with --customers, or leave it out.')
WHERE :'cj_customers' <> '' AND to_regclass(:'cj_customers') IS NULL;
SELECT pg_temp.cj_raise(format('type %s does not exist', :'cj_stage_type'),
                        'Name an enum of the lifecycle stages with --stage-type, or list them with --stages.')
WHERE :'cj_stage_type' <> '' AND to_regtype(:'cj_stage_type') IS NULL;
SELECT to_regclass(:'cj_table')::oid AS cj_table_oid,
       coalesce(to_regclass(nullif(:'cj_customers', ''))::oid::text, '') AS cj_customers_oid,
       coalesce(to_regtype(nullif(:'cj_stage_type', ''))::oid::text, '') AS cj_stage_type_oid \gset
SELECT pg_temp.cj_raise('extension cjourney is not installed in this database', 'Run CREATE EXTENSION cjourney first.')
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'cjourney');

-- the extension's schema, after pg_catalog: nothing in it (often public)
-- can stand in for a built-in function
SELECT n.nspname AS cj
FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'cjourney' \gset
SELECT pg_catalog.format('SET LOCAL search_path = pg_catalog, %I, pg_temp', :'cj') \gexec

-- ---------------------------------------------------------------------------
-- Checks, with errors that say what to change
-- ---------------------------------------------------------------------------
-- the columns we read, where they live and their types
CREATE TEMP TABLE cj_columns AS
SELECT r.role, r.col, r.rel, a.atttypid::regtype AS typ, t.typtype
FROM (VALUES ('customer key', :'cj_customer_col', :'cj_table_oid'::oid),
             ('time', :'cj_time_col', :'cj_table_oid'::oid),
             ('stage', :'cj_stage_col', :'cj_table_oid'::oid),
             ('event', :'cj_event_col', :'cj_table_oid'::oid),
             ('channel', :'cj_channel_col', :'cj_table_oid'::oid),
             ('value', :'cj_value_col', :'cj_table_oid'::oid),
             ('segment', :'cj_segment_col', coalesce(nullif(:'cj_customers_oid', '')::oid, :'cj_table_oid'::oid)),
             ('treated', :'cj_treated_col', coalesce(nullif(:'cj_customers_oid', '')::oid, :'cj_table_oid'::oid)),
             ('customers'' key', CASE WHEN :'cj_customers_oid' <> '' THEN :'cj_customer_col' ELSE '' END,
              nullif(:'cj_customers_oid', '')::oid)) r(role, col, rel)
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = r.rel AND a.attname = r.col AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE r.col <> '';

SELECT pg_temp.cj_raise(format('%s column %s not found in %s', role, col, rel::regclass),
                            'Name the column with the matching option (see scripts/journey_report.sh --help).')
FROM cj_columns WHERE typ IS NULL LIMIT 1;

-- The stage enum: the column's own enum, a temporary one of cj_stages, the
-- type named by cj_stage_type, or cjourney's stage.
SELECT typ::oid AS cj_col_stage_oid, typtype = 'e' AS cj_col_is_enum
FROM cj_columns WHERE role = 'stage' \gset
SELECT format('CREATE TYPE pg_temp.cj_report_stage AS ENUM (%s)',
              string_agg(format('%L', btrim(s)), ', ' ORDER BY o))
FROM unnest(string_to_array(:'cj_stages', ',')) WITH ORDINALITY u(s, o)
WHERE :'cj_stages' <> '' HAVING count(*) > 0 \gexec
SELECT CASE WHEN :'cj_stages' <> '' THEN to_regtype('pg_temp.cj_report_stage')::oid
            WHEN :'cj_col_is_enum' THEN :'cj_col_stage_oid'::oid
            WHEN :'cj_stage_type_oid' <> '' THEN nullif(:'cj_stage_type_oid', '')::oid
            ELSE to_regtype(format('%I.stage', :'cj'))::oid END AS cj_stage_oid \gset
SELECT pg_temp.cj_raise(format('%s is not an enum', :'cj_stage_oid'::oid::regtype),
                            'Pass an enum type of the lifecycle stages, or the stages themselves with --stages.')
FROM pg_catalog.pg_type WHERE oid = :'cj_stage_oid'::oid AND typtype <> 'e';
SELECT format('%s', :'cj_stage_oid'::oid::regtype) AS cj_stage_type_name \gset

SELECT array_agg(enumlabel::text ORDER BY enumsortorder)::text AS cj_stage_labels
FROM pg_catalog.pg_enum WHERE enumtypid = :'cj_stage_oid'::oid \gset

-- stage labels not in the enum would fail the cast half-way: say which
SELECT format($q$SELECT pg_temp.cj_raise(
           'stage column values not in the lifecycle ' || %L || ': ' || string_agg(s, ', ' ORDER BY s),
           'List every stage, in lifecycle order, with --stages (or name the enum with --stage-type).')
       FROM (SELECT DISTINCT %I::text AS s FROM %s WHERE %I IS NOT NULL) d
       WHERE s <> ALL (%L::text[])
       HAVING count(*) > 0$q$, :'cj_stage_type_name', :'cj_stage_col', :'cj_table_oid'::oid::regclass,
              :'cj_stage_col', :'cj_stage_labels') \gexec

-- where the segment and treated columns live: 'rows', 'customers' or ''
SELECT CASE WHEN :'cj_segment_col' = '' THEN '' WHEN :'cj_customers_oid' = '' THEN 'rows' ELSE 'customers' END AS cj_segment_from,
       CASE WHEN :'cj_treated_col' = '' THEN '' WHEN :'cj_customers_oid' = '' THEN 'rows' ELSE 'customers' END AS cj_treated_from,
       coalesce((SELECT typ = 'boolean'::regtype FROM cj_columns WHERE role = 'treated'), false) AS cj_treated_bool \gset
-- the segment / treated expression over alias x
CREATE FUNCTION pg_temp.cj_segment_expr(x text) RETURNS text LANGUAGE sql IMMUTABLE
RETURN format('coalesce(%s.%I::text, ''(none)'')', x, :'cj_segment_col');
CREATE FUNCTION pg_temp.cj_treated_expr(x text) RETURNS text LANGUAGE sql IMMUTABLE
RETURN CASE WHEN :'cj_treated_bool' THEN format('%s.%I', x, :'cj_treated_col')
            ELSE format('CASE %s.%I::text WHEN %L THEN true WHEN %L THEN false END', x, :'cj_treated_col',
                        :'cj_treated_value', :'cj_control_value') END;

-- ---------------------------------------------------------------------------
-- The touchpoints, normalised: one temporary view over the user's table
-- ---------------------------------------------------------------------------
SELECT format($q$CREATE TEMP VIEW cj_src AS
SELECT t.%1$I AS customer,
       t.%2$I::timestamptz AS occurred_at,
       t.%3$I::text::%4$s AS stage,
       t.%5$I::text AS event,
       t.%6$I::text AS channel,
       %7$s AS value,
       %8$s AS segment,
       %9$s AS treated
FROM %10$s t
WHERE t.%2$I IS NOT NULL AND t.%1$I IS NOT NULL$q$,
    :'cj_customer_col', :'cj_time_col', :'cj_stage_col', :'cj_stage_type_name',
    :'cj_event_col', :'cj_channel_col',
    CASE WHEN :'cj_value_col' = '' THEN 'NULL::numeric' ELSE format('t.%I::numeric', :'cj_value_col') END,
    CASE WHEN :'cj_segment_from' = 'rows' THEN pg_temp.cj_segment_expr('t') ELSE 'NULL::text' END,
    CASE WHEN :'cj_treated_from' = 'rows' THEN pg_temp.cj_treated_expr('t') ELSE 'NULL::boolean' END,
    :'cj_table_oid'::oid::regclass) \gexec

-- ---------------------------------------------------------------------------
-- One pass over the rows: every per-customer state
-- ---------------------------------------------------------------------------
-- funnel step conditions, retention weeks and attribution columns,
-- generated from the lists
SELECT count(*) AS cj_funnel_n,
       string_agg(format('event = ANY (%L::text[])', string_to_array(btrim(s), '|')), ', ' ORDER BY o) AS cj_funnel_conds
FROM unnest(string_to_array(:'cj_funnel', ',')) WITH ORDINALITY u(s, o) \gset
SELECT pg_temp.cj_raise('the funnel needs 1 to 64 steps', 'Give the steps with --funnel, for example ad_click,signup,purchase.')
WHERE :cj_funnel_n NOT BETWEEN 1 AND 64;
SELECT string_agg(format('week = %s', w), ', ' ORDER BY w) AS cj_ret_conds
FROM generate_series(1, (:'cj_retention_weeks')::int) w \gset
CREATE TEMP TABLE cj_models AS
SELECT o::int AS model_no, btrim(m) AS model
FROM unnest(string_to_array(:'cj_models', ',')) WITH ORDINALITY u(m, o);
SELECT string_agg(format(E',\n       attribution_agg(occurred_at, channel, coalesce(event = %L, false), value, %L) AS a_%s',
                         :'cj_conversion', model, model_no), '' ORDER BY model_no) AS cj_attr_cols
FROM cj_models \gset

-- A customer's segment (and campaign flag) is the customers table's, or
-- that of the customer's latest touch (the greatest value at ties). week =
-- weeks from the UTC week of the customer's first touch to the row's, for
-- retention: element k + 1 of ret is "a touch in week k after the cohort week".
SELECT format($q$CREATE TEMP TABLE cj_customer AS
SELECT a.customer, %1$s AS segment, %2$s AS treated,
       a.touches, a.first_at, a.last_at, a.converted, a.stage_path, a.st, a.funnel_times, a.ret%3$s
FROM (SELECT customer,
             max(latest_segment) AS segment,
             bool_or(latest_treated) AS treated,
             count(*) AS touches,
             min(occurred_at) AS first_at,
             max(occurred_at) AS last_at,
             coalesce(bool_or(event = %4$L), false) AS converted,
             event_path(occurred_at, stage::text, NULL, 'from', %5$s, true) AS stage_path,
             stage_time_agg(occurred_at, stage) AS st,
             window_funnel_times(%6$L::interval, occurred_at, %7$s) AS funnel_times,
             retention(true, %8$s) AS ret%9$s
      FROM (SELECT s.*,
                   (date_trunc('week', s.occurred_at)::date - date_trunc('week', min(s.occurred_at) OVER w)::date) / 7 AS week,
                   %10$s AS latest_segment, %11$s AS latest_treated
            FROM pg_temp.cj_src s
            WINDOW w AS (PARTITION BY s.customer),
                   latest AS (PARTITION BY s.customer ORDER BY s.occurred_at DESC, s.segment DESC, s.treated DESC)) s
      GROUP BY customer) a%12$s$q$,
    CASE :'cj_segment_from' WHEN 'rows' THEN 'a.segment' WHEN 'customers' THEN pg_temp.cj_segment_expr('c')
                            ELSE '''(all)''::text' END,
    CASE :'cj_treated_from' WHEN 'rows' THEN 'a.treated' WHEN 'customers' THEN pg_temp.cj_treated_expr('c')
                            ELSE 'NULL::boolean' END,
    (SELECT string_agg(format(', a.a_%s', model_no), '' ORDER BY model_no) FROM cj_models),
    :'cj_conversion', (:'cj_path_steps')::int, :'cj_funnel_window', :'cj_funnel_conds', :'cj_ret_conds',
    :'cj_attr_cols',
    CASE WHEN :'cj_segment_from' = 'rows' THEN 'first_value(s.segment) OVER latest' ELSE 'NULL::text' END,
    CASE WHEN :'cj_treated_from' = 'rows' THEN 'first_value(s.treated) OVER latest' ELSE 'NULL::boolean' END,
    CASE WHEN :'cj_customers_oid' = '' THEN ''
         ELSE format(E'\nLEFT JOIN %s c ON c.%I = a.customer', nullif(:'cj_customers_oid', '')::oid::regclass,
                     :'cj_customer_col') END) AS cj_customer_sql \gset
:cj_customer_sql;
SELECT pg_temp.cj_raise(format('no touchpoints in %s', :'cj_table_oid'::oid::regclass),
                        'The report needs rows with a customer key and a time.')
WHERE NOT EXISTS (SELECT 1 FROM pg_temp.cj_customer);
ANALYZE pg_temp.cj_customer;

-- ---------------------------------------------------------------------------
-- The sections
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE cj_stages (stage_order integer, stage text);
INSERT INTO pg_temp.cj_stages
SELECT o, e FROM unnest(:'cj_stage_labels'::text[]) WITH ORDINALITY u(e, o);

-- journey map: paths of stages (repeats collapsed) from each customer's first touch
CREATE TEMP TABLE cj_paths AS SELECT path_report_agg(stage_path) AS r FROM pg_temp.cj_customer;

-- customers who reached each stage (a visit in stage_durations)
CREATE TEMP TABLE cj_reached AS
SELECT s.stage_order, s.stage, count(d.stage) AS customers
FROM pg_temp.cj_stages s
LEFT JOIN (SELECT d.stage FROM pg_temp.cj_customer c, stage_durations(c.st) d) d ON d.stage = s.stage
GROUP BY s.stage_order, s.stage;

-- the funnel by segment; (all) is every customer
CREATE TEMP TABLE cj_funnel AS
SELECT CASE WHEN grouping(c.segment) = 1 THEN '(all)' ELSE c.segment END AS segment,
       funnel_report_agg(c.funnel_times, :cj_funnel_n) AS r
FROM pg_temp.cj_customer c
GROUP BY GROUPING SETS ((c.segment), ())
HAVING grouping(c.segment) = 1 OR :'cj_segment_from' <> '';

-- time in stage by segment: one duration per customer and visited stage
SELECT CASE WHEN :'cj_as_of' = '' THEN 'stage_durations(c.st)'
            ELSE format('stage_durations(c.st, %L::timestamptz)', :'cj_as_of') END AS cj_durations \gset
CREATE TEMP TABLE cj_stage_time AS
SELECT CASE WHEN grouping(c.segment) = 1 THEN '(all)' ELSE c.segment END AS segment,
       d.stage, count(*) AS customers,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.duration)::float8) AS median_s,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM d.duration)::float8) AS p90_s
FROM pg_temp.cj_customer c, :cj_durations d
GROUP BY GROUPING SETS ((c.segment, d.stage), (d.stage))
HAVING grouping(c.segment) = 1 OR :'cj_segment_from' <> '';

-- weekly cohort retention: cohort = UTC week of the first touch; week k =
-- a touch in the k-th week after it (the per-customer retention arrays)
CREATE TEMP TABLE cj_retention AS
SELECT date_trunc('week', first_at) AS cohort, retention_sum(ret) AS s
FROM pg_temp.cj_customer
GROUP BY 1;

-- attribution: every customer's credit rolled up, per model
SELECT string_agg(format('SELECT %s AS model_no, %L AS model, (SELECT rollup(a_%s) FROM pg_temp.cj_customer) AS a',
                         model_no, model, model_no), ' UNION ALL ' ORDER BY model_no) AS cj_attr_union
FROM pg_temp.cj_models \gset
CREATE TEMP TABLE cj_attribution AS :cj_attr_union;

-- campaign response by segment: the unit is the customer, responded = converted
CREATE TEMP TABLE cj_lift AS
SELECT CASE WHEN grouping(segment) = 1 THEN '(all)' ELSE segment END AS segment,
       segment_response(treated, converted) AS r
FROM pg_temp.cj_customer
WHERE treated IS NOT NULL
GROUP BY GROUPING SETS ((segment), ())
HAVING grouping(segment) = 1 OR :'cj_segment_from' <> '';

-- ---------------------------------------------------------------------------
-- The document
-- ---------------------------------------------------------------------------
SELECT max(last_at)::text AS cj_data_end FROM pg_temp.cj_customer \gset

SELECT replace(json_build_object(
  'report', 'cjourney journey report',
  'title', :'cj_title',
  'generated_at', to_char(now(), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  'database', current_database(),
  'cjourney_version', (SELECT extversion FROM pg_extension WHERE extname = 'cjourney'),
  'parameters', json_build_object(
      'table', (SELECT format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = :'cj_table_oid'::oid),
      'customer_col', :'cj_customer_col', 'time_col', :'cj_time_col', 'stage_col', :'cj_stage_col',
      'event_col', :'cj_event_col', 'channel_col', :'cj_channel_col',
      'value_col', nullif(:'cj_value_col', ''), 'segment_col', nullif(:'cj_segment_col', ''),
      'customers_table', nullif(:'cj_customers', ''), 'treated_col', nullif(:'cj_treated_col', ''),
      'treated_value', :'cj_treated_value', 'control_value', :'cj_control_value',
      'stage_type', :'cj_stage_type_name', 'funnel', :'cj_funnel', 'funnel_window', :'cj_funnel_window',
      'conversion_event', :'cj_conversion', 'models', :'cj_models',
      'path_steps', (:'cj_path_steps')::int, 'retention_weeks', (:'cj_retention_weeks')::int,
      'as_of', nullif(:'cj_as_of', '')),
  'overview', (SELECT json_build_object(
      'customers', count(*), 'touchpoints', sum(touches),
      'first_touch', to_char(min(first_at), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
      'last_touch', to_char(max(last_at), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
      'converted', count(*) FILTER (WHERE converted))
    FROM pg_temp.cj_customer),
  'stages', (SELECT json_agg(stage ORDER BY stage_order) FROM pg_temp.cj_stages),
  'segments', (SELECT json_agg(DISTINCT segment ORDER BY segment) FROM pg_temp.cj_customer),
  'journey_map', json_build_object(
      'reached', (SELECT json_agg(json_build_object('stage', stage, 'stage_order', stage_order,
                                                    'customers', customers) ORDER BY stage_order)
                  FROM pg_temp.cj_reached),
      'nodes', (SELECT json_agg(json_build_object('step', n.step, 'label', n.label, 'node_key', n.node_key,
                                                  'value', n.value, 'exits', n.exits, 'share', n.share)
                                ORDER BY n.step, n.value DESC, n.label)
                FROM pg_temp.cj_paths p, path_nodes(p.r) n),
      'edges', (SELECT json_agg(json_build_object('step', e.step, 'source', e.source, 'target', e.target,
                                                  'source_key', e.source_key, 'target_key', e.target_key,
                                                  'kind', e.kind, 'value', e.value, 'share', e.share)
                                ORDER BY e.step, e.value DESC, e.source_key, e.target_key)
                FROM pg_temp.cj_paths p, path_edges(p.r) e)),
  'funnel', json_build_object(
      'steps', (SELECT json_agg(json_build_object('step', o, 'events', string_to_array(btrim(s), '|')) ORDER BY o)
                FROM unnest(string_to_array(:'cj_funnel', ',')) WITH ORDINALITY u(s, o)),
      'window', :'cj_funnel_window',
      'rows', (SELECT json_agg(json_build_object('segment', f.segment, 'step', s.step, 'customers', s.customers,
                                                 'conversion_from_previous', s.conversion_from_previous,
                                                 'conversion_from_first', s.conversion_from_first,
                                                 'dropped_off', s.dropped_off,
                                                 'median_s', extract(epoch FROM s.median_time_from_previous)::float8,
                                                 'p90_s', extract(epoch FROM s.p90_time_from_previous)::float8)
                                ORDER BY f.segment, s.step)
               FROM pg_temp.cj_funnel f, funnel_steps(f.r) s)),
  'time_in_stage', (SELECT json_agg(json_build_object('segment', t.segment, 'stage', t.stage,
                                                      'stage_order', s.stage_order, 'customers', t.customers,
                                                      'median_s', t.median_s, 'p90_s', t.p90_s)
                                    ORDER BY t.segment, s.stage_order)
                    FROM pg_temp.cj_stage_time t JOIN pg_temp.cj_stages s USING (stage)),
  'retention', json_build_object(
      'weeks', (:'cj_retention_weeks')::int,
      'data_end', to_char(:'cj_data_end'::timestamptz, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
      'rows', (SELECT json_agg(json_build_object(
                          'cohort', to_char(r.cohort, 'YYYY-MM-DD'), 'week', w - 1,
                          'customers', r.s[1], 'active', r.s[w],
                          'complete', r.cohort + (w * interval '1 week') <= :'cj_data_end'::timestamptz,
                          'share', CASE WHEN r.cohort + (w * interval '1 week') <= :'cj_data_end'::timestamptz
                                        THEN r.s[w]::float8 / r.s[1] END)
                        ORDER BY r.cohort, w)
               FROM pg_temp.cj_retention r, generate_series(1, (:'cj_retention_weeks')::int + 1) w)),
  'attribution', json_build_object(
      'conversion_event', :'cj_conversion',
      'models', (SELECT json_agg(model ORDER BY model_no) FROM pg_temp.cj_models),
      'rows', (SELECT json_agg(json_build_object('model', a.model, 'channel', c.channel,
                                                 'conversions', c.conversions, 'revenue', c.revenue)
                               ORDER BY a.model_no, c.channel)
               FROM pg_temp.cj_attribution a, attribution_credits(a.a) c)),
  'lift', CASE WHEN :'cj_treated_col' <> '' THEN json_build_object(
      'level', 0.95, 'responded', 'customer has a ' || :'cj_conversion' || ' event',
      'rows', (SELECT json_agg(json_build_object('segment', l.segment,
                                                 'treated_n', (l.r).treated_n, 'treated_responders', (l.r).treated_responders,
                                                 'treated_rate', (l.r).treated_rate,
                                                 'control_n', (l.r).control_n, 'control_responders', (l.r).control_responders,
                                                 'control_rate', (l.r).control_rate,
                                                 'abs_lift', (l.r).abs_lift, 'lift', (l.r).lift,
                                                 'ci_low', (l.r).ci_low, 'ci_high', (l.r).ci_high,
                                                 'z', (l.r).z, 'p_value', (l.r).p_value)
                               ORDER BY l.segment)
               FROM pg_temp.cj_lift l)) END,
  'per_customer_sql', :'cj_customer_sql'
)::text, '<', '\u003c');

ROLLBACK;
