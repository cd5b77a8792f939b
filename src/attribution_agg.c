/*-------------------------------------------------------------------------
 *
 * attribution_agg.c
 *		SQL interface of attribution: the type's I/O, the aggregates, the
 *		credit rows and the accessors.
 *
 * Three aggregates build an attribution value:
 *	- from one customer's rows (GROUP BY customer): the rows are kept in an
 *	  EventBuffer and walked in canonical order by the final function;
 *	- from paths (one row per path with its counts, as ChannelAttribution
 *	  takes them) and from stored journeys: each row is credited at once
 *	  into an Attr, which is also the state of rollup(attribution).
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "attribution.h"
#include "agg.h"
#include "journey_format.h"
#include "journey_step.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(attribution_in);
PG_FUNCTION_INFO_V1(attribution_out);
PG_FUNCTION_INFO_V1(attribution_recv);
PG_FUNCTION_INFO_V1(attribution_send);
PG_FUNCTION_INFO_V1(attribution_rows_transfn);
PG_FUNCTION_INFO_V1(attribution_rows_combine);
PG_FUNCTION_INFO_V1(attribution_rows_serialize);
PG_FUNCTION_INFO_V1(attribution_rows_deserialize);
PG_FUNCTION_INFO_V1(attribution_rows_finalfn);
PG_FUNCTION_INFO_V1(attribution_paths_transfn);
PG_FUNCTION_INFO_V1(attribution_journey_transfn);
PG_FUNCTION_INFO_V1(attribution_rollup_transfn);
PG_FUNCTION_INFO_V1(attribution_combine);
PG_FUNCTION_INFO_V1(attribution_serialize);
PG_FUNCTION_INFO_V1(attribution_deserialize);
PG_FUNCTION_INFO_V1(attribution_finalfn);
PG_FUNCTION_INFO_V1(attribution_credits);
PG_FUNCTION_INFO_V1(attribution_to_jsonb);
PG_FUNCTION_INFO_V1(journey_attribution);
PG_FUNCTION_INFO_V1(attribution_journey_step_transfn);
PG_FUNCTION_INFO_V1(attribution_conversions);
PG_FUNCTION_INFO_V1(attribution_revenue);
PG_FUNCTION_INFO_V1(attribution_model);
PG_FUNCTION_INFO_V1(attribution_paths);
PG_FUNCTION_INFO_V1(attribution_removal_effects);

#define TYPE_NAME	"attribution"
#define NONE_LABEL	"(none)"

/* ---- the type ---- */

static Attr *
decode_arg(FunctionCallInfo fcinfo, int arg, LabelDict *dict)
{
	if (dict == NULL)
		dict = labeldict_create(CurrentMemoryContext);
	return attr_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(arg)), CurrentMemoryContext, dict);
}

Datum
attribution_in(PG_FUNCTION_ARGS)
{
	return attr_text_in(PG_GETARG_CSTRING(0), labeldict_create(CurrentMemoryContext),
						CurrentMemoryContext);
}

Datum
attribution_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(attr_text_out(decode_arg(fcinfo, 0, NULL)));
}

Datum
attribution_recv(PG_FUNCTION_ARGS)
{
	WireReader	w;
	Attr	   *a;

	wire_reader_init(&w, (StringInfo) PG_GETARG_POINTER(0), TYPE_NAME);
	a = attr_read(&w, CurrentMemoryContext, labeldict_create(CurrentMemoryContext),
				  WIRE_CLIENT);
	wire_end(&w);
	PG_RETURN_BYTEA_P(attr_encode(a));
}

Datum
attribution_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	attr_write(&buf, decode_arg(fcinfo, 0, NULL), WIRE_CLIENT);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- the model arguments, parsed once per query ---- */

typedef struct SpecCache
{
	text	   *model;			/* the argument texts last parsed */
	text	   *options;		/* NULL for none */
	AttrSpec	spec;
} SpecCache;

static bool
same_text(text *cached, FunctionCallInfo fcinfo, int arg)
{
	text	   *t;

	if (arg < 0 || PG_ARGISNULL(arg))
		return cached == NULL;
	if (cached == NULL)
		return false;
	t = PG_GETARG_TEXT_PP(arg);
	return VARSIZE_ANY_EXHDR(t) == VARSIZE_ANY_EXHDR(cached) &&
		memcmp(VARDATA_ANY(t), VARDATA_ANY(cached), VARSIZE_ANY_EXHDR(t)) == 0;
}

/*
 * The spec of (model, options) arguments.  The parse is cached in the
 * query's AggCache and reused while the texts stay the same (a byte
 * comparison per row); a changed text is parsed again into a new spec, and
 * a state that already has a different one then raises the mismatch error.
 */
static const AttrSpec *
arg_spec(FunctionCallInfo fcinfo, int model_arg, int options_arg, bool journey)
{
	AggCache   *cache = agg_cache(fcinfo);
	SpecCache  *sc = cache->args;

	if (PG_ARGISNULL(model_arg))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("attribution model must not be NULL"),
				 errhint("Pass a model name such as 'linear'.")));
	if (sc == NULL || !same_text(sc->model, fcinfo, model_arg) ||
		!same_text(sc->options, fcinfo, options_arg))
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		text	   *options = (options_arg < 0 || PG_ARGISNULL(options_arg)) ? NULL
			: PG_GETARG_TEXT_P_COPY(options_arg);
		AttrSpec	spec;

		attr_spec_parse(&spec, PG_GETARG_TEXT_PP(model_arg), options, journey);
		sc = palloc0(sizeof(SpecCache));
		sc->model = PG_GETARG_TEXT_P_COPY(model_arg);
		sc->options = options;
		attr_spec_copy(CurrentMemoryContext, &sc->spec, &spec);
		cache->args = sc;
		MemoryContextSwitchTo(old);
	}
	return &sc->spec;
}

/* ---- from one customer's rows ---- */

/*
 * The state is the shared per-customer state (agg.h) with the model and
 * its options as parameters: rows keep (time, flags, channel, revenue).
 */
static bool
rows_spec_equal(const void *a, const void *b)
{
	return attr_spec_equal(a, b);
}

static void
rows_spec_copy(MemoryContext mcxt, void *dst, const void *src)
{
	attr_spec_copy(mcxt, dst, src);
}

static void
rows_spec_write(StringInfo buf, const void *p)
{
	attr_spec_write(buf, p, WIRE_INTERNAL);
}

static void
rows_spec_read(WireReader *w, uint8 flags, void *p)
{
	attr_spec_read(w, WIRE_INTERNAL, p);
}

pg_attribute_noreturn()
static void
rows_spec_mismatch(const void *a, const void *b)
{
	attr_spec_mismatch(a, b);
}

static const StageList touch_stages = {1, false, {"touch"}, {5}};

static const AggOps rows_ops = {
	.state_name = "attribution_agg state",
	.version = 1,
	.stages = &touch_stages,
	.params_size = sizeof(AttrSpec),
	.params_equal = rows_spec_equal,
	.params_copy = rows_spec_copy,
	.params_write = rows_spec_write,
	.params_read = rows_spec_read,
	.params_mismatch = rows_spec_mismatch,
};

/*
 * (occurred_at, channel, converted, revenue, model [, options]) or
 * (occurred_at, channel, converted, revenue, lead, opportunity, model, options)
 */
Datum
attribution_rows_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "attribution_agg");
	CustomerState *state = PG_ARGISNULL(0) ? NULL : (CustomerState *) PG_GETARG_POINTER(0);
	bool		milestones = PG_NARGS() == 9;
	int			model_arg = milestones ? 7 : 5;
	const AttrSpec *spec = arg_spec(fcinfo, model_arg, PG_NARGS() > 6 ? model_arg + 1 : -1, false);
	AggCache   *cache = agg_cache(fcinfo);
	bool		converts = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	uint64		mask = converts ? ATTR_CONVERTS : 0;
	int32		channel = -1;

	if (state == NULL)
		state = agg_state_create(fcinfo, aggcxt, &rows_ops, false, 0);
	if (!state->have_params && spec->kind == ATTR_W_SHAPED && !milestones)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the w_shaped model needs the lead and opportunity milestones"),
				 errhint("Call attribution_agg(occurred_at, channel, converted, revenue, lead, opportunity, 'w_shaped', options).")));
	agg_state_set_params(state, aggcxt, spec);

	/* no time: skipped; no channel: not a touch, but still a conversion */
	if (PG_ARGISNULL(1) || (PG_ARGISNULL(2) && !converts))
		PG_RETURN_POINTER(state);
	cj_check_time(PG_GETARG_TIMESTAMPTZ(1));
	if (!PG_ARGISNULL(2))
	{
		text	   *t = PG_GETARG_TEXT_PP(2);

		label_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), true);
		channel = labeldict_intern(cache->dict, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	if (milestones)
	{
		if (!PG_ARGISNULL(5) && PG_GETARG_BOOL(5))
			mask |= ATTR_LEAD;
		if (!PG_ARGISNULL(6) && PG_GETARG_BOOL(6))
			mask |= ATTR_OPP;
	}
	if (converts && !PG_ARGISNULL(4))
	{
		cj_check_value(PG_GETARG_DATUM(4));
		evbuf_append(state->buf, PG_GETARG_TIMESTAMPTZ(1), mask, 0, channel, -1,
					 PG_GETARG_DATUM(4), true);
	}
	else
		evbuf_append(state->buf, PG_GETARG_TIMESTAMPTZ(1), mask, 0, channel, -1,
					 (Datum) 0, false);
	PG_RETURN_POINTER(state);
}

Datum
attribution_rows_combine(PG_FUNCTION_ARGS)
{
	return agg_state_combine(fcinfo, &rows_ops);
}

Datum
attribution_rows_serialize(PG_FUNCTION_ARGS)
{
	return agg_state_serialize(fcinfo);
}

Datum
attribution_rows_deserialize(PG_FUNCTION_ARGS)
{
	return agg_state_deserialize(fcinfo, &rows_ops);
}

/*
 * Touches at one instant in channel label order, whatever their flags, so
 * passing milestones does not reorder simultaneous touches.
 */
static int
touch_cmp(const void *x, const void *y, void *arg)
{
	const LabelDict *dict = arg;
	const AttrTouch *a = x;
	const AttrTouch *b = y;
	int			c;

	CJ_SORT_TICK();
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	c = label_cmp(dict, a->channel, dict, b->channel);
	if (c != 0)
		return c;
	return (a->flags > b->flags) - (a->flags < b->flags);
}

/*
 * The attribution walk over one customer's records, rows and stored
 * journeys alike: mask bits are the AttrTouch flags, a converting record's
 * value is its revenue.  When the flags took part in the records' order (the
 * rows form), simultaneous touches are put back in channel label order.
 */
static void
walk_records(Attr *a, EventBuffer *b, bool flags_in_order)
{
	AttrTouch  *t;
	int32		i;
	bool		milestones = false;

	evbuf_sort(b);
	t = palloc(Max(b->n, 1) * sizeof(AttrTouch));
	for (i = 0; i < b->n; i++)
	{
		const CjEvent *e = &b->ev[i];

		CJ_CHECK_EVERY(i);
		t[i].ts = e->ts;
		t[i].channel = e->channel;
		t[i].flags = (uint8) (e->mask & (ATTR_CONVERTS | ATTR_LEAD | ATTR_OPP));
		t[i].revenue = (e->value >= 0 && (e->mask & ATTR_CONVERTS))
			? DatumGetFloat8(DirectFunctionCall1(numeric_float8, b->values[e->value])) : 0;
		milestones |= (e->mask & (ATTR_LEAD | ATTR_OPP)) != 0;
	}
	if (milestones && flags_in_order)
		qsort_arg(t, b->n, sizeof(AttrTouch), touch_cmp, b->dict);
	attr_walk(a, t, b->n);
	pfree(t);
}

Datum
attribution_rows_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState *state;
	Attr	   *a;

	(void) agg_context(fcinfo, "attribution_agg");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (CustomerState *) PG_GETARG_POINTER(0);
	if (!state->have_params)
		PG_RETURN_NULL();
	a = attr_create(CurrentMemoryContext, state->buf->dict);
	attr_set_spec(a, (AttrSpec *) AGG_PARAMS(state));
	walk_records(a, state->buf, true);
	PG_RETURN_BYTEA_P(attr_encode(a));
}

/* ---- Attr states: paths, journeys, rollup ---- */

static Attr *
state_arg(FunctionCallInfo fcinfo, MemoryContext aggcxt)
{
	if (!PG_ARGISNULL(0))
		return (Attr *) PG_GETARG_POINTER(0);
	return attr_create(aggcxt, agg_cache(fcinfo)->dict);
}

/* (path text[], conversions bigint, nulls bigint, revenue numeric, model [, options]) */
Datum
attribution_paths_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "attribution_agg");
	Attr	   *a = state_arg(fcinfo, aggcxt);
	const AttrSpec *spec = arg_spec(fcinfo, 5, PG_NARGS() > 6 ? 6 : -1, false);
	LabelDict  *dict = agg_cache(fcinfo)->dict;
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			nelems,
				i;
	int32	   *ch;
	int32		k = 0;
	int64		conv = PG_ARGISNULL(2) ? 0 : PG_GETARG_INT64(2);
	int64		nonconv = PG_ARGISNULL(3) ? 0 : PG_GETARG_INT64(3);
	double		revenue = 0;

	if (!a->have_spec && (spec->kind == ATTR_TIME_DECAY || spec->kind == ATTR_W_SHAPED ||
						  spec->lookback != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("attribution model %s needs touch times or milestones, which paths do not have",
						attr_kind_name(spec->kind)),
				 errhint("Aggregate the touch rows (occurred_at, channel, converted, revenue) per customer instead.")));
	attr_set_spec(a, spec);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(a);
	if (conv < 0 || nonconv < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("path conversion counts must not be negative")));
	if (conv == 0 && nonconv == 0)
		PG_RETURN_POINTER(a);
	if (conv > 0 && !PG_ARGISNULL(4))
	{
		cj_check_value(PG_GETARG_DATUM(4));
		revenue = DatumGetFloat8(DirectFunctionCall1(numeric_float8, PG_GETARG_DATUM(4)));
	}
	arr = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_ELEMTYPE(arr) != TEXTOID)
		elog(ERROR, "attribution_agg: path must be text[]");
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nelems);
	if (nelems > CJ_MAX_TOUCHES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a path holds at most %d touches; this one has %d", CJ_MAX_TOUCHES, nelems)));
	ch = palloc(Max(nelems, 1) * sizeof(int32));
	for (i = 0; i < nelems; i++)
	{
		text	   *t;

		if (nulls[i])
			continue;
		t = DatumGetTextPP(elems[i]);
		label_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), true);
		ch[k++] = labeldict_intern(dict, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	if (conv > 0)
		attr_credit(a, ch, NULL, NULL, k, 0, conv, revenue);
	if (nonconv > 0 && k > 0 && ATTR_DATA_DRIVEN(spec->kind))
		attr_add_path(a, ch, k, 0, nonconv, 0);
	PG_RETURN_POINTER(a);
}

/*
 * Credit one stored journey: its touches decoded in canonical order, with
 * channel labels in the state's dictionary, conversions marked by event
 * (step NULL) or by the touches that match the step (the journey step
 * syntax, matched on a second decode that interns nothing: both decodes
 * give the touches in stored order), W-shaped milestones where the journey
 * first climbs to the lead and opportunity stages; then the walk the rows
 * form takes, over the records the rows form would keep, so that one
 * instant's touches come in the same order (0.3.0; before, in stage order).
 */
static void
journey_credit(Attr *a, Datum journey, text *event, JourneySteps *step)
{
	const struct varlena *datum = PG_DETOAST_DATUM_PACKED(journey);
	JourneyView v;
	EventBuffer *b;
	EventBuffer *matched = NULL;
	const char *names[2] = {a->spec.lead_stage, a->spec.opp_stage};
	int			pos[2] = {-1, -1};
	bool		done[2] = {false, false};
	uint64		bit[2] = {ATTR_LEAD, ATTR_OPP};
	int			prev_stage = -1;
	int32		id = -1,
				i;
	int			m;

	jview_init(&v, datum, "journey");
	b = jview_to_buffer(&v, CurrentMemoryContext, a->dict, 0, v.ntouches);
	for (m = 0; m < 2; m++)
	{
		if (names[m] == NULL)
			continue;
		pos[m] = stagelist_find(b->stages, names[m], strlen(names[m]));
		if (pos[m] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("milestone stage \"%s\" is not in the journey's stage list", names[m])));
	}
	if (step != NULL)
	{
		matched = journey_steps_decode(step, datum, CurrentMemoryContext, NULL, 0);
		if (matched->n != b->n)
			elog(ERROR, "a journey decoded to %d and %d touches", b->n, matched->n);
	}
	else
		id = labeldict_intern(a->dict, VARDATA_ANY(event), VARSIZE_ANY_EXHDR(event));
	for (i = 0; i < b->n; i++)
	{
		CjEvent    *e = &b->ev[i];
		bool		converts = matched ? (matched->ev[i].mask & 1) != 0 : e->event == id;

		CJ_CHECK_EVERY(i);
		e->mask = converts ? ATTR_CONVERTS : 0;
		/* a milestone is the touch where the journey first reaches the stage */
		for (m = 0; m < 2; m++)
			if (pos[m] >= 0 && !done[m] && e->stage >= pos[m] && prev_stage < pos[m])
			{
				e->mask |= bit[m];
				done[m] = true;
			}
		prev_stage = e->stage;
	}
	/*
	 * Then the records the rows form keeps (no stage, no event), in its
	 * order: simultaneous touches by flags and channel, not by stage.
	 */
	for (i = 0; i < b->n; i++)
	{
		b->ev[i].stage = 0;
		b->ev[i].event = -1;
	}
	b->sorted = false;
	walk_records(a, b, true);
}

static text *
event_arg(FunctionCallInfo fcinfo, int arg)
{
	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("conversion event must not be NULL"),
				 errhint("Pass the event label that marks a conversion, such as 'purchase'.")));
	return PG_GETARG_TEXT_PP(arg);
}

/* (journey, conversion_event, model [, options]) */
Datum
attribution_journey_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "attribution_agg");
	Attr	   *a = state_arg(fcinfo, aggcxt);
	const AttrSpec *spec = arg_spec(fcinfo, 3, PG_NARGS() > 4 ? 4 : -1, true);
	text	   *event = event_arg(fcinfo, 2);

	attr_set_spec(a, spec);
	if (!PG_ARGISNULL(1))
		journey_credit(a, PG_GETARG_DATUM(1), event, NULL);
	PG_RETURN_POINTER(a);
}

/*
 * journey_attribution_agg(journey, step, model [, options]): attribution_agg
 * over journeys with the conversion given as a step (0.3.0).
 */
Datum
attribution_journey_step_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "journey_attribution_agg");
	Attr	   *a = state_arg(fcinfo, aggcxt);
	const AttrSpec *spec = arg_spec(fcinfo, 3, PG_NARGS() > 4 ? 4 : -1, true);
	AggCache   *cache = agg_cache(fcinfo);
	JourneySteps *step;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("conversion step must not be NULL"),
				 errhint("Pass a step that marks a conversion, such as 'event = purchase | event = demo_request'.")));
	if (cache->steps == NULL)
		cache->steps = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(JourneyStepsCache));
	step = journey_step_cached(cache->steps, fcinfo->flinfo->fn_mcxt, PG_GETARG_TEXT_PP(2),
							   "journey_attribution_agg");
	attr_set_spec(a, spec);
	if (!PG_ARGISNULL(1))
		journey_credit(a, PG_GETARG_DATUM(1), NULL, step);
	PG_RETURN_POINTER(a);
}

Datum
attribution_rollup_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "rollup");
	Attr	   *a = state_arg(fcinfo, aggcxt);

	if (!PG_ARGISNULL(1))
		attr_merge(a, decode_arg(fcinfo, 1, a->dict));
	PG_RETURN_POINTER(a);
}

Datum
attribution_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "attribution_agg");
	Attr	   *s1 = PG_ARGISNULL(0) ? NULL : (Attr *) PG_GETARG_POINTER(0);
	Attr	   *s2 = PG_ARGISNULL(1) ? NULL : (Attr *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
		PG_RETURN_POINTER(s1);
	if (s1 == NULL)
		s1 = attr_create(aggcxt, agg_cache(fcinfo)->dict);
	attr_merge(s1, s2);
	PG_RETURN_POINTER(s1);
}

Datum
attribution_serialize(PG_FUNCTION_ARGS)
{
	Attr	   *a = (Attr *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	(void) agg_context(fcinfo, "attribution_agg");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, a->have_spec ? 1 : 0);
	if (a->have_spec)
		attr_write(&buf, a, WIRE_INTERNAL);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
attribution_deserialize(PG_FUNCTION_ARGS)
{
	StringInfoData msg;
	WireReader	w;
	LabelDict  *dict = agg_cache(fcinfo)->dict;
	Attr	   *a;
	int			have;

	(void) agg_context(fcinfo, "attribution_agg");
	cj_bytea_message(PG_GETARG_BYTEA_PP(0), &msg);
	wire_reader_init(&w, &msg, "attribution_agg state");
	have = wire_byte(&w);
	if (have > 1)
		wire_error(&w, "Bad flag byte.");
	a = have ? attr_read(&w, CurrentMemoryContext, dict, WIRE_INTERNAL)
		: attr_create(CurrentMemoryContext, dict);
	wire_end(&w);
	PG_RETURN_POINTER(a);
}

Datum
attribution_finalfn(PG_FUNCTION_ARGS)
{
	Attr	   *a;

	(void) agg_context(fcinfo, "attribution_agg");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	a = (Attr *) PG_GETARG_POINTER(0);
	if (!a->have_spec)
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(attr_encode(a));
}

/* ---- reading a value ---- */

/*
 * One row per channel (channel, conversions, revenue) in label order, the
 * (none) bucket first; with removal, (channel, removal_effect) instead.
 */
typedef void (*CreditSink) (void *arg, const char *label, int len, double conv, double rev);

static void
walk_credits(const Attr *a, bool removal, CreditSink sink, void *arg)
{
	AttrCredits cr;
	int32	   *order;
	int32		i;
	int32		none_id = labeldict_intern(a->dict, NONE_LABEL, strlen(NONE_LABEL));
	bool		none_merged = false;

	if (ATTR_DATA_DRIVEN(a->spec.kind))
	{
		if (a->spec.kind == ATTR_MARKOV)
			attr_markov(a, &cr);
		else
			attr_shapley(a, &cr);
	}
	else
	{
		cr.n = a->chmap.n;
		cr.channel = a->chmap.ids;
		cr.conv = a->cconv;
		cr.rev = a->crev;
		cr.removal = NULL;
	}
	if (removal && cr.removal == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("removal effects belong to the markov model, not %s",
						attr_kind_name(a->spec.kind))));

	/* order[i]: index into cr, sorted by label */
	order = palloc(Max(cr.n, 1) * 2 * sizeof(int32));
	for (i = 0; i < cr.n; i++)
	{
		order[2 * i] = cr.channel[i];
		order[2 * i + 1] = i;
	}
	qsort_arg(order, cr.n, 2 * sizeof(int32), label_id_qsort_cmp, a->dict);
	for (i = -1; i < cr.n; i++)
	{
		int32		id,
					c;
		double		conv,
					rev;

		if (i < 0)
		{
			/* the (none) bucket, merged into a channel of that name if any */
			if (removal || a->none_conv == 0)
				continue;
			for (c = 0; c < cr.n && cr.channel[c] != none_id; c++)
				;
			if (c < cr.n)
				continue;
			id = none_id;
			conv = (double) a->none_conv;
			rev = a->none_rev;
		}
		else
		{
			c = order[2 * i + 1];
			id = cr.channel[c];
			conv = cr.conv[c];
			rev = cr.rev[c];
			if (id == none_id && !none_merged)
			{
				conv += (double) a->none_conv;
				rev += a->none_rev;
				none_merged = true;
			}
		}
		CJ_CHECK_EVERY(i + 1);
		if (removal)
			sink(arg, a->dict->str[id], a->dict->len[id], cr.removal[c], 0);
		else
			sink(arg, a->dict->str[id], a->dict->len[id], conv, rev);
	}
}

typedef struct RowSink
{
	Tuplestorestate *store;
	TupleDesc	tupdesc;
	bool		removal;
} RowSink;

static void
credit_row(void *arg, const char *label, int len, double conv, double rev)
{
	RowSink    *rs = arg;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	values[0] = PointerGetDatum(cstring_to_text_with_len(label, len));
	values[1] = Float8GetDatum(conv);
	values[2] = Float8GetDatum(rev);
	tuplestore_putvalues(rs->store, rs->tupdesc, values, nulls);
}

static void
emit_credits(FunctionCallInfo fcinfo, const Attr *a, bool removal)
{
	RowSink		rs;

	rs.store = cj_srf_begin(fcinfo, &rs.tupdesc);
	rs.removal = removal;
	walk_credits(a, removal, credit_row, &rs);
}

Datum
attribution_credits(PG_FUNCTION_ARGS)
{
	emit_credits(fcinfo, decode_arg(fcinfo, 0, NULL), false);
	return (Datum) 0;
}

Datum
attribution_removal_effects(PG_FUNCTION_ARGS)
{
	emit_credits(fcinfo, decode_arg(fcinfo, 0, NULL), true);
	return (Datum) 0;
}

/* journey_attribution(journey, conversion_event, model, options) */
Datum
journey_attribution(PG_FUNCTION_ARGS)
{
	Attr	   *a = attr_create(CurrentMemoryContext, labeldict_create(CurrentMemoryContext));
	AttrSpec	spec;

	attr_spec_parse(&spec, PG_GETARG_TEXT_PP(2), PG_GETARG_TEXT_PP(3), true);
	attr_set_spec(a, &spec);
	journey_credit(a, PG_GETARG_DATUM(0), PG_GETARG_TEXT_PP(1), NULL);
	emit_credits(fcinfo, a, false);
	return (Datum) 0;
}

Datum
attribution_conversions(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(decode_arg(fcinfo, 0, NULL)->conversions);
}

Datum
attribution_revenue(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(decode_arg(fcinfo, 0, NULL)->revenue);
}

Datum
attribution_model(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	initStringInfo(&buf);
	attr_spec_text(&buf, &decode_arg(fcinfo, 0, NULL)->spec);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/* attribution_paths(attribution): the paths of a data-driven state */
Datum
attribution_paths(PG_FUNCTION_ARGS)
{
	Attr	   *a = decode_arg(fcinfo, 0, NULL);
	TupleDesc	tupdesc;
	Tuplestorestate *store;
	int32		i,
				j;

	if (!ATTR_DATA_DRIVEN(a->spec.kind))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a %s attribution keeps credits, not paths", attr_kind_name(a->spec.kind)),
				 errhint("Only the markov and shapley models keep paths.")));
	store = cj_srf_begin(fcinfo, &tupdesc);
	for (i = 0; i < a->npaths; i++)
	{
		const AttrPath *p = a->paths[i];
		Datum	   *elems = palloc(p->len * sizeof(Datum));
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		for (j = 0; j < p->len; j++)
			elems[j] = PointerGetDatum(cstring_to_text_with_len(a->dict->str[p->ch[j]],
																a->dict->len[p->ch[j]]));
		values[0] = PointerGetDatum(construct_array(elems, p->len, TEXTOID, -1, false, TYPALIGN_INT));
		values[1] = Int64GetDatum(p->conv);
		values[2] = Int64GetDatum(p->nulls);
		values[3] = Float8GetDatum(p->revenue);
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	return (Datum) 0;
}

typedef struct JsonSink
{
	StringInfo	buf;
	bool		removal;
	int			n;
} JsonSink;

static void
credit_json(void *arg, const char *label, int len, double conv, double rev)
{
	JsonSink   *js = arg;

	appendStringInfoString(js->buf, js->n++ > 0 ? ", {\"channel\": " : "{\"channel\": ");
	cj_json_label(js->buf, label, len);
	if (js->removal)
	{
		appendStringInfoString(js->buf, ", \"removal_effect\": ");
		cj_json_double(js->buf, conv);
	}
	else
	{
		appendStringInfoString(js->buf, ", \"conversions\": ");
		cj_json_double(js->buf, conv);
		appendStringInfoString(js->buf, ", \"revenue\": ");
		cj_json_double(js->buf, rev);
	}
	appendStringInfoChar(js->buf, '}');
}

/*
 * attribution_to_jsonb(a): {"model", "conversions", "revenue", "credits":
 * [{"channel", "conversions", "revenue"}, ...]} (the rows of
 * attribution_credits), and for markov "removal_effects": [{"channel",
 * "removal_effect"}, ...].
 */
Datum
attribution_to_jsonb(PG_FUNCTION_ARGS)
{
	Attr	   *a = decode_arg(fcinfo, 0, NULL);
	StringInfoData buf,
				model;
	JsonSink	js;

	initStringInfo(&buf);
	initStringInfo(&model);
	attr_spec_text(&model, &a->spec);
	appendStringInfoString(&buf, "{\"model\": ");
	cj_json_label(&buf, model.data, model.len);
	appendStringInfo(&buf, ", \"conversions\": " INT64_FORMAT ", \"revenue\": ", a->conversions);
	cj_json_double(&buf, a->revenue);
	appendStringInfoString(&buf, ", \"credits\": [");
	js.buf = &buf;
	js.removal = false;
	js.n = 0;
	walk_credits(a, false, credit_json, &js);
	appendStringInfoChar(&buf, ']');
	if (a->spec.kind == ATTR_MARKOV)
	{
		appendStringInfoString(&buf, ", \"removal_effects\": [");
		js.removal = true;
		js.n = 0;
		walk_credits(a, true, credit_json, &js);
		appendStringInfoChar(&buf, ']');
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_DATUM(cj_jsonb_of(&buf));
}
