/*-------------------------------------------------------------------------
 *
 * funnel.c
 *		window_funnel, window_funnel_times and journey_funnel: the SQL side
 *		of the funnel walk (funnel_walk.c).
 *
 * The aggregate state is the shared per-customer state (agg.h): rows (time,
 * step mask) plus the funnel's window, modes and step count, which every
 * row must repeat.
 * Rows are put in canonical order before the walk, so neither input order
 * nor the split among parallel workers changes the result.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "agg.h"
#include "event_buffer.h"
#include "funnel_walk.h"
#include "journey_format.h"
#include "journey_step.h"
#include "sequence_match.h"

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
PG_FUNCTION_INFO_V1(journey_window_funnel);
PG_FUNCTION_INFO_V1(journey_window_funnel_times);
PG_FUNCTION_INFO_V1(journey_stage_funnel);
PG_FUNCTION_INFO_V1(journey_stage_funnel_rule);

/* 2: the shared aggregate-state format (agg.h) */
#define FUNNEL_STATE_VERSION	2
#define FUNNEL_WIRE_BIGINT		0x02	/* flag: integer time */

/* pairs of (row, step) one walk may expand to */
#define FUNNEL_MAX_PAIRS		(16 * 1024 * 1024)

/* What every row of one group must repeat. */
typedef struct FunnelParams
{
	int64		window;			/* in microseconds, or the integer time's unit */
	uint32		modes;
	int16		nsteps;
	bool		bigint_time;
} FunnelParams;

/* The mode bits of text mode, parsed once per distinct text (copied to mcxt). */
uint32
funnel_mode_cached(ModeCache *mc, MemoryContext mcxt, text *mode)
{
	if (mc->text == NULL || mc->len != VARSIZE_ANY_EXHDR(mode) ||
		memcmp(mc->text, VARDATA_ANY(mode), mc->len) != 0)
	{
		char	   *s = text_to_cstring(mode);
		uint32		bits = funnel_parse_modes(s);
		char	   *copy = MemoryContextStrdup(mcxt, s);

		if (mc->text)
			pfree(mc->text);
		mc->text = copy;
		mc->len = VARSIZE_ANY_EXHDR(mode);
		mc->bits = bits;
	}
	return mc->bits;
}

/* Funnel rows need no stage: one placeholder stage keeps the buffer valid. */
static const StageList funnel_stages = {1, false, {"step"}, {4}};

static bool
funnel_params_equal(const void *a, const void *b)
{
	const FunnelParams *x = a;
	const FunnelParams *y = b;

	return x->window == y->window && x->modes == y->modes && x->nsteps == y->nsteps;
}

static uint8
funnel_params_flags(const void *p)
{
	return ((const FunnelParams *) p)->bigint_time ? FUNNEL_WIRE_BIGINT : 0;
}

static void
funnel_params_write(StringInfo buf, const void *p)
{
	const FunnelParams *f = p;

	pq_sendint64(buf, f->window);
	pq_sendint32(buf, f->modes);
	pq_sendint32(buf, f->nsteps);
}

static void
funnel_params_read(WireReader *w, uint8 flags, void *p)
{
	FunnelParams *f = p;
	int32		nsteps;

	f->window = wire_int64(w);
	f->modes = (uint32) wire_int32(w);
	nsteps = wire_int32(w);
	f->bigint_time = (flags & FUNNEL_WIRE_BIGINT) != 0;
	if (f->window <= 0)
		wire_error(w, "The window is not positive.");
	if (nsteps < 1 || nsteps > FUNNEL_MAX_STEPS)
		wire_error(w, psprintf("The step count is %d; a funnel has 1 to %d steps.",
							   nsteps, FUNNEL_MAX_STEPS));
	f->nsteps = (int16) nsteps;
}

pg_attribute_noreturn()
static void
funnel_params_mismatch(const void *a, const void *b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("window_funnel window, mode and number of steps must be the same for every row"),
			 errhint("Pass constants for the window and the mode.")));
}

/* a funnel row is a time and a mask of existing steps */
static void
funnel_check_record(WireReader *w, const void *params, const CjEvent *e, int32 i)
{
	int			nsteps = ((const FunnelParams *) params)->nsteps;

	if ((nsteps < 64 && (e->mask >> nsteps) != 0) || e->stage != 0 ||
		e->channel != -1 || e->event != -1 || e->value != -1)
		wire_error(w, psprintf("Row %d has fields a window_funnel state does not use.", i + 1));
}

static const AggOps funnel_ops = {
	.state_name = "window_funnel state",
	.version = FUNNEL_STATE_VERSION,
	.stages = &funnel_stages,
	.params_size = sizeof(FunnelParams),
	.param_bits = FUNNEL_WIRE_BIGINT,
	.params_equal = funnel_params_equal,
	.params_flags = funnel_params_flags,
	.params_write = funnel_params_write,
	.params_read = funnel_params_read,
	.params_mismatch = funnel_params_mismatch,
	.int_time_bit = FUNNEL_WIRE_BIGINT,
	.check_record = funnel_check_record,
};

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

/*
 * window_funnel(window, [mode,] occurred_at, VARIADIC steps): add one row.
 * Arguments: 1 window, then mode when there are five, then time and steps.
 */
Datum
window_funnel_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "window_funnel_transfn");
	CustomerState   *state;
	int			nargs = PG_NARGS();
	int			ts_arg = nargs - 2;
	int			steps_arg = nargs - 1;
	FunnelParams params = {0};
	int			nsteps;
	uint64		mask;
	int64		ts;

	params.bigint_time = get_fn_expr_argtype(fcinfo->flinfo, ts_arg) == INT8OID;
	params.window = window_arg(fcinfo, 1, params.bigint_time);
	if (nargs == 5)
	{
		AggCache   *cache = agg_cache(fcinfo);
		ModeCache  *mc = cache->args;
		text	   *mode;

		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("window_funnel mode must not be NULL"),
					 errhint("Pass 'default' for the default mode.")));
		mode = PG_GETARG_TEXT_PP(2);
		if (mc == NULL)
			cache->args = mc = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
													  sizeof(ModeCache));
		params.modes = funnel_mode_cached(mc, fcinfo->flinfo->fn_mcxt, mode);
	}
	state = agg_state_arg(fcinfo, &funnel_ops, false);
	if (PG_ARGISNULL(ts_arg) || PG_ARGISNULL(steps_arg))
		PG_RETURN_POINTER(state);
	mask = cj_bool_array_mask(PG_GETARG_ARRAYTYPE_P(steps_arg), FUNNEL_MAX_STEPS, &nsteps,
							  "window_funnel", "step");
	params.nsteps = (int16) nsteps;
	agg_state_set_params(state, aggcxt, &params);
	if (mask == 0 && !funnel_keeps_unmatched(params.modes))
		PG_RETURN_POINTER(state);
	ts = params.bigint_time ? PG_GETARG_INT64(ts_arg) : PG_GETARG_TIMESTAMPTZ(ts_arg);
	if (!params.bigint_time)
		cj_check_time(ts);
	evbuf_append(state->buf, ts, mask, 0, -1, -1, (Datum) 0, false);
	PG_RETURN_POINTER(state);
}

/* merge two partial states */
Datum
window_funnel_combine(PG_FUNCTION_ARGS)
{
	return agg_state_combine(fcinfo, &funnel_ops);
}

Datum
window_funnel_serialize(PG_FUNCTION_ARGS)
{
	return agg_state_serialize(fcinfo);
}

Datum
window_funnel_deserialize(PG_FUNCTION_ARGS)
{
	return agg_state_deserialize(fcinfo, &funnel_ops);
}

/* rows in time order, rows at one instant by the lowest step where they differ */
static int
funnel_row_cmp(const void *x, const void *y)
{
	const FunnelRow *a = x;
	const FunnelRow *b = y;

	CJ_SORT_TICK();
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return seq_mask_tie_cmp(a->mask, b->mask);
}

/*
 * The funnel walk over one customer's rows (times and masks) in canonical
 * order: the rows form (walk_buffer) and the stored-journey forms (decoded
 * straight to rows) both come here.  Rows that match no step are left out
 * by the caller unless the modes use them.
 *
 * by_steps (the rows form): rows at one instant are ordered by their step
 * vectors compared from step 1, a row matching the lowest step where two
 * differ first (so a single-step row of step 1 precedes one of step 2).
 * Adding a last step then never reorders rows that differ in the earlier
 * steps, so a level reached with N steps is still reached with N + 1.
 * (Ordering by the whole mask as a number did not have that property under
 * strict_deduplication, strict_once.)  journey_funnel (0.1.0) keeps the
 * journey's stored order, which does not depend on the steps; the 0.3.0
 * journey forms order by steps, as the rows form does.
 */
static int
walk_rows(FunnelRow *rows, int32 n, int nsteps, int64 window, uint32 modes, int64 *times,
		  bool by_steps)
{
	int32		i;
	int64		pairs = 0;

	for (i = 0; i < n; i++)
		pairs += rows[i].mask ? pg_popcount64(rows[i].mask) : 1;
	if (by_steps)
	{
		for (i = 1; i < n; i++)
			if (funnel_row_cmp(&rows[i - 1], &rows[i]) > 0)
				break;
		if (i < n)
			qsort(rows, n, sizeof(FunnelRow), funnel_row_cmp);
	}
	if (pairs > FUNNEL_MAX_PAIRS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("window_funnel has too many matching (row, step) pairs in one group"),
				 errdetail("One group may have at most %d pairs; this one has " INT64_FORMAT ".",
						   FUNNEL_MAX_PAIRS, pairs)));
	return funnel_walk(rows, n, nsteps, window, modes, times);
}

/*
 * walk_rows over a buffer's records, put in canonical order first (a no-op
 * for a decoded journey), those with a mask unless the modes keep all.
 */
static int
walk_buffer(EventBuffer *b, int nsteps, int64 window, uint32 modes, int64 *times,
			bool by_steps)
{
	FunnelRow  *rows;
	bool		keep_all = funnel_keeps_unmatched(modes);
	int32		i,
				n = 0;

	evbuf_sort(b);
	rows = palloc(Max(b->n, 1) * sizeof(FunnelRow));
	for (i = 0; i < b->n; i++)
	{
		CJ_CHECK_EVERY(i);
		if (b->ev[i].mask == 0 && !keep_all)
			continue;
		rows[n].ts = b->ev[i].ts;
		rows[n].mask = b->ev[i].mask;
		n++;
	}
	return walk_rows(rows, n, nsteps, window, modes, times, by_steps);
}

/* the deepest step reached; 0 when no row matched (or no row at all) */
Datum
window_funnel_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState   *state = agg_state_final(fcinfo, "window_funnel_finalfn");
	FunnelParams *p;

	if (state == NULL)
		PG_RETURN_INT32(0);
	p = AGG_PARAMS(state);
	PG_RETURN_INT32(walk_buffer(state->buf, p->nsteps, p->window, p->modes, NULL, true));
}

/*
 * The first level step times as an array of elemtype: bigint, timestamptz
 * or timestamp, all 8-byte values with the same bits.
 */
static ArrayType *
step_times_array(const int64 *times, int level, Oid elemtype)
{
	Datum		elems[FUNNEL_MAX_STEPS];
	int			k;

	for (k = 0; k < level; k++)
		elems[k] = Int64GetDatum(times[k]);
	return construct_array(elems, level, elemtype, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/*
 * the time of each step of the chain that first reached the deepest step:
 * timestamptz[] (or bigint[] for integer times); empty when none matched
 */
Datum
window_funnel_times_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState   *state = agg_state_final(fcinfo, "window_funnel_times_finalfn");
	int64		times[FUNNEL_MAX_STEPS];
	int			level = 0;
	Oid			rettype;
	Oid			elemtype;

	/*
	 * The declared result type tells which array to build (also for no
	 * rows): bigint[], timestamptz[], or timestamp[] for the timestamp
	 * overloads, whose wall-clock values were read as UTC (same bits).
	 */
	rettype = get_fn_expr_rettype(fcinfo->flinfo);
	elemtype = rettype == INT8ARRAYOID ? INT8OID :
		rettype == TIMESTAMPARRAYOID ? TIMESTAMPOID : TIMESTAMPTZOID;
	if (state != NULL)
	{
		FunnelParams *p = AGG_PARAMS(state);

		level = walk_buffer(state->buf, p->nsteps, p->window, p->modes, times, true);
	}
	PG_RETURN_ARRAYTYPE_P(step_times_array(times, level, elemtype));
}

/*
 * The funnel over a stored journey, arguments (journey, window, mode,
 * VARIADIC steps text[]): the level, and the step times in times[] when
 * not NULL.  Two flavours:
 *	- journey_funnel (0.1.0): a step matches a touch whose event or stage
 *	  label equals it (journey_steps_labels, no step syntax), and the
 *	  touches of one instant keep the journey's stored order;
 *	- journey_window_funnel(_times) (0.3.0, step_syntax): window_funnel
 *	  (_times) over the journey's touches, the steps in the journey step
 *	  syntax and one instant's touches in the rows form's order (by steps),
 *	  so that each equals its aggregate over the journey's rows with the
 *	  steps as conditions.
 */
static int
journey_funnel_level(FunctionCallInfo fcinfo, const char *fn, bool step_syntax, int64 *times)
{
	int64		window = window_arg(fcinfo, 1, false);
	JourneyFunnelArgs *c = fcinfo->flinfo->fn_extra;
	uint32		modes;
	JourneySteps *js;
	FunnelRow  *rows;
	int32		n;

	if (c == NULL)
		fcinfo->flinfo->fn_extra = c =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(JourneyFunnelArgs));
	modes = funnel_mode_cached(&c->mode, fcinfo->flinfo->fn_mcxt, PG_GETARG_TEXT_PP(2));
	StaticAssertStmt(JOURNEY_MAX_STEPS == FUNNEL_MAX_STEPS, "a journey step is a funnel step");
	js = journey_steps_cached(&c->steps, fcinfo->flinfo->fn_mcxt, PG_GETARG_ARRAYTYPE_P(3),
							  fn, 1, !step_syntax);
	/*
	 * times and masks straight from the stored records: nothing else is
	 * read, and nothing at all when no touch can match step 1 (level 0, in
	 * the modes of a chain)
	 */
	n = journey_steps_decode_timed(js, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)),
								   funnel_keeps_unmatched(modes), funnel_required_steps(modes),
								   &rows);
	return walk_rows(rows, n, js->nsteps, window, modes, times, step_syntax);
}

Datum
journey_funnel(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(journey_funnel_level(fcinfo, "journey_funnel", false, NULL));
}

Datum
journey_window_funnel(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(journey_funnel_level(fcinfo, "journey_window_funnel", true, NULL));
}

Datum
journey_window_funnel_times(PG_FUNCTION_ARGS)
{
	int64		times[FUNNEL_MAX_STEPS];
	int			level = journey_funnel_level(fcinfo, "journey_window_funnel_times", true, times);

	PG_RETURN_ARRAYTYPE_P(step_times_array(times, level, TIMESTAMPTZOID));
}

/*
 * journey_stage_funnel(journey, rule): with rule 'first_stage' the 0.1.0
 * function below; with 'reached', step k's time is the first touch in stage
 * k or any later stage, so a customer counts at every stage up to the
 * furthest one reached, whatever the stage of entry (a skipped stage is
 * passed at the time of the later stage, taking no time).  The times never
 * decrease; their count is the furthest stage's position.
 */
Datum
journey_stage_funnel_rule(PG_FUNCTION_ARGS)
{
	char	   *rule = text_to_cstring(PG_GETARG_TEXT_PP(1));
	EventBuffer *b;
	int64		times[FUNNEL_MAX_STEPS];
	int			nstages,
				level = 0,
				k;
	int32		i;

	if (pg_strcasecmp(rule, "first_stage") == 0)
		return journey_stage_funnel(fcinfo);
	if (pg_strcasecmp(rule, "reached") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown stage funnel rule \"%s\"", rule),
				 errdetail("Valid rules: first_stage (a chain from the first stage, in lifecycle order), reached (each stage or a later one reached, whatever the entry stage).")));
	b = journey_arg_touches(fcinfo, 0);
	nstages = Min(b->stages->n, FUNNEL_MAX_STEPS);
	for (i = 0; i < b->n; i++)
	{
		int			s = Min(b->ev[i].stage, nstages - 1);

		CJ_CHECK_EVERY(i);
		for (k = 0; k <= s; k++)
			if (k >= level || b->ev[i].ts < times[k])
				times[k] = b->ev[i].ts;
		level = Max(level, s + 1);
	}
	PG_RETURN_ARRAYTYPE_P(step_times_array(times, level, TIMESTAMPTZOID));
}

/*
 * The funnel of js's steps over one stored journey (datum, detoasted),
 * decoded straight to times and masks, the window in argument warg and the
 * mode text in marg, parsed through args (the caller's fn_extra state): the level
 * reached, and the step times in times[] when it is not NULL.  Used by
 * funnel_report_agg over journeys; one instant's touches are ordered by
 * steps, as in the rows form and journey_window_funnel (0.3.0; 0.2.0 kept
 * the journey's stored order, so a report could differ from the rows
 * form's when touches of several steps shared an instant).
 */
int
journey_funnel_walk(FunctionCallInfo fcinfo, JourneyFunnelArgs *args, JourneySteps *js,
					const struct varlena *datum, int warg, int marg, int64 *times)
{
	int64		window = window_arg(fcinfo, warg, false);
	uint32		modes;
	FunnelRow  *rows;
	int32		n;

	if (PG_ARGISNULL(marg))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel mode must not be NULL"),
				 errhint("Pass 'default' or a comma-separated list of modes.")));
	modes = funnel_mode_cached(&args->mode, fcinfo->flinfo->fn_mcxt, PG_GETARG_TEXT_PP(marg));
	n = journey_steps_decode_timed(js, datum, funnel_keeps_unmatched(modes),
								   funnel_required_steps(modes), &rows);
	return walk_rows(rows, n, js->nsteps, window, modes, times, true);
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
	EventBuffer *b = journey_arg_touches(fcinfo, 0);
	int64		times[FUNNEL_MAX_STEPS];
	int			level;
	int32		i;

	for (i = 0; i < b->n; i++)
		b->ev[i].mask = (b->ev[i].stage < FUNNEL_MAX_STEPS)
			? UINT64CONST(1) << b->ev[i].stage : 0;
	level = walk_buffer(b, Min(b->stages->n, FUNNEL_MAX_STEPS), PG_INT64_MAX, 0, times, false);
	PG_RETURN_ARRAYTYPE_P(step_times_array(times, level, TIMESTAMPTZOID));
}
