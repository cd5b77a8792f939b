-- test/fuzz/cases.sql: hand-made inputs with a known right answer, each a
-- finding once (fuzz.py runs them first).  expect is a SQLSTATE, or a
-- regular expression that 'ok: <result as text>' must match.
CREATE TABLE cjfuzz.cases (name text, sql text, expect text);
INSERT INTO cjfuzz.cases VALUES
 -- damaged stored values (the stored fuzzer's first findings: readers of
 -- response_variants trusted its count and label offsets)
 ('stored response_variants whose count runs past its size',
  $$SELECT response_ab_chi2(cjfuzz.stored('\x01000000030000000000000020000000000000000000000000000000000000000800000010000000000000001000000000000000080000000700000020000000000000000000000000000000'::bytea, NULL::response_variants))::text$$,
  'XX001'),
 ('stored response_variants read back',
  $$SELECT cjfuzz.stored(cjfuzz.bytes('{"control": 10/2, "variant a": 12/5}'::response_variants), NULL::response_variants)::text$$,
  '^ok: \{"control": 10/2, "variant a": 12/5\}$'),
 -- funnel_report states: deserialize holds them to a stored value's rules,
 -- and merging counts never wraps
 ('funnel_report state whose pair counts exceed its customers',
  $$SELECT cjfuzz.deserialize('funnel_report_agg(timestamptz[], integer)',
      '\x01'::bytea || int4send(2) || int8send(1) || int8send(1)
      || int4send(2) || int8send(5) || int8send(9223372036854775807) || int8send(5) || int8send(1))$$,
  '22P03'),
 ('funnel_report state with unsorted durations',
  $$SELECT cjfuzz.deserialize('funnel_report_agg(timestamptz[], integer)',
      '\x01'::bytea || int4send(2) || int8send(2) || int8send(2)
      || int4send(2) || int8send(9) || int8send(1) || int8send(5) || int8send(1))$$,
  '22P03'),
 ('funnel_report states whose customers add up past 2^63 - 1',
  $$SELECT cjfuzz.deserialize('funnel_report_agg(timestamptz[], integer)',
      '\x01'::bytea || int4send(2) || int8send(9223372036854775807) || int8send(9223372036854775807)
      || int4send(1) || int8send(5) || int8send(9223372036854775807))$$,
  '22003'),
 ('funnel_report state read, merged and finished',
  $$SELECT cjfuzz.deserialize('funnel_report_agg(timestamptz[], integer)',
      '\x01'::bytea || int4send(2) || int8send(3) || int8send(2)
      || int4send(2) || int8send(5) || int8send(1) || int8send(9) || int8send(1))$$,
  '^ok: 2; 6 4; 5:2 9:2$'),
 -- retention states
 ('retention_sum states whose counts add up past 2^63 - 1',
  $$SELECT cjfuzz.deserialize('retention_sum(boolean[])', int4send(1) || int8send(1) || int8send(9223372036854775807))$$,
  '22003'),
 ('retention_sum state with a negative count',
  $$SELECT cjfuzz.deserialize('retention_sum(boolean[])', int4send(2) || int8send(1) || int8send(3) || int8send(-1))$$,
  '22P03'),
 ('retention state with a condition beyond its length',
  $$SELECT cjfuzz.deserialize('retention(boolean[])', int4send(2) || int8send(5) || int8send(0) || int8send(0))$$,
  '22P03'),
 ('retention_sum state read, merged and finished',
  $$SELECT cjfuzz.deserialize('retention_sum(boolean[])', int4send(2) || int8send(3) || int8send(4) || int8send(1))$$,
  '^ok: \{8,2\}$'),
 -- values without pairs or paths (memcpy from NULL)
 ('funnel report of untimed steps',
  $$SELECT funnel_report_agg(ARRAY['2025-01-01'::timestamptz], 2)::text$$, '^ok: 2; 1 0;$'),
 ('markov attribution without paths',
  $$SELECT attribution_agg(ARRAY['a'], 0, 0, 0, 'markov')::text$$, '^ok: markov \| conversions=0 revenue=0 none=0/0 \|$'),
 -- a journey's binary form with its numeric at an odd offset (misaligned read)
 ('journey binary form read from an unaligned buffer',
  $$SELECT cjfuzz.recv(journey_send('{2025-03-06T08:00:00Z decision s p 2}'), NULL::journey)::text$$,
  '^ok: \{2025-03-06T08:00:00Z decision s p 2\}$'),
 -- journey::jsonb assembles its value itself (to stay interruptible): the
 -- same bytes as jsonb_in gives for the same JSON
 ('journey::jsonb is byte for byte what jsonb_in makes of its text',
  $$SELECT count(*) FILTER (WHERE cjfuzz.bytes(v::journey::jsonb) = cjfuzz.bytes((v::journey::jsonb::text)::jsonb))
           || '/' || count(*)
    FROM (SELECT v FROM cjfuzz.seed_values WHERE typ = 'journey'::regtype
          UNION ALL SELECT journey_agg('2025-01-01'::timestamptz + g * interval '1 s', 'decision'::stage, 'c' || g % 7,
                                       CASE WHEN g % 3 = 0 THEN NULL ELSE 'e' END)::text
          FROM generate_series(1, 100) g) s$$,
  '^ok: (\d+)/\1$');
