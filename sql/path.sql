-- paths: event_path, event_path_between, journey_path, the path_report type,
-- path_report_agg, rollup, path_nodes, path_edges, path_top (the reference's
-- worked example: PostHog's rules, collapse, first 'home', 4 steps)
SET timezone = 'UTC';
CREATE TEMP TABLE ev (uid int, ts timestamptz, e text);
INSERT INTO ev
SELECT uid, '2024-01-01'::timestamptz + t * interval '1 minute', e
FROM (VALUES (1, 1, 'home'), (1, 2, 'search'), (1, 3, 'search'), (1, 4, 'product'), (1, 5, 'cart'),
             (2, 1, 'home'), (2, 2, 'product'), (2, 3, 'cart'), (2, 4, 'checkout'),
             (3, 1, 'search'), (3, 2, 'home'), (3, 3, 'search'), (3, 4, 'product'),
             (4, 1, 'product'), (4, 2, 'home'),
             (5, 1, 'search'), (5, 2, NULL)) v(uid, t, e);  -- uid 5: no home, a NULL label
CREATE TEMP TABLE p AS
SELECT uid, event_path(ts, e, 'home', 'from', 4, true) AS path FROM ev GROUP BY uid;
SELECT uid, path FROM p ORDER BY uid;
-- the other directions and forms
SELECT uid, event_path(ts, e) AS whole,
       event_path(ts, e, NULL, 'to', 3, false) AS last_3,
       event_path(ts, e, 'product', 'to', NULL, true) AS up_to_product,
       event_path_between(ts, e, 'home', 'cart', NULL, false) AS home_to_cart,
       event_path_between(ts, e, 'home', 'cart', 3, false) AS home_to_cart_3,
       event_path_between(ts, e, 'home', 'cart', 2, false) AS home_to_cart_2
FROM ev GROUP BY uid ORDER BY uid;
-- ties at one instant are ordered by label bytes, whatever the input order
SELECT event_path(t, l ORDER BY l DESC) AS path
FROM (VALUES ('2024-01-01'::timestamptz, 'b'), ('2024-01-01', 'a'), ('2024-01-02', 'a')) v(t, l);
SELECT event_path(t, l, NULL, 'from', NULL, true) AS collapsed
FROM (VALUES ('2024-01-01'::timestamptz, 'b'), ('2024-01-01', 'a'), ('2024-01-02', 'a')) v(t, l);
-- the report
CREATE TEMP TABLE r AS SELECT path_report_agg(path) AS r FROM p;
SELECT r FROM r;
SELECT jsonb_pretty(r::jsonb) FROM r;
SELECT step, source_key, target_key, kind, value, share FROM path_edges((SELECT r FROM r));
SELECT step, source_key, target_key, kind, value FROM path_edges((SELECT r FROM r), nodes_per_step => 1);
SELECT step, source_key, target_key, kind, value FROM path_edges((SELECT r FROM r), nodes_per_step => 1, min_value => 2);
SELECT * FROM path_nodes((SELECT r FROM r));
SELECT * FROM path_nodes((SELECT r FROM r), 1);
SELECT * FROM path_top((SELECT r FROM r), 3);
-- right alignment: the last element is step 0; entry edges make flows add up
CREATE TEMP TABLE rr AS
SELECT path_report_agg(path, 'right') AS r
FROM (SELECT event_path(ts, e, NULL, 'to', 3, true) AS path FROM ev GROUP BY uid) x;
SELECT r FROM rr;
SELECT step, source_key, target_key, kind, value FROM path_edges((SELECT r FROM rr));
SELECT step, label, value, exits FROM path_nodes((SELECT r FROM rr), 2);
-- an elision (NULL element) is a node labelled (…)
SELECT step, label, node_key, value FROM path_nodes('left | ["a",NULL,"b"]=2 ["a","b"]=1');
-- rollup: reports of two halves merge into the report of all
SELECT rollup(r)::text = (SELECT r::text FROM r) AS rollup_exact
FROM (SELECT path_report_agg(path) AS r FROM p GROUP BY uid % 2) x;
SELECT rollup(x) FROM (VALUES ('left | ["a","b"]=2'::path_report), ('left | ["a","b"]=1 ["c"]=5'), (NULL)) v(x);
-- text form: canonical order, any input order, quoting
SELECT 'right | ["x"]=1 ["a","b"]=2 ["a",NULL,"c\"d\\e"]=1 ["a"]=3'::path_report;
SELECT 'left |'::path_report, ' LEFT|["é"]=1'::path_report;
SELECT ('left | ["a","b"]=2 ["a",NULL]=1'::path_report)::text::path_report::text;
-- no paths: NULL; NULL and empty paths are skipped
SELECT path_report_agg(x) IS NULL AS no_paths FROM (VALUES (NULL::text[]), ('{}')) v(x);
SELECT path_report_agg(x) FROM (VALUES (NULL::text[]), ('{}'), ('{a}')) v(x);
-- stored journeys: the same walk, by event, channel or stage
CREATE TEMP TABLE j AS
SELECT uid, journey_agg(ts, CASE WHEN e = 'cart' THEN 'decision' ELSE 'consideration' END::stage, 'web', e) AS j
FROM ev GROUP BY uid;
SELECT uid, journey_path(j, 'event', 'home', 'from', 4, true) AS by_event, journey_path(j, 'stage', collapse => true) AS by_stage,
       journey_path(j, 'channel') AS by_channel, journey_path_between(j, 'event', 'home', 'cart', 3) AS between_3
FROM j ORDER BY uid;
-- errors
SELECT event_path(ts, e, 'home', 'sideways', 4, true) FROM ev;
SELECT event_path(ts, e, 'home', 'from', 0, true) FROM ev;
SELECT event_path(ts, e, 'home', NULL, 4, true) FROM ev;
SELECT event_path_between(ts, e, NULL, 'cart', 4, true) FROM ev;
SELECT journey_path(j, 'campaign') FROM j;
SELECT path_report_agg(path, 'middle') FROM p;
SELECT path_report_agg(path, CASE WHEN uid = 1 THEN 'left' ELSE 'right' END) FROM p;
SELECT rollup(x) FROM (VALUES ('left | ["a"]=1'::path_report), ('right | ["a"]=1')) v(x);
SELECT * FROM path_nodes('left | ["a"]=1', -1);
SELECT * FROM path_top('left | ["a"]=1', -1);
SELECT 'left | ["a"]=1 ["a"]=2'::path_report;
SELECT 'left | ["a"]=0'::path_report;
SELECT 'left | []=1'::path_report;
SELECT 'up | ["a"]=1'::path_report;
SELECT 'left | ["a\n"]=1'::path_report;
SELECT 'left | ["a"]=99999999999999999999'::path_report;
