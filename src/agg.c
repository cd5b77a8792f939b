/*-------------------------------------------------------------------------
 *
 * agg.c
 *		Per-customer aggregate states: the query cache, and the combine,
 *		serialize and deserialize that every such aggregate shares.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "agg.h"

#include "libpq/pqformat.h"
#include "nodes/execnodes.h"

/* The aggregate's memory context; an error outside an aggregate. */
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

/* The query's cache in fn_extra, made on first use. */
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

/*
 * A zeroed state in mcxt, its event buffer (unless packed) set up empty in
 * the same chunk, after the parameters: one allocation per customer, not
 * two, since a large GROUP BY keeps one state per customer and each chunk
 * is a cache miss per row.
 */
static CustomerState *
state_alloc(MemoryContext mcxt, const AggOps *ops, bool packed, LabelDict *dict)
{
	Size		bufoff = CUSTOMER_STATE_HEADER + MAXALIGN(ops->params_size);
	CustomerState *s;

	s = MemoryContextAllocZero(mcxt, bufoff + (packed ? 0 : sizeof(EventBuffer)));
	s->ops = ops;
	s->packed = packed;
	if (!packed)
	{
		s->buf = (EventBuffer *) ((char *) s + bufoff);
		evbuf_init(s->buf, mcxt, ops->stages, dict);
	}
	return s;
}

/*
 * An empty state in mcxt: packed touch times with room for cap rows, or an
 * event buffer with the analysis's stage list and the query's dictionary.
 */
CustomerState *
agg_state_create(FunctionCallInfo fcinfo, MemoryContext mcxt, const AggOps *ops,
				 bool packed, int32 cap)
{
	CustomerState *s = state_alloc(mcxt, ops, packed, agg_cache(fcinfo)->dict);

	s->have_params = (ops->params_size == 0);
	if (packed)
		touchtimes_init(&s->times, mcxt, cap);
	return s;
}

/* The state argument of a transition function, created on the first row. */
CustomerState *
agg_state_arg(FunctionCallInfo fcinfo, const AggOps *ops, bool packed)
{
	MemoryContext aggcxt = agg_context(fcinfo, ops->state_name);

	if (!PG_ARGISNULL(0))
		return (CustomerState *) PG_GETARG_POINTER(0);
	return agg_state_create(fcinfo, aggcxt, ops, packed, 0);
}

/* agg_state_set_params when the parameters differ from the state's bytes */
void
agg_state_set_params_slow(CustomerState *s, MemoryContext mcxt, const void *params)
{
	const AggOps *ops = s->ops;

	if (ops->params_size == 0)
		return;
	if (!s->have_params)
	{
		if (ops->params_copy)
			ops->params_copy(mcxt, AGG_PARAMS(s), params);
		else
			memcpy(AGG_PARAMS(s), params, ops->params_size);
		s->have_params = true;
	}
	else if (params != AGG_PARAMS(s) && !ops->params_equal(AGG_PARAMS(s), params))
		ops->params_mismatch(AGG_PARAMS(s), params);
}

/*
 * The state a final function reads, or NULL when there is none, it has no
 * parameters or it holds no record.
 */
CustomerState *
agg_state_final(FunctionCallInfo fcinfo, const char *fn)
{
	CustomerState   *s;

	(void) agg_context(fcinfo, fn);
	if (PG_ARGISNULL(0))
		return NULL;
	s = (CustomerState *) PG_GETARG_POINTER(0);
	if (!s->have_params || AGG_NRECORDS(s) == 0)
		return NULL;
	return s;
}

/*
 * A deserialized state's memory in its context, once combine has merged it
 * into another state (which copied everything it needs).
 */
static void
state_free_wire(CustomerState *s)
{
	if (s->packed)
	{
		if (s->times.touch != NULL)
			pfree(s->times.touch);
	}
	else
		evbuf_free_records(s->buf);
	pfree(s);
}

/*
 * Make a deserialized state a group's own, in place: what it points to
 * outside its chunk and records (the parameters' strings, a stage list of
 * its own) was read into short-lived memory.
 */
static CustomerState *
state_adopt(FunctionCallInfo fcinfo, MemoryContext aggcxt, CustomerState *s)
{
	const AggOps *ops = s->ops;

	s->wire_cxt = NULL;
	if (s->have_params && ops->params_copy != NULL)
	{
		void	   *tmp = palloc(ops->params_size);

		memcpy(tmp, AGG_PARAMS(s), ops->params_size);
		ops->params_copy(aggcxt, AGG_PARAMS(s), tmp);
		pfree(tmp);
	}
	if (!s->packed && ops->stages == NULL && s->buf->stages != NULL)
		s->buf->stages = agg_intern_stages(fcinfo, agg_cache(fcinfo), s->buf->stages);
	return s;
}

/*
 * Merge two partial states of one group.  A group's first state is the
 * second argument itself when deserialize read it into this aggregate
 * context (the leader of a parallel plan: no copy of every customer's
 * records), else a deep copy; a deserialized state merged into another is
 * freed.
 */
Datum
agg_state_combine(FunctionCallInfo fcinfo, const AggOps *ops)
{
	MemoryContext aggcxt = agg_context(fcinfo, ops->state_name);
	CustomerState   *s1 = PG_ARGISNULL(0) ? NULL : (CustomerState *) PG_GETARG_POINTER(0);
	CustomerState   *s2 = PG_ARGISNULL(1) ? NULL : (CustomerState *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		if (s2->wire_cxt == aggcxt)
			PG_RETURN_POINTER(state_adopt(fcinfo, aggcxt, s2));
		s1 = agg_state_create(fcinfo, aggcxt, ops, s2->packed,
							  s2->packed ? s2->times.n : 0);

		/*
		 * Take the labels of the deserialize function's dictionary, which
		 * lives as long as the query like every dictionary, so that merging
		 * this group's further states copies label ids instead of interning
		 * every label a second time (a third of the leader's combine work).
		 */
		if (!s1->packed)
			s1->buf->dict = s2->buf->dict;
	}
	else if (s1->packed != s2->packed)
		elog(ERROR, "%s: states of different kinds cannot be combined", ops->state_name);
	if (s2->have_params)
		agg_state_set_params(s1, aggcxt, AGG_PARAMS(s2));

	if (s1->packed)
		touchtimes_merge(&s1->times, &s2->times);
	else
	{
		/* records that take their stage list from the rows must share one */
		if (s2->buf->n > 0 && ops->stages == NULL)
		{
			if (s1->buf->stages == NULL || s1->buf->n == 0)
				s1->buf->stages = agg_intern_stages(fcinfo, agg_cache(fcinfo), s2->buf->stages);
			else if (!stagelist_equal(s1->buf->stages, s2->buf->stages))
				stage_list_mismatch("partial states of one group", s1->buf->stages,
									s2->buf->stages);
		}
		evbuf_merge(s1->buf, s2->buf);
	}
	if (s2->wire_cxt != NULL)
		state_free_wire(s2);
	PG_RETURN_POINTER(s1);
}

/* The state as bytes, for parallel workers. */
Datum
agg_state_serialize(FunctionCallInfo fcinfo)
{
	CustomerState   *s = (CustomerState *) PG_GETARG_POINTER(0);
	const AggOps *ops = s->ops;
	StringInfoData buf;
	uint8		flags = s->packed ? 0 : AGG_WIRE_EVENTS;

	(void) agg_context(fcinfo, ops->state_name);
	if (!s->have_params)
		flags |= AGG_WIRE_NO_PARAMS;
	else if (ops->params_flags)
		flags |= ops->params_flags(AGG_PARAMS(s)) & ops->param_bits;
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, ops->version);
	pq_sendbyte(&buf, flags);
	if (s->have_params && ops->params_size > 0)
		ops->params_write(&buf, AGG_PARAMS(s));
	if (s->packed)
		touchtimes_write(&buf, &s->times);
	else
		evbuf_write_state(&buf, s->buf, ops->stages);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * Bytes to a state, every field checked; labels go to this function's
 * per-query dictionary.  The state's chunk and records are read into the
 * aggregate context, where combine can adopt them as they are; the rest
 * (parameters' strings, a stage list of its own) into the current,
 * short-lived one, which combine copies what it keeps from.
 *
 * Not so once a hashed aggregate has spilled: the executor deserializes
 * every input before it looks at the group, and a tuple whose group went to
 * disk is never combined, so a state read into the aggregate context would
 * stay there for the rest of the batch.  Then everything is read into the
 * short-lived context, reset with the tuple, and combine copies.
 */
Datum
agg_state_deserialize(FunctionCallInfo fcinfo, const AggOps *ops)
{
	MemoryContext aggcxt = agg_context(fcinfo, ops->state_name);
	MemoryContext readcxt = aggcxt;
	StringInfoData msg;
	WireReader	w;
	CustomerState   *s;
	uint8		flags;

	cj_bytea_message(PG_GETARG_BYTEA_PP(0), &msg);
	wire_reader_init(&w, &msg, ops->state_name);
	wire_version(&w, ops->version);
	flags = wire_byte(&w);
	if ((flags & ~(AGG_WIRE_EVENTS | AGG_WIRE_NO_PARAMS | ops->param_bits)) != 0)
		wire_error(&w, "Unknown flag bits.");
	if ((flags & AGG_WIRE_NO_PARAMS) && ((flags & ops->param_bits) || ops->params_size == 0))
		wire_error(&w, "Parameter flags without parameters.");

	if (fcinfo->context != NULL && IsA(fcinfo->context, AggState) &&
		((AggState *) fcinfo->context)->hash_spill_mode)
		readcxt = CurrentMemoryContext;
	s = state_alloc(readcxt, ops, (flags & AGG_WIRE_EVENTS) == 0, agg_cache(fcinfo)->dict);
	s->wire_cxt = readcxt;
	s->have_params = (flags & AGG_WIRE_NO_PARAMS) == 0;
	if (s->have_params && ops->params_size > 0)
		ops->params_read(&w, flags, AGG_PARAMS(s));

	if (s->packed)
		touchtimes_read(&w, &s->times, readcxt);
	else
	{
		EventBuffer *b = s->buf;
		int32		i;

		evbuf_read_state(&w, b, ops->stages, (flags & ops->int_time_bit) != 0);
		if (ops->stages != NULL)
		{
			if (b->stages != NULL && !stagelist_equal(b->stages, ops->stages))
				wire_error(&w, "The stage list is not the analysis's.");
			b->stages = ops->stages;
		}
		if (ops->check_record)
			for (i = 0; i < b->n; i++)
			{
				CJ_CHECK_EVERY(i);
				ops->check_record(&w, AGG_PARAMS(s), &b->ev[i], i);
			}
	}
	if (!s->have_params && AGG_NRECORDS(s) > 0)
		wire_error(&w, "Records without parameters.");
	wire_end(&w);
	PG_RETURN_POINTER(s);
}
