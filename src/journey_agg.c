/*-------------------------------------------------------------------------
 *
 * journey_agg.c
 *		journey_agg: build one customer's journey from rows.
 *
 * The state is an EventBuffer allocated in the aggregate context; labels go
 * to a dictionary kept per query in fn_extra, so a state is only its
 * records.  Records are sorted in the final function, so neither input
 * order nor the split among parallel workers changes the result.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "event_buffer.h"
#include "journey_format.h"
#include "journey_agg.h"
#include "stage.h"

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

MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", fn)));
	return aggcxt;
}

AggCache *
agg_cache(FunctionCallInfo fcinfo)
{
	AggCache   *cache = fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(AggCache));
		cache->dict = labeldict_create(fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

/*
 * A copy of sl that lives as long as the query, shared by all states with
 * an equal list; states must not point into short-lived memory.
 */
const StageList *
agg_intern_stages(FunctionCallInfo fcinfo, AggCache *cache, const StageList *sl)
{
	int			i;

	if (sl->is_default)
		return stagelist_default();
	for (i = 0; i < cache->nlists; i++)
		if (cache->lists[i] == sl || stagelist_equal(cache->lists[i], sl))
			return cache->lists[i];
	if (cache->nlists == cache->listcap)
	{
		cache->listcap = Max(8, cache->listcap * 2);
		if (cache->lists == NULL)
			cache->lists = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
											  cache->listcap * sizeof(StageList *));
		else
			cache->lists = repalloc(cache->lists, cache->listcap * sizeof(StageList *));
	}
	cache->lists[cache->nlists] = stagelist_copy(fcinfo->flinfo->fn_mcxt, sl);
	return cache->lists[cache->nlists++];
}

/* Error for values of different stage lists in one group ("what" names them). */
void
stage_list_mismatch(const char *what, const StageList *a, const StageList *b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must share a stage list", what),
			 errdetail("The stage lists are: %s, and: %s.",
					   stagelist_describe(a), stagelist_describe(b)),
			 errhint("Build each group from values of one stage enum.")));
}

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
 * no labels.
 */
Datum
journey_agg_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "journey_agg_transfn");
	EventBuffer *state = PG_ARGISNULL(0) ? NULL : (EventBuffer *) PG_GETARG_POINTER(0);
	AggCache   *cache;
	EnumStageMap *map;
	TimestampTz ts;

	/* rows without a time or a stage are skipped */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	cache = agg_cache(fcinfo);
	map = enum_stage_map(fcinfo, 2, &cache->map);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	cj_check_time(ts);
	if (state == NULL)
		state = evbuf_create(aggcxt, map->stages->is_default ? stagelist_default() : map->stages,
							 cache->dict);
	evbuf_append(state, ts, 0, enum_stage_ordinal(map, PG_GETARG_OID(2)),
				 PG_NARGS() > 3 ? intern_text_arg(fcinfo, cache->dict, 3) : -1,
				 PG_NARGS() > 4 ? intern_text_arg(fcinfo, cache->dict, 4) : -1,
				 (Datum) 0, false);
	PG_RETURN_POINTER(state);
}

/* journey_agg(touchpoint): add one touchpoint; NULLs are skipped */
Datum
journey_agg_touchpoint_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "journey_agg_touchpoint_transfn");
	EventBuffer *state = PG_ARGISNULL(0) ? NULL : (EventBuffer *) PG_GETARG_POINTER(0);
	AggCache   *cache;
	JourneyView v;
	JTouch		t;

	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	cache = agg_cache(fcinfo);
	jview_init(&v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1)), "touchpoint");
	if (v.ntouches != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt touchpoint value")));
	if (state == NULL)
		state = evbuf_create(aggcxt, agg_intern_stages(fcinfo, cache, &v.stages),
							 cache->dict);
	else if (!(state->stages->is_default && v.stages.is_default) &&
			 !stagelist_equal(state->stages, &v.stages))
		stage_list_mismatch("touchpoints of one journey", state->stages, &v.stages);
	jview_touch(&v, 0, &t);
	evbuf_append(state, t.ts, 0, t.stage,
				 t.channel < 0 ? -1 : labeldict_intern(cache->dict, v.label[t.channel],
													   v.label_len[t.channel]),
				 t.event < 0 ? -1 : labeldict_intern(cache->dict, v.label[t.event],
													 v.label_len[t.event]),
				 t.value >= 0 ? jview_value(&v, t.value) : (Datum) 0,
				 t.value >= 0);
	PG_RETURN_POINTER(state);
}

/*
 * Merge two partial states.  A state adopted from the second argument is
 * deep-copied into the aggregate context, with its stage list interned.
 */
Datum
journey_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "journey_agg_combine");
	EventBuffer *s1 = PG_ARGISNULL(0) ? NULL : (EventBuffer *) PG_GETARG_POINTER(0);
	EventBuffer *s2 = PG_ARGISNULL(1) ? NULL : (EventBuffer *) PG_GETARG_POINTER(1);
	AggCache   *cache;

	if (s2 == NULL || s2->n == 0)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	cache = agg_cache(fcinfo);
	if (s1 == NULL)
	{
		s1 = evbuf_create(aggcxt, agg_intern_stages(fcinfo, cache, s2->stages), cache->dict);
		evbuf_merge(s1, s2);
		PG_RETURN_POINTER(s1);
	}
	if (s1->stages == NULL || s1->n == 0)
		s1->stages = agg_intern_stages(fcinfo, cache, s2->stages);
	else if (!stagelist_equal(s1->stages, s2->stages))
		stage_list_mismatch("partial states of one group", s1->stages, s2->stages);
	evbuf_merge(s1, s2);
	PG_RETURN_POINTER(s1);
}

/* state to bytea, for parallel workers */
Datum
journey_agg_serialize(PG_FUNCTION_ARGS)
{
	EventBuffer *state = (EventBuffer *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	(void) agg_context(fcinfo, "journey_agg_serialize");
	pq_begintypsend(&buf);
	evbuf_write(&buf, state, EVBUF_WIRE_INTERNAL);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* bytea to state; labels go to this function's per-query dictionary */
Datum
journey_agg_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	AggCache   *cache;
	StringInfoData msg;
	EventBuffer *state;

	(void) agg_context(fcinfo, "journey_agg_deserialize");
	cache = agg_cache(fcinfo);
	cj_bytea_message(data, &msg);
	state = evbuf_read(&msg, CurrentMemoryContext, cache->dict,
					   EVBUF_WIRE_INTERNAL, STATE_NAME);
	if (msg.cursor != msg.len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary representation of type %s", STATE_NAME),
				 errdetail("The value has trailing bytes.")));
	PG_RETURN_POINTER(state);
}

/*
 * The journey; NULL when no row had a time and a stage.  Sorting the
 * records in place leaves the state valid for more rows and later calls.
 */
Datum
journey_agg_finalfn(PG_FUNCTION_ARGS)
{
	EventBuffer *state;

	(void) agg_context(fcinfo, "journey_agg_finalfn");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (EventBuffer *) PG_GETARG_POINTER(0);
	if (state->n == 0 || state->stages == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(journey_encode(state));
}
