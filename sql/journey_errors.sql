-- bad input gives clear errors (SQLSTATEs are checked in test/pgtap)
SELECT 'garbage'::journey;
SELECT '{2025-03-01T09:00:00Z awareness web}'::journey;
SELECT '{2025-03-01T09:00:00Z awareness web NULL'::journey;
SELECT '{2025-03-01T09:00:00Z awareness web NULL}x'::journey;
SELECT '{2025-03-01T09:00:00Z unknown web NULL}'::journey;
SELECT '[a<b] {2025-03-01T09:00:00Z awareness web NULL}'::journey;
SELECT '[a<b<a] {}'::journey;
SELECT '[] {}'::journey;
SELECT '{2025-02-30T09:00:00Z awareness web NULL}'::journey;
SELECT '{2025-03-01T09:00:00 awareness web NULL}'::journey;
SELECT '{2025-03-01T09:00:00.1234567Z awareness web NULL}'::journey;
SELECT '{2025-03-01T09:00:00Z awareness web NULL abc}'::journey;
SELECT '{2025-03-01T09:00:00Z awareness web NULL NaN}'::journey;
SELECT '{2025-03-01T09:00:00Z awareness "web NULL}'::journey;
SELECT '{0000-12-31T23:00:00Z awareness web NULL}'::journey;
-- year 0 with an offset that lands in year 1 is fine
SELECT '{0000-12-31T23:00:00-02:00 awareness web NULL}'::journey;
SELECT '{0001-01-01T00:30:00+01:00 awareness web NULL}'::journey;
SELECT '2025-03-01T09:00:00Z awareness web NULL; 2025-03-02T09:00:00Z awareness web NULL'::touchpoint;
SELECT '{2025-03-01T09:00:00Z awareness web NULL}'::touchpoint;
SELECT touchpoint('infinity', 'awareness'::stage, 'web');
SELECT touchpoint('2025-03-01', 'awareness'::stage, 'web', NULL, 'NaN');
SELECT touchpoint('2025-03-01', 'awareness'::stage, repeat('x', 1025));
SELECT journey_agg(t, 'awareness'::stage, 'web', NULL) FROM (VALUES ('-infinity'::timestamptz)) v(t);
SELECT journey_slice('{}'::journey, '2025-02-01', '2025-01-01');
SELECT '{}'::journey || '[a<b] {}'::journey;
-- the label dictionary of a query is bounded in bytes (cjourney.max_label_memory):
-- 2,000 labels of a kilobyte need 2 MB
SHOW cjourney.max_label_memory;
SET cjourney.max_label_memory = '1MB';
SELECT journey_length(journey_agg('2025-01-01'::timestamptz + g * interval '1 s', 'awareness'::stage,
                                  repeat('x', 1000) || g, NULL))
FROM generate_series(1, 2000) g;
RESET cjourney.max_label_memory;
SELECT journey_length(journey_agg('2025-01-01'::timestamptz + g * interval '1 s', 'awareness'::stage,
                                  repeat('x', 1000) || g, NULL))
FROM generate_series(1, 2000) g;
SET cjourney.max_label_memory = '512kB';
