/*-------------------------------------------------------------------------
 *
 * funnel_options.c
 *		Funnel options: exclusion steps (window_funnel_excluding and
 *		window_funnel_excluding_times) and breakdown attribution
 *		(window_funnel_breakdown).
 *
 * Both keep the shared per-customer state (agg.h): rows of (time, step
 * mask), the exclusion as bit 63 of the mask, the breakdown property as the
 * record's channel label.
 *
 * Exclusion (default and strict_increase modes): a chain is void when an
 * excluded row lies strictly after its from_step time and strictly before
 * its to_step time, or, when the chain never reaches to_step, strictly
 * after its from_step time and within its window.  The level is the
 * deepest over chains that are not void; a customer whose every chain
 * reaching from_step is void is excluded (NULL).  The search is exact: for
 * each step-1 row s, the steps before from_step are taken at their earliest
 * rows (which leaves every later choice open), every from_step row that
 * can follow is tried, and the steps after it are again taken earliest
 * (which makes the interval to to_step the shortest and leaves the most of
 * the window).  Step times are those of the earliest start reaching the
 * level, each step at its earliest row given the from_step row tried
 * first.
 *
 * Breakdown: the walk of window_funnel_times (any ClickHouse mode) reports
 * the chain and the row of each step; the breakdown value is the property
 * of the lowest step whose row has one (first_touch), of the highest
 * (last_touch), or of step N's row (step:N; NULL when N is not reached).
 * Rows at one instant are in canonical order (time, steps, property bytes),
 * so the result never depends on input order or workers.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "agg.h"
#include "event_buffer.h"
#include "funnel_walk.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(window_funnel_excluding_transfn);
PG_FUNCTION_INFO_V1(window_funnel_excluding_finalfn);
PG_FUNCTION_INFO_V1(window_funnel_excluding_times_finalfn);
PG_FUNCTION_INFO_V1(window_funnel_breakdown_transfn);
PG_FUNCTION_INFO_V1(window_funnel_breakdown_finalfn);
PG_FUNCTION_INFO_V1(window_funnel_options_combine);
PG_FUNCTION_INFO_V1(window_funnel_options_serialize);
PG_FUNCTION_INFO_V1(window_funnel_options_deserialize);

#define FO_STATE_VERSION	1

#define FO_EXCLUDING		1
#define FO_BREAKDOWN		2

#define FO_FIRST_TOUCH		1
#define FO_LAST_TOUCH		2
#define FO_STEP				3

typedef struct FunnelOptParams
{
	int64		window;			/* microseconds */
	uint32		modes;
	int16		nsteps;
	int16		kind;			/* FO_EXCLUDING or FO_BREAKDOWN */
	int16		a;				/* excluding: from_step; breakdown: attribution */
	int16		b;				/* excluding: to_step; breakdown: step N */
} FunnelOptParams;

static const StageList fo_stages = {1, false, {"step"}, {4}};

static bool
fo_params_equal(const void *x, const void *y)
{
	const FunnelOptParams *p = x;
	const FunnelOptParams *q = y;

	return p->window == q->window && p->modes == q->modes && p->nsteps == q->nsteps &&
		p->kind == q->kind && p->a == q->a && p->b == q->b;
}

static uint8
fo_params_flags(const void *p)
{
	return 0;
}

static void
fo_params_write(StringInfo buf, const void *p)
{
	const FunnelOptParams *f = p;

	pq_sendint64(buf, f->window);
	pq_sendint32(buf, f->modes);
	pq_sendint16(buf, f->nsteps);
	pq_sendint16(buf, f->kind);
	pq_sendint16(buf, f->a);
	pq_sendint16(buf, f->b);
}

static void
fo_params_read(WireReader *w, uint8 flags, void *p)
{
	FunnelOptParams *f = p;

	memset(f, 0, sizeof(*f));
	f->window = wire_int64(w);
	f->modes = (uint32) wire_int32(w);
	f->nsteps = wire_int16(w);
	f->kind = wire_int16(w);
	f->a = wire_int16(w);
	f->b = wire_int16(w);
	if (f->window <= 0)
		wire_error(w, "The window is not positive.");
	if (f->nsteps < 1 || f->nsteps > FUNNEL_MAX_STEPS - 1)
		wire_error(w, "The step count is out of range.");
	if (f->kind == FO_EXCLUDING)
	{
		if (f->a < 1 || f->a >= f->b || f->b > f->nsteps)
			wire_error(w, "The exclusion's step range is out of range.");
	}
	else if (f->kind == FO_BREAKDOWN)
	{
		if (f->a < FO_FIRST_TOUCH || f->a > FO_STEP ||
			(f->a == FO_STEP && (f->b < 1 || f->b > f->nsteps)))
			wire_error(w, "The breakdown attribution is out of range.");
	}
	else
		wire_error(w, "Unknown funnel option.");
}

pg_attribute_noreturn()
static void
fo_params_mismatch(const void *a, const void *b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the window, mode, steps and options of a funnel must be the same for every row"),
			 errhint("Pass constants for the window, the mode and the options.")));
}

static void
fo_check_record(WireReader *w, const void *params, const CjEvent *e, int32 i)
{
	const FunnelOptParams *p = params;
	uint64		allowed = (UINT64CONST(1) << p->nsteps) - 1;

	if (p->kind == FO_EXCLUDING)
		allowed |= FUNNEL_EXCLUDED_BIT;
	if ((e->mask & ~allowed) != 0 || e->stage != 0 || e->event != -1 || e->value != -1 ||
		(p->kind != FO_BREAKDOWN && e->channel != -1))
		wire_error(w, psprintf("Row %d has fields this funnel state does not use.", i + 1));
}

static const AggOps fo_ops = {
	.state_name = "funnel options state",
	.version = FO_STATE_VERSION,
	.stages = &fo_stages,
	.params_size = sizeof(FunnelOptParams),
	.param_bits = 0,
	.params_equal = fo_params_equal,
	.params_flags = fo_params_flags,
	.params_write = fo_params_write,
	.params_read = fo_params_read,
	.params_mismatch = fo_params_mismatch,
	.check_record = fo_check_record,
};

static int64
window_usec(FunctionCallInfo fcinfo, int argno)
{
	Interval   *iv;
	int64		days,
				w;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel window must not be NULL")));
	iv = PG_GETARG_INTERVAL_P(argno);
	days = (int64) iv->month * DAYS_PER_MONTH + iv->day;
	if (pg_mul_s64_overflow(days, USECS_PER_DAY, &w) || pg_add_s64_overflow(w, iv->time, &w))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel window is out of range")));
	if (w <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel window must be positive"),
				 errhint("Pass a positive window, such as interval '7 days'.")));
	return w;
}

static uint32
modes_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel mode must not be NULL"),
				 errhint("Pass 'default' for the default mode.")));
	return funnel_parse_modes(text_to_cstring(PG_GETARG_TEXT_PP(argno)));
}

/* ---- window_funnel_excluding ---- */

/*
 * window_funnel_excluding(window, mode, occurred_at, excluded, from_step,
 * to_step, VARIADIC steps)
 */
Datum
window_funnel_excluding_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "window_funnel_excluding");
	CustomerState *state;
	FunnelOptParams params;
	uint64		mask;
	int			nsteps;
	TimestampTz ts;

	memset(&params, 0, sizeof(params));
	params.kind = FO_EXCLUDING;
	params.window = window_usec(fcinfo, 1);
	params.modes = modes_arg(fcinfo, 2);
	if (params.modes & ~(FM_STRICT_INCREASE | FM_FIRST_START))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel_excluding takes the default and strict_increase modes only")));
	if (PG_ARGISNULL(5) || PG_ARGISNULL(6))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel_excluding needs from_step and to_step")));
	state = agg_state_arg(fcinfo, &fo_ops, false);
	if (PG_ARGISNULL(3) || PG_ARGISNULL(7))
		PG_RETURN_POINTER(state);
	mask = cj_bool_array_mask(PG_GETARG_ARRAYTYPE_P(7), FUNNEL_MAX_STEPS - 1, &nsteps,
							  "window_funnel_excluding", "step");
	if (PG_GETARG_INT32(5) < 1 || PG_GETARG_INT32(5) >= PG_GETARG_INT32(6) ||
		PG_GETARG_INT32(6) > nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel_excluding needs 1 <= from_step < to_step <= %d, not %d and %d",
						nsteps, PG_GETARG_INT32(5), PG_GETARG_INT32(6))));
	params.nsteps = (int16) nsteps;
	params.a = (int16) PG_GETARG_INT32(5);
	params.b = (int16) PG_GETARG_INT32(6);
	agg_state_set_params(state, aggcxt, &params);
	if (!PG_ARGISNULL(4) && PG_GETARG_BOOL(4))
		mask |= FUNNEL_EXCLUDED_BIT;
	if (mask == 0)
		PG_RETURN_POINTER(state);
	ts = PG_GETARG_TIMESTAMPTZ(3);
	cj_check_time(ts);
	evbuf_append(state->buf, ts, mask, 0, -1, -1, (Datum) 0, false);
	PG_RETURN_POINTER(state);
}

/* first index in sorted t[0..n) with t >= x (strict: > x) */
static int32
first_at_or_after(const int64 *t, int32 n, int64 x, bool strict)
{
	int32		lo = 0,
				hi = n;

	while (lo < hi)
	{
		int32		mid = lo + (hi - lo) / 2;

		if (t[mid] < x || (strict && t[mid] == x))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* is there an excluded time x with lo < x < hi (or <= hi when closed)? */
static bool
excluded_between(const int64 *xs, int32 nx, int64 lo, int64 hi, bool closed)
{
	int32		j = first_at_or_after(xs, nx, lo, true);

	return j < nx && (xs[j] < hi || (closed && xs[j] == hi));
}

/*
 * The exclusion walk over one customer's sorted rows: the level (or -1 when
 * excluded) and, into times, the step times of the reported chain.
 */
static int
walk_excluding(const EventBuffer *b, const FunnelOptParams *p, int64 *times)
{
	int			nsteps = p->nsteps,
				A = p->a - 1,
				B = p->b - 1,
				best = 0,
				k;
	bool		strict = (p->modes & FM_STRICT_INCREASE) != 0;
	bool		reached_from = false;
	int64	   *ts[FUNNEL_MAX_STEPS];
	int32		nts[FUNNEL_MAX_STEPS];
	int64	   *xs;
	int32		nx = 0,
				i,
				s;
	int64		cur[FUNNEL_MAX_STEPS];

	memset(nts, 0, sizeof(nts));
	for (k = 0; k < nsteps; k++)
		ts[k] = palloc(Max(b->n, 1) * sizeof(int64));
	xs = palloc(Max(b->n, 1) * sizeof(int64));
	for (i = 0; i < b->n; i++)
	{
		uint64		m = b->ev[i].mask;

		if (m & FUNNEL_EXCLUDED_BIT)
			xs[nx++] = b->ev[i].ts;
		for (k = 0; k < nsteps; k++)
			if (m & (UINT64CONST(1) << k))
				ts[k][nts[k]++] = b->ev[i].ts;
	}

	for (s = 0; s < nts[0] && best < nsteps; s++)
	{
		int64		start = ts[0][s],
					end;
		int32		c,
					c0,
					c1;

		CHECK_FOR_INTERRUPTS();
		if (pg_add_s64_overflow(start, p->window, &end))
			end = PG_INT64_MAX;
		cur[0] = start;
		/* steps before from_step at their earliest rows */
		for (k = 1; k < A; k++)
		{
			int32		j = first_at_or_after(ts[k], nts[k], cur[k - 1], strict);

			if (j >= nts[k] || ts[k][j] > end)
				break;
			cur[k] = ts[k][j];
		}
		/* a chain that ends before from_step is never void */
		if (A > 0 && k > best)
		{
			best = k;
			memcpy(times, cur, k * sizeof(int64));
		}
		if (k < A)
			continue;
		/* candidates for from_step: the start itself, or every row that can follow */
		if (A == 0)
			c0 = c1 = -1;
		else
		{
			c0 = first_at_or_after(ts[A], nts[A], cur[A - 1], strict);
			c1 = nts[A];
		}
		for (c = c0; A == 0 ? c == -1 : c < c1; c++)
		{
			int64		ta = (A == 0) ? start : ts[A][c];
			int			level;

			/*
			 * XXX every (start, from_step row) pair is tried: quadratic in
			 * the rows of one customer, answering a cancel on the way.
			 */
			CJ_CHECK_EVERY(c);
			if (ta > end)
				break;
			cur[A] = ta;
			reached_from = true;
			for (k = A + 1; k < nsteps; k++)
			{
				int32		j = first_at_or_after(ts[k], nts[k], cur[k - 1], strict);

				if (j >= nts[k] || ts[k][j] > end)
					break;
				cur[k] = ts[k][j];
			}
			level = k;
			if (level > B ? excluded_between(xs, nx, ta, cur[B], false)
				: excluded_between(xs, nx, ta, end, true))
				continue;		/* void */
			if (level > best)
			{
				best = level;
				memcpy(times, cur, level * sizeof(int64));
			}
			if (best == nsteps || A == 0)
				break;
		}
	}
	if (reached_from && best <= A)
		return -1;
	return best;
}

static int
excluding_level(FunctionCallInfo fcinfo, const char *fn, int64 *times)
{
	CustomerState *state = agg_state_final(fcinfo, fn);

	if (state == NULL)
		return 0;
	evbuf_sort(state->buf);
	return walk_excluding(state->buf, AGG_PARAMS(state), times);
}

/* the deepest level of a chain not voided; NULL when excluded */
Datum
window_funnel_excluding_finalfn(PG_FUNCTION_ARGS)
{
	int64		times[FUNNEL_MAX_STEPS];
	int			level = excluding_level(fcinfo, "window_funnel_excluding_finalfn", times);

	if (level < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(level);
}

/* its step times; NULL when excluded */
Datum
window_funnel_excluding_times_finalfn(PG_FUNCTION_ARGS)
{
	int64		times[FUNNEL_MAX_STEPS];
	Datum		elems[FUNNEL_MAX_STEPS];
	int			level = excluding_level(fcinfo, "window_funnel_excluding_times_finalfn", times),
				k;

	if (level < 0)
		PG_RETURN_NULL();
	for (k = 0; k < level; k++)
		elems[k] = TimestampTzGetDatum(times[k]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, level, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL,
										  TYPALIGN_DOUBLE));
}

/* ---- window_funnel_breakdown ---- */

static void
attribution_arg(FunctionCallInfo fcinfo, int argno, FunnelOptParams *p)
{
	char	   *s;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel_breakdown needs an attribution"),
				 errhint("Pass 'first_touch', 'last_touch' or 'step:N'.")));
	s = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (pg_strcasecmp(s, "first_touch") == 0)
		p->a = FO_FIRST_TOUCH;
	else if (pg_strcasecmp(s, "last_touch") == 0)
		p->a = FO_LAST_TOUCH;
	else if (pg_strncasecmp(s, "step:", 5) == 0 && s[5] >= '1' && s[5] <= '9' &&
			 strspn(s + 5, "0123456789") == strlen(s + 5) && strlen(s + 5) <= 2)
	{
		p->a = FO_STEP;
		p->b = (int16) atoi(s + 5);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown breakdown attribution \"%s\"", s),
				 errdetail("Valid attributions: first_touch, last_touch, step:N (N a step number).")));
}

/*
 * window_funnel_breakdown(window, mode, occurred_at, property, attribution,
 * VARIADIC steps)
 */
Datum
window_funnel_breakdown_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "window_funnel_breakdown");
	CustomerState *state;
	FunnelOptParams params;
	uint64		mask;
	int			nsteps;
	int32		label = -1;
	TimestampTz ts;

	memset(&params, 0, sizeof(params));
	params.kind = FO_BREAKDOWN;
	params.window = window_usec(fcinfo, 1);
	params.modes = modes_arg(fcinfo, 2);
	if (params.modes & (FM_DORIS_ANY | FM_UNORDERED))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window_funnel_breakdown takes the ClickHouse modes"),
				 errdetail("The breakdown comes from the rows of the chain window_funnel_times reports.")));
	attribution_arg(fcinfo, 5, &params);
	state = agg_state_arg(fcinfo, &fo_ops, false);
	if (PG_ARGISNULL(3) || PG_ARGISNULL(6))
		PG_RETURN_POINTER(state);
	mask = cj_bool_array_mask(PG_GETARG_ARRAYTYPE_P(6), FUNNEL_MAX_STEPS - 1, &nsteps,
							  "window_funnel_breakdown", "step");
	if (params.a == FO_STEP && params.b > nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("breakdown step %d is not a step of a %d-step funnel", params.b, nsteps)));
	params.nsteps = (int16) nsteps;
	agg_state_set_params(state, aggcxt, &params);
	if (mask == 0 && !funnel_keeps_unmatched(params.modes))
		PG_RETURN_POINTER(state);
	ts = PG_GETARG_TIMESTAMPTZ(3);
	cj_check_time(ts);
	if (!PG_ARGISNULL(4))
	{
		text	   *t = PG_GETARG_TEXT_PP(4);

		label_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), true);
		label = labeldict_intern(state->buf->dict, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	evbuf_append(state->buf, ts, mask, 0, label, -1, (Datum) 0, false);
	PG_RETURN_POINTER(state);
}

/* (level, breakdown) of one customer */
Datum
window_funnel_breakdown_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState *state = agg_state_final(fcinfo, "window_funnel_breakdown_finalfn");
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, true};
	int			level = 0;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	if (state != NULL)
	{
		FunnelOptParams *p = AGG_PARAMS(state);
		EventBuffer *b = state->buf;
		bool		keep_all = funnel_keeps_unmatched(p->modes);
		FunnelRow  *rows = palloc(Max(b->n, 1) * sizeof(FunnelRow));
		int32	   *map = palloc(Max(b->n, 1) * sizeof(int32));
		int64		times[FUNNEL_MAX_STEPS];
		int32		rowidx[FUNNEL_MAX_STEPS];
		int32		i,
					n = 0,
					id = -1;
		int			k;

		evbuf_sort(b);
		for (i = 0; i < b->n; i++)
		{
			if (b->ev[i].mask == 0 && !keep_all)
				continue;
			rows[n].ts = b->ev[i].ts;
			rows[n].mask = b->ev[i].mask;
			map[n++] = i;
		}
		level = funnel_walk_rows(rows, n, p->nsteps, p->window, p->modes, times, rowidx);
		if (p->a == FO_FIRST_TOUCH)
		{
			for (k = 0; k < level && id < 0; k++)
				id = b->ev[map[rowidx[k]]].channel;
		}
		else if (p->a == FO_LAST_TOUCH)
		{
			for (k = level - 1; k >= 0 && id < 0; k--)
				id = b->ev[map[rowidx[k]]].channel;
		}
		else if (p->b <= level)
			id = b->ev[map[rowidx[p->b - 1]]].channel;
		if (id >= 0)
		{
			nulls[1] = false;
			values[1] = PointerGetDatum(cstring_to_text_with_len(b->dict->str[id], b->dict->len[id]));
		}
	}
	values[0] = Int32GetDatum(level);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---- shared state support ---- */

Datum
window_funnel_options_combine(PG_FUNCTION_ARGS)
{
	return agg_state_combine(fcinfo, &fo_ops);
}

Datum
window_funnel_options_serialize(PG_FUNCTION_ARGS)
{
	return agg_state_serialize(fcinfo);
}

Datum
window_funnel_options_deserialize(PG_FUNCTION_ARGS)
{
	return agg_state_deserialize(fcinfo, &fo_ops);
}
