/*-------------------------------------------------------------------------
 *
 * funnel.c
 *		window_funnel, window_funnel_times and journey_funnel: the SQL side
 *		of the funnel walk (funnel_walk.c).
 *
 * The aggregate state is an EventBuffer of rows (time, step mask) plus the
 * funnel's window, modes and step count, which every row must repeat.
 * Rows are put in canonical order before the walk, so neither input order
 * nor the split among parallel workers changes the result.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "event_buffer.h"
#include "funnel_walk.h"
#include "journey_agg.h"
#include "journey_format.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(window_funnel_transfn);
PG_FUNCTION_INFO_V1(window_funnel_combine);
PG_FUNCTION_INFO_V1(window_funnel_serialize);
PG_FUNCTION_INFO_V1(window_funnel_deserialize);
PG_FUNCTION_INFO_V1(window_funnel_finalfn);
PG_FUNCTION_INFO_V1(window_funnel_times_finalfn);
PG_FUNCTION_INFO_V1(journey_funnel);
PG_FUNCTION_INFO_V1(journey_stage_funnel);

#define FUNNEL_STATE_VERSION	1

/* pairs of (row, step) one walk may expand to */
#define FUNNEL_MAX_PAIRS		(16 * 1024 * 1024)

typedef struct FunnelState
{
	EventBuffer *buf;			/* ts and step mask of each kept row */
	int64		window;			/* in microseconds, or the integer time's unit */
	uint32		modes;
	int16		nsteps;
	bool		bigint_time;
	bool		have_params;	/* false only in a state that saw no row */
} FunnelState;

/* Funnel rows need no stage: one placeholder stage keeps the buffer valid. */
static const StageList *
funnel_stages(void)
{
	static StageList sl = {1, false, {"step"}, {4}};

	return &sl;
}

/* window as int64 in the time column's unit; errors for NULL or <= 0 */
static int64
window_arg(FunctionCallInfo fcinfo, int argno, bool bigint_time)
{
	int64		w;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel window must not be NULL"),
				 errhint("Pass a positive window, such as interval '7 days'.")));
	if (bigint_time)
		w = PG_GETARG_INT64(argno);
	else
	{
		Interval   *iv = PG_GETARG_INTERVAL_P(argno);
		int64		days = (int64) iv->month * DAYS_PER_MONTH + iv->day;

		/* months count as 30 days, as in interval comparison */
		if (days > PG_INT64_MAX / USECS_PER_DAY / 2 || days < PG_INT64_MIN / USECS_PER_DAY / 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("window_funnel window is out of range")));
		if (pg_add_s64_overflow(days * USECS_PER_DAY, iv->time, &w))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("window_funnel window is out of range")));
	}
	if (w <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel window must be positive"),
				 errhint("Pass a positive window, such as interval '7 days'.")));
	return w;
}

static void
params_mismatch(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("window_funnel window, mode and number of steps must be the same for every row"),
			 errhint("Pass constants for the window and the mode.")));
}

/*
 * window_funnel(window, [mode,] occurred_at, VARIADIC steps): add one row.
 * Arguments: 1 window, then mode when there are five, then time and steps.
 */
Datum
window_funnel_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "window_funnel_transfn");
	FunnelState *state = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);
	int			nargs = PG_NARGS();
	int			ts_arg = nargs - 2;
	int			steps_arg = nargs - 1;
	bool		bigint_time = get_fn_expr_argtype(fcinfo->flinfo, ts_arg) == INT8OID;
	int64		window;
	uint32		modes = 0;
	int			nsteps;
	uint64		mask;
	int64		ts;

	window = window_arg(fcinfo, 1, bigint_time);
	if (nargs == 5)
	{
		AggCache   *cache = agg_cache(fcinfo);
		text	   *mode;

		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("window_funnel mode must not be NULL"),
					 errhint("Pass 'default' for the default mode.")));
		/* parse once per distinct mode text */
		mode = PG_GETARG_TEXT_PP(2);
		if (cache->mode_text == NULL || cache->mode_len != VARSIZE_ANY_EXHDR(mode) ||
			memcmp(cache->mode_text, VARDATA_ANY(mode), cache->mode_len) != 0)
		{
			char	   *s = text_to_cstring(mode);

			cache->mode_bits = funnel_parse_modes(s);
			cache->mode_len = VARSIZE_ANY_EXHDR(mode);
			cache->mode_text = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, s);
		}
		modes = cache->mode_bits;
	}
	if (state == NULL)
	{
		state = MemoryContextAllocZero(aggcxt, sizeof(FunnelState));
		state->buf = evbuf_create(aggcxt, funnel_stages(), agg_cache(fcinfo)->dict);
	}
	if (PG_ARGISNULL(ts_arg) || PG_ARGISNULL(steps_arg))
		PG_RETURN_POINTER(state);
	mask = cj_bool_array_mask(PG_GETARG_ARRAYTYPE_P(steps_arg), FUNNEL_MAX_STEPS, &nsteps,
							  "window_funnel", "step");
	if (!state->have_params)
	{
		state->window = window;
		state->modes = modes;
		state->nsteps = (int16) nsteps;
		state->bigint_time = bigint_time;
		state->have_params = true;
	}
	else if (state->window != window || state->modes != modes || state->nsteps != nsteps)
		params_mismatch();
	if (mask == 0 && !funnel_keeps_unmatched(modes))
		PG_RETURN_POINTER(state);
	ts = bigint_time ? PG_GETARG_INT64(ts_arg) : PG_GETARG_TIMESTAMPTZ(ts_arg);
	if (!bigint_time)
		cj_check_time(ts);
	evbuf_append(state->buf, ts, mask, 0, -1, -1, (Datum) 0, false);
	PG_RETURN_POINTER(state);
}

/* merge two partial states (all four NULL cases) */
Datum
window_funnel_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "window_funnel_combine");
	FunnelState *s1 = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);
	FunnelState *s2 = PG_ARGISNULL(1) ? NULL : (FunnelState *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		s1 = MemoryContextAllocZero(aggcxt, sizeof(FunnelState));
		*s1 = *s2;
		s1->buf = evbuf_create(aggcxt, funnel_stages(), agg_cache(fcinfo)->dict);
	}
	else if (s2->have_params)
	{
		if (!s1->have_params)
		{
			s1->window = s2->window;
			s1->modes = s2->modes;
			s1->nsteps = s2->nsteps;
			s1->bigint_time = s2->bigint_time;
			s1->have_params = true;
		}
		else if (s1->window != s2->window || s1->modes != s2->modes ||
				 s1->nsteps != s2->nsteps)
			params_mismatch();
	}
	evbuf_merge(s1->buf, s2->buf);
	PG_RETURN_POINTER(s1);
}

/* state to bytea: a small header, then the rows */
Datum
window_funnel_serialize(PG_FUNCTION_ARGS)
{
	FunnelState *state = (FunnelState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	(void) agg_context(fcinfo, "window_funnel_serialize");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, FUNNEL_STATE_VERSION);
	pq_sendbyte(&buf, (state->have_params ? 1 : 0) | (state->bigint_time ? 2 : 0));
	pq_sendint64(&buf, state->window);
	pq_sendint32(&buf, state->modes);
	pq_sendint16(&buf, state->nsteps);
	evbuf_write(&buf, state->buf, EVBUF_WIRE_INTERNAL);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* bytea to state, every field checked */
Datum
window_funnel_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	StringInfoData msg;
	FunnelState *state;
	int			flags;

	(void) agg_context(fcinfo, "window_funnel_deserialize");
	cj_bytea_message(data, &msg);
	if (msg.len < 16 || pq_getmsgbyte(&msg) != FUNNEL_STATE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary representation of type %s", "window_funnel state")));
	state = palloc0(sizeof(FunnelState));
	flags = pq_getmsgbyte(&msg);
	state->have_params = (flags & 1) != 0;
	state->bigint_time = (flags & 2) != 0;
	state->window = pq_getmsgint64(&msg);
	state->modes = pq_getmsgint(&msg, 4);
	state->nsteps = (int16) pq_getmsgint(&msg, 2);
	if ((flags & ~3) != 0 || (state->have_params &&
							  (state->window <= 0 || state->nsteps < 1 ||
							   state->nsteps > FUNNEL_MAX_STEPS)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary representation of type %s", "window_funnel state")));
	state->buf = evbuf_read(&msg, CurrentMemoryContext, agg_cache(fcinfo)->dict,
							EVBUF_WIRE_INTERNAL, "window_funnel state");
	if (msg.cursor != msg.len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary representation of type %s", "window_funnel state"),
				 errdetail("The value has trailing bytes.")));
	PG_RETURN_POINTER(state);
}

/* Walk a buffer's rows; the buffer is put in canonical order first. */
static int
walk_buffer(EventBuffer *b, int nsteps, int64 window, uint32 modes, int64 *times)
{
	FunnelRow  *rows;
	int32		i;
	int64		pairs = 0;

	evbuf_sort(b);
	rows = palloc(Max(b->n, 1) * sizeof(FunnelRow));
	for (i = 0; i < b->n; i++)
	{
		rows[i].ts = b->ev[i].ts;
		rows[i].mask = b->ev[i].mask;
		pairs += rows[i].mask ? pg_popcount64(rows[i].mask) : 1;
	}
	if (pairs > FUNNEL_MAX_PAIRS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("window_funnel has too many matching (row, step) pairs in one group"),
				 errdetail("One group may have at most %d pairs; this one has " INT64_FORMAT ".",
						   FUNNEL_MAX_PAIRS, pairs)));
	return funnel_walk(rows, b->n, nsteps, window, modes, times);
}

/* the deepest step reached; 0 when no row matched (or no row at all) */
Datum
window_funnel_finalfn(PG_FUNCTION_ARGS)
{
	FunnelState *state;

	(void) agg_context(fcinfo, "window_funnel_finalfn");
	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	state = (FunnelState *) PG_GETARG_POINTER(0);
	if (!state->have_params || state->buf->n == 0)
		PG_RETURN_INT32(0);
	PG_RETURN_INT32(walk_buffer(state->buf, state->nsteps, state->window, state->modes, NULL));
}

/*
 * the time of each step of the chain that first reached the deepest step:
 * timestamptz[] (or bigint[] for integer times); empty when none matched
 */
Datum
window_funnel_times_finalfn(PG_FUNCTION_ARGS)
{
	FunnelState *state;
	int64		times[FUNNEL_MAX_STEPS];
	Datum		elems[FUNNEL_MAX_STEPS];
	int			level = 0,
				k;
	bool		bigint_time;

	(void) agg_context(fcinfo, "window_funnel_times_finalfn");
	state = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);
	/* the declared result type tells which array to build for no rows */
	bigint_time = get_fn_expr_rettype(fcinfo->flinfo) == INT8ARRAYOID;
	if (state != NULL && state->have_params && state->buf->n > 0)
		level = walk_buffer(state->buf, state->nsteps, state->window, state->modes, times);
	for (k = 0; k < level; k++)
		elems[k] = Int64GetDatum(times[k]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, level, bigint_time ? INT8OID : TIMESTAMPTZOID,
										  8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * journey_funnel(journey, window, mode, VARIADIC steps text[]): the funnel
 * over a stored journey; a step matches a touch whose event or stage label
 * equals it.
 */
Datum
journey_funnel(PG_FUNCTION_ARGS)
{
	JourneyView v;
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(3);
	int64		window = window_arg(fcinfo, 1, false);
	uint32		modes = funnel_parse_modes(text_to_cstring(PG_GETARG_TEXT_PP(2)));
	Datum	   *elems;
	bool	   *nulls;
	int			nsteps,
				k;
	FunnelRow  *rows;
	int32		i,
				n = 0;

	jview_init(&v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), "journey");
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("journey_funnel steps must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nsteps);
	if (nsteps == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("journey_funnel needs at least one step")));
	if (nsteps > FUNNEL_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey_funnel has too many steps"),
				 errdetail("A funnel has at most %d steps; this one has %d.", FUNNEL_MAX_STEPS, nsteps)));

	rows = palloc(Max(v.ntouches, 1) * sizeof(FunnelRow));
	for (i = 0; i < v.ntouches; i++)
	{
		JTouch		t;
		uint64		mask = 0;

		CJ_CHECK_EVERY(i);
		jview_touch(&v, i, &t);
		for (k = 0; k < nsteps; k++)
		{
			text	   *step;
			int			len;

			if (nulls[k])
				continue;
			step = DatumGetTextPP(elems[k]);
			len = VARSIZE_ANY_EXHDR(step);
			if ((t.event >= 0 && v.label_len[t.event] == len &&
				 memcmp(v.label[t.event], VARDATA_ANY(step), len) == 0) ||
				(v.stages.len[t.stage] == len &&
				 memcmp(v.stages.label[t.stage], VARDATA_ANY(step), len) == 0))
				mask |= UINT64CONST(1) << k;
		}
		if (mask == 0 && !funnel_keeps_unmatched(modes))
			continue;
		rows[n].ts = t.ts;
		rows[n++].mask = mask;
	}
	PG_RETURN_INT32(funnel_walk(rows, n, nsteps, window, modes, NULL));
}

/*
 * journey_stage_funnel(journey): the stage funnel of one journey, as step
 * times: the first touch in the first stage, then the first later touch in
 * the next stage, and so on, in lifecycle order, with no window.  Feed it to
 * funnel_report_agg with the number of stages for stage-to-stage conversion.
 */
Datum
journey_stage_funnel(PG_FUNCTION_ARGS)
{
	JourneyView v;
	FunnelRow  *rows;
	int64		times[FUNNEL_MAX_STEPS];
	Datum		elems[FUNNEL_MAX_STEPS];
	int			level,
				nsteps,
				k;
	int32		i;

	jview_init(&v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), "journey");
	nsteps = Min(v.stages.n, FUNNEL_MAX_STEPS);
	rows = palloc(Max(v.ntouches, 1) * sizeof(FunnelRow));
	for (i = 0; i < v.ntouches; i++)
	{
		int			s = jview_stage(&v, i);

		rows[i].ts = jview_time(&v, i);
		rows[i].mask = (s < FUNNEL_MAX_STEPS) ? UINT64CONST(1) << s : 0;
	}
	level = funnel_walk(rows, v.ntouches, nsteps, PG_INT64_MAX, 0, times);
	for (k = 0; k < level; k++)
		elems[k] = TimestampTzGetDatum(times[k]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, level, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL,
										  TYPALIGN_DOUBLE));
}
