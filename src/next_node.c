/*-------------------------------------------------------------------------
 *
 * next_node.c
 *		sequence_next_node (ClickHouse sequenceNextNode) over rows, and
 *		journey_next_node over a stored journey.
 *
 * The aggregate state is the shared per-customer state (agg.h): one record
 * per row whose time and value are not NULL, with the value as a label
 * (event field), the base condition as the stage (0 or 1) and the events
 * as the mask; NULL conditions are false.  The parameters (direction,
 * base, number of events, time type) must be the same in every row.
 *
 * The final function sorts the rows by time, then value bytes (memcmp,
 * then the shorter first, as ClickHouse), then base condition true first,
 * then the event vector true first at the first event where they differ,
 * and applies ClickHouse's rules: the base row is the first row (head),
 * the last row (tail), or the first / last row where the base condition
 * and event 1 hold (first_match, last_match), with no retry at another
 * base; from it, strictly consecutive rows must satisfy events 1..k
 * (forward: base, base+1, ...; backward: base, base-1, ...), and the
 * result is the value of the row after (before) them.  Unlike ClickHouse
 * the full 64-bit time is used (ClickHouse truncates UInt64 to 32 bits).
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "agg.h"
#include "event_buffer.h"
#include "journey_format.h"
#include "journey_step.h"
#include "labels.h"
#include "sequence_match.h"

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(sequence_next_node_transfn);
PG_FUNCTION_INFO_V1(sequence_next_node_combine);
PG_FUNCTION_INFO_V1(sequence_next_node_serialize);
PG_FUNCTION_INFO_V1(sequence_next_node_deserialize);
PG_FUNCTION_INFO_V1(sequence_next_node_finalfn);
PG_FUNCTION_INFO_V1(journey_next_node);

#define NEXT_NODE_STATE_VERSION	1
#define NEXT_NODE_WIRE_BIGINT	0x02

#define MAX_NEXT_EVENTS			64

typedef enum NodeDirection
{
	DIR_FORWARD,
	DIR_BACKWARD
} NodeDirection;

typedef enum NodeBase
{
	BASE_HEAD,
	BASE_TAIL,
	BASE_FIRST_MATCH,
	BASE_LAST_MATCH
} NodeBase;

typedef struct NodeParams
{
	int8		direction;
	int8		base;
	int16		nevents;
	bool		bigint_time;
} NodeParams;

/* stage 0: a row, 1: a row where the base condition holds */
static const StageList node_stages = {2, false, {"row", "base"}, {3, 4}};

static bool
node_params_equal(const void *a, const void *b)
{
	const NodeParams *x = a;
	const NodeParams *y = b;

	return x->direction == y->direction && x->base == y->base && x->nevents == y->nevents &&
		x->bigint_time == y->bigint_time;
}

static uint8
node_params_flags(const void *p)
{
	return ((const NodeParams *) p)->bigint_time ? NEXT_NODE_WIRE_BIGINT : 0;
}

static void
node_params_write(StringInfo buf, const void *p)
{
	const NodeParams *s = p;

	pq_sendbyte(buf, (uint8) s->direction);
	pq_sendbyte(buf, (uint8) s->base);
	pq_sendint16(buf, s->nevents);
}

static void
node_params_read(WireReader *w, uint8 flags, void *p)
{
	NodeParams *s = p;
	int			dir = wire_byte(w);
	int			base = wire_byte(w);
	int			nevents = wire_int16(w);

	if (dir > DIR_BACKWARD || base > BASE_LAST_MATCH || nevents < 0 ||
		nevents > MAX_NEXT_EVENTS ||
		(dir == DIR_FORWARD && base == BASE_TAIL) ||
		(dir == DIR_BACKWARD && base == BASE_HEAD) ||
		(base >= BASE_FIRST_MATCH && nevents == 0))
		wire_error(w, "The sequence_next_node parameters are invalid.");
	s->direction = (int8) dir;
	s->base = (int8) base;
	s->nevents = (int16) nevents;
	s->bigint_time = (flags & NEXT_NODE_WIRE_BIGINT) != 0;
}

pg_attribute_noreturn()
static void
node_params_mismatch(const void *a, const void *b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("sequence_next_node direction, base and number of events must be the same for every row"),
			 errhint("Pass constants for the direction and the base.")));
}

static void
node_check_record(WireReader *w, const void *params, const CjEvent *e, int32 i)
{
	int			nevents = ((const NodeParams *) params)->nevents;

	if ((nevents < 64 && (e->mask >> nevents) != 0) || e->stage < 0 || e->stage > 1 ||
		e->channel != -1 || e->event < 0 || e->value != -1)
		wire_error(w, psprintf("Row %d has fields a sequence_next_node state does not use.", i + 1));
}

static const AggOps node_ops = {
	.state_name = "sequence_next_node state",
	.version = NEXT_NODE_STATE_VERSION,
	.stages = &node_stages,
	.params_size = sizeof(NodeParams),
	.param_bits = NEXT_NODE_WIRE_BIGINT,
	.params_equal = node_params_equal,
	.params_flags = node_params_flags,
	.params_write = node_params_write,
	.params_read = node_params_read,
	.params_mismatch = node_params_mismatch,
	.int_time_bit = NEXT_NODE_WIRE_BIGINT,
	.check_record = node_check_record,
};

/* direction and base from text; 22023 naming the value and the valid ones */
static void
parse_direction_base(const char *fn, text *dir_t, text *base_t, int nevents, NodeParams *p)
{
	char	   *dir = dir_t ? text_to_cstring(dir_t) : NULL;
	char	   *base = base_t ? text_to_cstring(base_t) : NULL;

	if (dir != NULL && pg_strcasecmp(dir, "forward") == 0)
		p->direction = DIR_FORWARD;
	else if (dir != NULL && pg_strcasecmp(dir, "backward") == 0)
		p->direction = DIR_BACKWARD;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 dir ? errmsg("%s direction \"%s\" is not valid", fn, dir)
				 : errmsg("%s direction must not be NULL", fn),
				 errhint("Valid directions are 'forward' and 'backward'.")));
	if (base != NULL && pg_strcasecmp(base, "head") == 0)
		p->base = BASE_HEAD;
	else if (base != NULL && pg_strcasecmp(base, "tail") == 0)
		p->base = BASE_TAIL;
	else if (base != NULL && pg_strcasecmp(base, "first_match") == 0)
		p->base = BASE_FIRST_MATCH;
	else if (base != NULL && pg_strcasecmp(base, "last_match") == 0)
		p->base = BASE_LAST_MATCH;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 base ? errmsg("%s base \"%s\" is not valid", fn, base)
				 : errmsg("%s base must not be NULL", fn),
				 errhint("Valid bases are 'head', 'tail', 'first_match' and 'last_match'.")));
	if ((p->direction == DIR_FORWARD && p->base == BASE_TAIL) ||
		(p->direction == DIR_BACKWARD && p->base == BASE_HEAD))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s base \"%s\" cannot be combined with direction \"%s\"", fn, base, dir),
				 errhint("Use 'head' with 'forward' and 'tail' with 'backward'; 'first_match' and 'last_match' go with either.")));
	if (p->base >= BASE_FIRST_MATCH && nevents == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s base \"%s\" needs at least one event", fn, base),
				 errhint("The base row is the first (last) row where the base condition and event 1 hold; pass event 1.")));
	p->nevents = (int16) nevents;
}

/*
 * sequence_next_node(direction, base, occurred_at, value, base_condition
 * [, VARIADIC events]): add one row.
 */
Datum
sequence_next_node_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "sequence_next_node_transfn");
	CustomerState *state;
	NodeParams	params = {0};
	uint64		mask = 0;
	int			nevents = 0;
	text	   *value;
	int64		ts;
	int32		id;

	if (PG_NARGS() > 6 && !PG_ARGISNULL(6))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(6);

		if (ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)) > 0)
			mask = cj_bool_array_mask(arr, MAX_NEXT_EVENTS, &nevents,
									  "sequence_next_node", "event");
	}
	parse_direction_base("sequence_next_node", PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1),
						 PG_ARGISNULL(2) ? NULL : PG_GETARG_TEXT_PP(2), nevents, &params);
	params.bigint_time = get_fn_expr_argtype(fcinfo->flinfo, 3) == INT8OID;
	state = agg_state_arg(fcinfo, &node_ops, false);
	agg_state_set_params(state, aggcxt, &params);
	if (PG_ARGISNULL(3) || PG_ARGISNULL(4))
		PG_RETURN_POINTER(state);
	ts = params.bigint_time ? PG_GETARG_INT64(3) : PG_GETARG_TIMESTAMPTZ(3);
	if (!params.bigint_time)
		cj_check_time(ts);
	value = PG_GETARG_TEXT_PP(4);
	label_check(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), true);
	id = labeldict_intern(state->buf->dict, VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
	evbuf_append(state->buf, ts, mask, (!PG_ARGISNULL(5) && PG_GETARG_BOOL(5)) ? 1 : 0,
				 -1, id, (Datum) 0, false);
	PG_RETURN_POINTER(state);
}

Datum
sequence_next_node_combine(PG_FUNCTION_ARGS)
{
	return agg_state_combine(fcinfo, &node_ops);
}

Datum
sequence_next_node_serialize(PG_FUNCTION_ARGS)
{
	return agg_state_serialize(fcinfo);
}

Datum
sequence_next_node_deserialize(PG_FUNCTION_ARGS)
{
	return agg_state_deserialize(fcinfo, &node_ops);
}

/* One row: its time, value, base flag and events. */
typedef struct NodeRow
{
	int64		ts;
	const char *value;
	int32		len;
	bool		base;
	uint64		mask;
} NodeRow;

static int
node_row_cmp(const void *x, const void *y)
{
	const NodeRow *a = x;
	const NodeRow *b = y;
	int			c;

	CJ_SORT_TICK();
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	c = memcmp(a->value, b->value, Min(a->len, b->len));
	if (c != 0)
		return c < 0 ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->base != b->base)
		return a->base ? -1 : 1;
	return seq_mask_tie_cmp(a->mask, b->mask);
}

/* the index of the result row, or -1 for NULL */
static int32
node_walk(NodeRow *rows, int32 n, const NodeParams *p)
{
	int			k = p->nevents;
	int32		base = -1,
				i;
	int			j;

	if (n <= k)
		return -1;
	qsort(rows, n, sizeof(NodeRow), node_row_cmp);
	switch (p->base)
	{
		case BASE_HEAD:
			base = rows[0].base ? 0 : -1;
			break;
		case BASE_TAIL:
			base = rows[n - 1].base ? n - 1 : -1;
			break;
		case BASE_FIRST_MATCH:
			for (i = 0; i < n && base < 0; i++)
				if (rows[i].base && (rows[i].mask & 1))
					base = i;
			break;
		case BASE_LAST_MATCH:
			for (i = n - 1; i >= 0 && base < 0; i--)
				if (rows[i].base && (rows[i].mask & 1))
					base = i;
			break;
	}
	if (base < 0)
		return -1;
	for (j = 0; j < k; j++)
	{
		int32		r = p->direction == DIR_FORWARD ? base + j : base - j;

		if (r < 0 || r >= n || (rows[r].mask & (UINT64CONST(1) << j)) == 0)
			return -1;
	}
	i = p->direction == DIR_FORWARD ? base + k : base - k;
	return (i < 0 || i >= n) ? -1 : i;
}

/*
 * The steps node_walk finds no node without: each event of the chain (a
 * first_match or last_match base is a match of event 1, and those bases
 * take at least one event).
 */
static uint64
node_required_steps(const NodeParams *p)
{
	return (p->nevents >= 64) ? ~UINT64CONST(0) : (UINT64CONST(1) << p->nevents) - 1;
}

/* the value of the next (previous) row after the chain, or NULL */
Datum
sequence_next_node_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState *s = agg_state_final(fcinfo, "sequence_next_node_finalfn");
	EventBuffer *b;
	NodeRow    *rows;
	int32		i,
				r;

	if (s == NULL)
		PG_RETURN_NULL();
	b = s->buf;
	rows = palloc(b->n * sizeof(NodeRow));
	for (i = 0; i < b->n; i++)
	{
		rows[i].ts = b->ev[i].ts;
		rows[i].value = b->dict->str[b->ev[i].event];
		rows[i].len = b->dict->len[b->ev[i].event];
		rows[i].base = b->ev[i].stage == 1;
		rows[i].mask = b->ev[i].mask;
	}
	r = node_walk(rows, b->n, AGG_PARAMS(s));
	if (r < 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(rows[r].value, rows[r].len));
}

/* What journey_next_node keeps for the query in fn_extra. */
typedef struct JourneyNodeCache
{
	JourneyStepsCache steps;
	JourneySteps *none;			/* no steps: matches nothing */
} JourneyNodeCache;

/*
 * journey_next_node(journey, direction, base, VARIADIC steps): the event
 * label of the next (previous) touch after the chain of steps; every touch
 * with an event label is a row and may be the base, touches without one
 * are skipped.  The journey is decoded with its step masks and its own
 * labels (journey_steps_decode): no label is interned.
 */
Datum
journey_next_node(PG_FUNCTION_ARGS)
{
	const char *fn = "journey_next_node";
	JourneyNodeCache *c = fcinfo->flinfo->fn_extra;
	JourneySteps *js;
	NodeParams	params = {0};
	JourneyView v;
	EventBuffer *b;
	NodeRow    *rows;
	int32		i,
				n = 0,
				r;

	if (c == NULL)
	{
		fcinfo->flinfo->fn_extra = c =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(JourneyNodeCache));
		c->none = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(JourneySteps));
	}
	js = c->none;
	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(3);

		if (ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)) > 0)
			js = journey_steps_cached(&c->steps, fcinfo->flinfo->fn_mcxt, arr, fn, 0, false);
	}
	parse_direction_base(fn, PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1),
						 PG_ARGISNULL(2) ? NULL : PG_GETARG_TEXT_PP(2),
						 js->nsteps, &params);
	/* no node unless some touches can fill every event of the chain */
	b = journey_steps_decode(js, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)),
							 CurrentMemoryContext, &v, node_required_steps(&params));
	rows = palloc(Max(b->n, 1) * sizeof(NodeRow));
	for (i = 0; i < b->n; i++)
	{
		int32		ev = b->ev[i].event;	/* an index into v's labels */

		if (ev < 0)
			continue;
		rows[n].ts = b->ev[i].ts;
		rows[n].value = v.label[ev];
		rows[n].len = v.label_len[ev];
		rows[n].base = true;
		rows[n].mask = b->ev[i].mask;
		n++;
	}
	r = node_walk(rows, n, &params);
	if (r < 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(rows[r].value, rows[r].len));
}
