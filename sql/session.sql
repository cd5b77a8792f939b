-- sessions: sessionize and session_start (window functions), session_count,
-- journey_sessions and journey_sessionize (the reference's worked examples)
SET timezone = 'UTC';
CREATE TEMP TABLE ev (uid int, ts timestamptz, e text);
INSERT INTO ev VALUES
  (1, '2024-01-01 10:00:00', 'view'), (1, '2024-01-01 10:15:00', 'view'),
  (1, '2024-01-01 10:45:00', 'view'),      -- gap = timeout: same session
  (1, '2024-01-01 11:15:01', 'view'),      -- gap 30 min 1 s: new session
  (1, '2024-01-01 23:50:00', 'view'), (1, '2024-01-02 00:10:00', 'view'),  -- across midnight
  (2, '2024-01-01 09:00:00', 'view'),
  (3, NULL, 'view'), (3, '2024-01-01 08:00:00', 'view');                   -- NULL time: no session
SELECT uid, ts,
       sessionize(ts, interval '30 min') OVER w AS gap,
       sessionize(ts, interval '30 min', NULL, 'UTC', false) OVER w AS gap_midnight,
       sessionize(ts, interval '30 min', interval '40 min', NULL, false) OVER w AS gap_max_40m,
       session_start(ts, interval '30 min') OVER w AS started
FROM ev WINDOW w AS (PARTITION BY uid ORDER BY ts) ORDER BY uid, ts;
-- the aggregate: the number of sessions, whatever the input order
SELECT uid, session_count(ts, interval '30 min') AS gap,
       session_count(ts, interval '30 min', NULL, 'UTC', false) AS gap_midnight,
       session_count(ts, interval '30 min', interval '40 min', NULL, false) AS gap_max_40m,
       session_count(ts, interval '30 min' ORDER BY ts DESC) AS reversed
FROM ev GROUP BY uid ORDER BY uid;
-- the day boundary is a local date: midnight in New York is 05:00 UTC
SELECT ts, sessionize(ts, interval '1 day', NULL, 'America/New_York', false) OVER (ORDER BY ts) AS ny,
       sessionize(ts, interval '1 day', NULL, 'UTC', false) OVER (ORDER BY ts) AS utc
FROM (VALUES ('2024-03-01 03:00'::timestamptz), ('2024-03-01 04:59'), ('2024-03-01 05:00'), ('2024-03-01 23:59'),
             ('2024-03-02 00:01')) v(ts);
-- ties: the 10:20 instant starts session 2 whatever the order of its rows
CREATE TEMP TABLE tie (ts timestamptz, e text);
INSERT INTO tie VALUES ('2024-01-01 10:00', 'view'), ('2024-01-01 10:20', 'view'), ('2024-01-01 10:20', 'session_start');
SELECT ts, e, sessionize(ts, interval '30 min', NULL, NULL, e = 'session_start') OVER (ORDER BY ts, e) AS s
FROM tie ORDER BY ts, e;
SELECT ts, e, sessionize(ts, interval '30 min', NULL, NULL, e = 'session_start') OVER (ORDER BY ts, e DESC) AS s
FROM tie ORDER BY ts, e;
SELECT session_count(ts, interval '30 min', NULL, NULL, e = 'session_start') FROM tie;
-- new_session on the first row is session 1; a session exactly max_duration long stays one
SELECT g, sessionize(g, 10, 20, g IN (0, 25)) OVER (ORDER BY g) AS s, session_start(g, 10, 20, g IN (0, 25)) OVER (ORDER BY g) AS start
FROM (VALUES (0::bigint), (10), (20), (21), (25), (36), (NULL)) v(g) ORDER BY g;
SELECT session_count(g, 10), session_count(g, 10, 20, g IN (0, 25))
FROM (VALUES (0::bigint), (10), (20), (21), (25), (36), (NULL)) v(g);
-- timestamp without time zone: day_boundary true splits where the date changes
SELECT ts, sessionize(ts, interval '1 hour', NULL, true, false) OVER (ORDER BY ts) AS s,
       session_start(ts, interval '1 hour') OVER (ORDER BY ts) AS start
FROM (VALUES ('2024-01-01 23:30'::timestamp), ('2024-01-02 00:10'), ('2024-01-02 01:30')) v(ts);
SELECT session_count(ts, interval '1 hour'), session_count(ts, interval '1 hour', NULL, true, false)
FROM (VALUES ('2024-01-01 23:30'::timestamp), ('2024-01-02 00:10'), ('2024-01-02 01:30')) v(ts);
-- months count as 30 days
SELECT sessionize(ts, interval '1 mon') OVER (ORDER BY ts)
FROM (VALUES ('2024-01-01'::timestamptz), ('2024-01-31'), ('2024-03-02')) v(ts);
-- no rows, only NULL times
SELECT session_count(ts, interval '30 min') FROM ev WHERE false;
SELECT session_count(ts, interval '30 min') FROM ev WHERE ts IS NULL;
-- stored journeys
CREATE TEMP TABLE j AS
SELECT uid, journey_agg(ts, 'awareness'::stage, NULL, e) AS j FROM ev GROUP BY uid;
SELECT uid, s.* FROM j, journey_sessions(j, interval '30 min') s ORDER BY uid, session;
SELECT uid, s.* FROM j, journey_sessions(j, interval '30 min', day_boundary => 'UTC') s WHERE uid = 1 ORDER BY session;
SELECT s.* FROM journey_sessions((SELECT journey_agg(ts, 'awareness'::stage, NULL, e) FROM tie), interval '30 min',
                                 start_event => 'session_start') s;
SELECT unnest(journey_sessionize(j, interval '30 min', max_duration => interval '40 min')) FROM j WHERE uid = 1;
SELECT journey_sessionize(NULL::journey, interval '30 min') IS NULL AS null_journey;
-- each session as a journey feeds any journey function
SELECT journey_length(s) FROM j, unnest(journey_sessionize(j, interval '30 min')) s WHERE uid = 1;
-- errors
SELECT sessionize(ts, interval '0') OVER (ORDER BY ts) FROM ev;
SELECT sessionize(ts, interval '-5 minutes') OVER (ORDER BY ts) FROM ev;
SELECT sessionize(ts, NULL::interval) OVER (ORDER BY ts) FROM ev;
SELECT sessionize(ts, interval '30 min', interval '0', NULL, false) OVER (ORDER BY ts) FROM ev;
SELECT sessionize(ts, interval '30 min', NULL, 'Mars/Olympus_Mons', false) OVER (ORDER BY ts) FROM ev;
SELECT sessionize(ts, interval '30 min') OVER (ORDER BY ts DESC) FROM ev WHERE uid = 1;
SELECT sessionize(g, 0) OVER (ORDER BY g) FROM generate_series(1, 3) g;
SELECT session_count(ts, interval '-1 hour') FROM ev;
SELECT session_count(g, 10) FROM (VALUES (4611686018427387904)) v(g);
SELECT session_count(ts, CASE WHEN e = 'view' AND ts > '2024-01-01 12:00' THEN interval '1 hour' ELSE interval '2 hours' END) FROM ev;
SELECT * FROM journey_sessions((SELECT j FROM j WHERE uid = 1), interval '0');
SELECT * FROM journey_sessions((SELECT j FROM j WHERE uid = 1), interval '30 min', day_boundary => 'Nowhere');
