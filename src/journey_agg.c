/*-------------------------------------------------------------------------
 *
 * journey_agg.c
 *		journey_agg: build one customer's journey from rows.
 *
 * The state is the shared per-customer state (agg.h) with an EventBuffer of
 * the rows; labels go to a dictionary kept per query in fn_extra, so a
 * state is only its records.  Records are sorted in the final function, so
 * neither input order nor the split among parallel workers changes the
 * result.  stage_time_agg and rollup(stage_time) share this state.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "agg.h"
#include "event_buffer.h"
#include "journey_format.h"
#include "stage.h"

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(journey_agg_transfn);
PG_FUNCTION_INFO_V1(journey_agg_touchpoint_transfn);
PG_FUNCTION_INFO_V1(journey_agg_combine);
PG_FUNCTION_INFO_V1(journey_agg_serialize);
PG_FUNCTION_INFO_V1(journey_agg_deserialize);
PG_FUNCTION_INFO_V1(journey_agg_finalfn);

#define STATE_NAME "journey_agg state"

/*
 * journey_agg keeps rows as they are: no parameters, stages from the rows.
 * stage_time_agg and rollup(stage_time) keep the same state.
 */
const AggOps journey_agg_ops = {
	.state_name = STATE_NAME,
	.version = 1,
	.stages = NULL,
};

static int32
intern_text_arg(FunctionCallInfo fcinfo, LabelDict *dict, int argno)
{
	text	   *t;

	if (PG_ARGISNULL(argno))
		return -1;
	t = PG_GETARG_TEXT_PP(argno);
	label_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), true);
	return labeldict_intern(dict, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

/*
 * journey_agg(occurred_at, stage, channel, event): add one row.  Also the
 * transition function of stage_time_agg(occurred_at, stage), which passes
 * no labels, and (0.2.0) of the text-stage forms, whose last argument is
 * the stage list (stage_text.c): journey_agg(occurred_at, stage text,
 * channel, event, stages) and stage_time_agg(occurred_at, stage text,
 * stages).
 */
Datum
journey_agg_transfn(PG_FUNCTION_ARGS)
{
	CustomerState   *state;
	AggCache   *cache;
	const StageList *stages;
	TimestampTz ts;
	int			ordinal;
	int			nlabels;
	bool		text_stage;

	/* rows without a time or a stage are skipped */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		(void) agg_context(fcinfo, STATE_NAME);
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	cache = agg_cache(fcinfo);
	text_stage = cache->tmap != NULL ||
		get_fn_expr_argtype(fcinfo->flinfo, 2) == TEXTOID;
	if (text_stage)
	{
		TextStageMap *m = text_stage_map(fcinfo, PG_NARGS() - 1, &cache->tmap);
		text	   *label = PG_GETARG_TEXT_PP(2);

		ordinal = text_stage_ordinal(m, VARDATA_ANY(label), VARSIZE_ANY_EXHDR(label));
		if (ordinal < 0)
		{
			/* unknown=skip or unknown=null: the row is left out */
			if (PG_ARGISNULL(0))
				PG_RETURN_NULL();
			PG_RETURN_POINTER(PG_GETARG_POINTER(0));
		}
		stages = m->stages;
		nlabels = PG_NARGS() - 4;
	}
	else
	{
		EnumStageMap *map = enum_stage_map(fcinfo, 2, &cache->map);

		ordinal = enum_stage_ordinal(map, PG_GETARG_OID(2));
		stages = map->stages;
		nlabels = PG_NARGS() - 3;
	}
	state = agg_state_arg(fcinfo, &journey_agg_ops, false);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	cj_check_time(ts);
	if (state->buf->stages == NULL)
		state->buf->stages = stages->is_default ? stagelist_default() : stages;
	else if (unlikely(state->buf->stages != stages) &&
			 !(state->buf->stages->is_default && stages->is_default) &&
			 !stagelist_equal(state->buf->stages, stages))
		stage_list_mismatch("rows of one group", state->buf->stages, stages);
	evbuf_append(state->buf, ts, 0, ordinal,
				 nlabels > 0 ? intern_text_arg(fcinfo, cache->dict, 3) : -1,
				 nlabels > 1 ? intern_text_arg(fcinfo, cache->dict, 4) : -1,
				 (Datum) 0, false);
	PG_RETURN_POINTER(state);
}

/* journey_agg(touchpoint): add one touchpoint; NULLs are skipped */
Datum
journey_agg_touchpoint_transfn(PG_FUNCTION_ARGS)
{
	CustomerState   *state;
	EventBuffer *b;
	AggCache   *cache;
	JourneyView v;
	JTouch		t;

	if (PG_ARGISNULL(1))
	{
		(void) agg_context(fcinfo, STATE_NAME);
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	state = agg_state_arg(fcinfo, &journey_agg_ops, false);
	b = state->buf;
	cache = agg_cache(fcinfo);
	jview_init(&v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1)), "touchpoint");
	if (v.ntouches != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt touchpoint value")));
	if (b->stages == NULL)
		b->stages = agg_intern_stages(fcinfo, cache, &v.stages);
	else if (!(b->stages->is_default && v.stages.is_default) &&
			 !stagelist_equal(b->stages, &v.stages))
		stage_list_mismatch("touchpoints of one journey", b->stages, &v.stages);
	jview_touch(&v, 0, &t);
	evbuf_append(b, t.ts, 0, t.stage,
				 t.channel < 0 ? -1 : labeldict_intern(cache->dict, v.label[t.channel],
													   v.label_len[t.channel]),
				 t.event < 0 ? -1 : labeldict_intern(cache->dict, v.label[t.event],
													 v.label_len[t.event]),
				 t.value >= 0 ? jview_value(&v, t.value) : (Datum) 0,
				 t.value >= 0);
	PG_RETURN_POINTER(state);
}

/* merge two partial states */
Datum
journey_agg_combine(PG_FUNCTION_ARGS)
{
	return agg_state_combine(fcinfo, &journey_agg_ops);
}

/* state to bytea, for parallel workers */
Datum
journey_agg_serialize(PG_FUNCTION_ARGS)
{
	return agg_state_serialize(fcinfo);
}

/* bytea to state; labels go to this function's per-query dictionary */
Datum
journey_agg_deserialize(PG_FUNCTION_ARGS)
{
	return agg_state_deserialize(fcinfo, &journey_agg_ops);
}

/*
 * The journey; NULL when no row had a time and a stage.  Sorting the
 * records in place leaves the state valid for more rows and later calls.
 */
Datum
journey_agg_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState   *state = agg_state_final(fcinfo, "journey_agg_finalfn");

	if (state == NULL || state->buf->stages == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(journey_encode(state->buf));
}
