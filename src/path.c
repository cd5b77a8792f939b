/*-------------------------------------------------------------------------
 *
 * path.c
 *		One customer's path: event_path and event_path_between over rows
 *		(aggregates), journey_path and journey_path_between over a stored
 *		journey.  The input of path_report_agg.
 *
 * The state is the shared per-customer state (agg.h): rows as records
 * whose event field holds the label, in canonical order (time, then label
 * bytes), so input order and parallel plans never change a path.  The
 * journey forms put the chosen label of each touch (event, channel or
 * stage) in the same records, sort them the same way and take the same
 * walk (path_walk):
 *	1. rows with a NULL time or label are skipped;
 *	2. collapse merges consecutive equal labels (before anchoring);
 *	3. 'from': from the first element equal to anchor (NULL: the first
 *	   element), at most max_steps elements; 'to': up to the first element
 *	   equal to anchor (NULL: the last), at most the last max_steps;
 *	   between: from the first from_label to the first to_label after it,
 *	   inclusive, and when longer than max_steps the first and last
 *	   max_steps / 2 elements with one NULL (an elision) between them;
 *	4. no anchor occurrence, or no element: NULL.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "agg.h"
#include "event_buffer.h"
#include "journey_format.h"
#include "path_report.h"

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(event_path_transfn);
PG_FUNCTION_INFO_V1(event_path_between_transfn);
PG_FUNCTION_INFO_V1(event_path_combine);
PG_FUNCTION_INFO_V1(event_path_serialize);
PG_FUNCTION_INFO_V1(event_path_deserialize);
PG_FUNCTION_INFO_V1(event_path_finalfn);
PG_FUNCTION_INFO_V1(journey_path);
PG_FUNCTION_INFO_V1(journey_path_between);

#define PATH_STATE_VERSION	1
#define PATH_WIRE_COLLAPSE	0x02
#define PATH_WIRE_FIRST		0x04	/* anchor (or from_label) follows */
#define PATH_WIRE_SECOND	0x08	/* to_label follows */

typedef enum PathMode
{
	PATH_FROM,
	PATH_TO,
	PATH_BETWEEN
} PathMode;

/* What every row of one group must repeat. */
typedef struct PathSpec
{
	int32		mode;			/* PathMode */
	int32		max_steps;		/* 0 = unlimited */
	bool		collapse;
	char	   *first;			/* anchor, or from_label; NULL = none */
	char	   *second;			/* to_label (between) */
} PathSpec;

/* Paths need no stage: one placeholder stage keeps the buffer valid. */
static const StageList path_stages = {1, false, {"path"}, {4}};

static bool
str_equal(const char *a, const char *b)
{
	return (a == NULL) ? (b == NULL) : (b != NULL && strcmp(a, b) == 0);
}

static bool
path_params_equal(const void *a, const void *b)
{
	const PathSpec *x = a;
	const PathSpec *y = b;

	return x->mode == y->mode && x->max_steps == y->max_steps && x->collapse == y->collapse &&
		str_equal(x->first, y->first) && str_equal(x->second, y->second);
}

static void
path_params_copy(MemoryContext mcxt, void *dst, const void *src)
{
	PathSpec   *d = dst;

	*d = *(const PathSpec *) src;
	if (d->first)
		d->first = MemoryContextStrdup(mcxt, d->first);
	if (d->second)
		d->second = MemoryContextStrdup(mcxt, d->second);
}

static uint8
path_params_flags(const void *p)
{
	const PathSpec *s = p;

	return (s->collapse ? PATH_WIRE_COLLAPSE : 0) | (s->first ? PATH_WIRE_FIRST : 0) |
		(s->second ? PATH_WIRE_SECOND : 0);
}

static void
path_params_write(StringInfo buf, const void *p)
{
	const PathSpec *s = p;

	pq_sendbyte(buf, (uint8) s->mode);
	pq_sendint32(buf, s->max_steps);
	if (s->first)
		wire_put_text(buf, s->first, strlen(s->first), WIRE_INTERNAL);
	if (s->second)
		wire_put_text(buf, s->second, strlen(s->second), WIRE_INTERNAL);
}

static void
path_params_read(WireReader *w, uint8 flags, void *p)
{
	PathSpec   *s = p;
	int			len;

	s->mode = wire_byte(w);
	s->max_steps = wire_int32(w);
	s->collapse = (flags & PATH_WIRE_COLLAPSE) != 0;
	s->first = (flags & PATH_WIRE_FIRST) ? wire_text(w, WIRE_INTERNAL, &len) : NULL;
	s->second = (flags & PATH_WIRE_SECOND) ? wire_text(w, WIRE_INTERNAL, &len) : NULL;
	if (s->mode > PATH_BETWEEN || s->max_steps < 0 ||
		(s->mode == PATH_BETWEEN) != (s->second != NULL) ||
		(s->mode == PATH_BETWEEN && s->first == NULL))
		wire_error(w, "The path parameters are invalid.");
}

pg_attribute_noreturn()
static void
path_params_mismatch(const void *a, const void *b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("event_path anchor, direction, max_steps and collapse must be the same for every row"),
			 errhint("Pass constants.")));
}

/* a path record is a time and a label */
static void
path_check_record(WireReader *w, const void *params, const CjEvent *e, int32 i)
{
	if (e->mask != 0 || e->stage != 0 || e->channel != -1 || e->event < 0 || e->value != -1)
		wire_error(w, psprintf("Row %d has fields an event_path state does not use.", i + 1));
}

static const AggOps path_ops = {
	.state_name = "event_path state",
	.version = PATH_STATE_VERSION,
	.stages = &path_stages,
	.params_size = sizeof(PathSpec),
	.param_bits = PATH_WIRE_COLLAPSE | PATH_WIRE_FIRST | PATH_WIRE_SECOND,
	.params_equal = path_params_equal,
	.params_copy = path_params_copy,
	.params_flags = path_params_flags,
	.params_write = path_params_write,
	.params_read = path_params_read,
	.params_mismatch = path_params_mismatch,
	.check_record = path_check_record,
};

/* ---- arguments ---- */

static int32
max_steps_arg(FunctionCallInfo fcinfo, const char *fn, int argno)
{
	int32		n;

	if (PG_ARGISNULL(argno))
		return 0;
	n = PG_GETARG_INT32(argno);
	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s max_steps must be at least 1, not %d", fn, n),
				 errhint("Pass NULL for no limit.")));
	return n;
}

static int32
direction_arg(FunctionCallInfo fcinfo, const char *fn, int argno)
{
	text	   *t;
	char	   *s;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s direction must not be NULL", fn),
				 errhint("Valid directions are 'from' (the path after the anchor) and 'to' (the path up to it).")));
	t = PG_GETARG_TEXT_PP(argno);
	s = text_to_cstring(t);
	if (pg_strcasecmp(s, "from") == 0)
		return PATH_FROM;
	if (pg_strcasecmp(s, "to") == 0)
		return PATH_TO;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s direction \"%s\" is not valid", fn, s),
			 errhint("Valid directions are 'from' (the path after the anchor) and 'to' (the path up to it).")));
}

static bool
collapse_arg(FunctionCallInfo fcinfo, const char *fn, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s collapse must not be NULL", fn),
				 errhint("Pass true to merge consecutive repeats, false to keep them.")));
	return PG_GETARG_BOOL(argno);
}

static char *
label_arg(FunctionCallInfo fcinfo, const char *fn, const char *what, int argno, bool null_ok)
{
	text	   *t;

	if (PG_ARGISNULL(argno))
	{
		if (!null_ok)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s %s must not be NULL", fn, what)));
		return NULL;
	}
	t = PG_GETARG_TEXT_PP(argno);
	label_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), true);
	return text_to_cstring(t);
}

/* ---- the walk ---- */

static int32
find_label(const int32 *ids, int32 from, int32 n, int32 id)
{
	int32		i;

	for (i = from; i < n; i++)
		if (ids[i] == id)
			return i;
	return -1;
}

/*
 * The path of a buffer of (time, label) records: the walk of every form.
 * NULL when there is no element or no anchor occurrence.
 */
static ArrayType *
path_walk(EventBuffer *b, const PathSpec *spec)
{
	int32	   *ids = palloc(Max(b->n, 1) * sizeof(int32));
	Datum	   *elems;
	bool	   *nulls;
	int32		n = 0,
				i,
				lo,
				hi,
				k = 0,
				elide_at = -1,
				elided = 0;
	int			dims[1],
				lbs[1] = {1};

	evbuf_sort(b);
	for (i = 0; i < b->n; i++)
	{
		int32		id = b->ev[i].event;

		if (id < 0 || (spec->collapse && n > 0 && ids[n - 1] == id))
			continue;
		ids[n++] = id;
	}
	if (n == 0)
		return NULL;
	if (spec->mode == PATH_FROM)
	{
		lo = spec->first ? find_label(ids, 0, n, labeldict_intern(b->dict, spec->first,
																  strlen(spec->first))) : 0;
		if (lo < 0)
			return NULL;
		hi = (spec->max_steps > 0 && n - lo > spec->max_steps) ? lo + spec->max_steps - 1 : n - 1;
	}
	else if (spec->mode == PATH_TO)
	{
		hi = spec->first ? find_label(ids, 0, n, labeldict_intern(b->dict, spec->first,
																  strlen(spec->first))) : n - 1;
		if (hi < 0)
			return NULL;
		lo = (spec->max_steps > 0 && hi + 1 > spec->max_steps) ? hi + 1 - spec->max_steps : 0;
	}
	else
	{
		lo = find_label(ids, 0, n, labeldict_intern(b->dict, spec->first, strlen(spec->first)));
		if (lo < 0)
			return NULL;
		hi = find_label(ids, lo + 1, n, labeldict_intern(b->dict, spec->second, strlen(spec->second)));
		if (hi < 0)
			return NULL;
		if (spec->max_steps > 0 && hi - lo + 1 > spec->max_steps)
		{
			/* keep the first and last max_steps / 2, one NULL between */
			elide_at = lo + spec->max_steps / 2;
			elided = (hi - lo + 1) - 2 * (spec->max_steps / 2);
		}
	}
	elems = palloc((hi - lo + 2) * sizeof(Datum));
	nulls = palloc((hi - lo + 2) * sizeof(bool));
	for (i = lo; i <= hi; i++)
	{
		if (i == elide_at)
		{
			elems[k] = (Datum) 0;
			nulls[k++] = true;
			i += elided - 1;
			continue;
		}
		elems[k] = PointerGetDatum(cstring_to_text_with_len(b->dict->str[ids[i]], b->dict->len[ids[i]]));
		nulls[k++] = false;
	}
	dims[0] = k;
	return construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT);
}

/* ---- the aggregates ---- */

/* add the row (time argument 1, label argument 2) to the state */
static Datum
path_add_row(FunctionCallInfo fcinfo, const PathSpec *spec)
{
	MemoryContext aggcxt = agg_context(fcinfo, "event_path");
	CustomerState *state = agg_state_arg(fcinfo, &path_ops, false);
	text	   *t;
	TimestampTz ts;

	agg_state_set_params(state, aggcxt, spec);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(state);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	cj_check_time(ts);
	t = PG_GETARG_TEXT_PP(2);
	label_check(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), true);
	evbuf_append(state->buf, ts, 0, 0, -1,
				 labeldict_intern(state->buf->dict, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)),
				 (Datum) 0, false);
	PG_RETURN_POINTER(state);
}

/*
 * event_path(occurred_at, label [, anchor, direction, max_steps, collapse]):
 * add one row.
 */
Datum
event_path_transfn(PG_FUNCTION_ARGS)
{
	PathSpec	spec = {PATH_FROM, 0, false, NULL, NULL};

	if (PG_NARGS() > 3)
	{
		spec.first = label_arg(fcinfo, "event_path", "anchor", 3, true);
		spec.mode = direction_arg(fcinfo, "event_path", 4);
		spec.max_steps = max_steps_arg(fcinfo, "event_path", 5);
		spec.collapse = collapse_arg(fcinfo, "event_path", 6);
	}
	return path_add_row(fcinfo, &spec);
}

/* event_path_between(occurred_at, label, from_label, to_label, max_steps, collapse) */
Datum
event_path_between_transfn(PG_FUNCTION_ARGS)
{
	PathSpec	spec = {PATH_BETWEEN, 0, false, NULL, NULL};

	spec.first = label_arg(fcinfo, "event_path_between", "from_label", 3, false);
	spec.second = label_arg(fcinfo, "event_path_between", "to_label", 4, false);
	spec.max_steps = max_steps_arg(fcinfo, "event_path_between", 5);
	spec.collapse = collapse_arg(fcinfo, "event_path_between", 6);
	return path_add_row(fcinfo, &spec);
}

Datum
event_path_combine(PG_FUNCTION_ARGS)
{
	return agg_state_combine(fcinfo, &path_ops);
}

Datum
event_path_serialize(PG_FUNCTION_ARGS)
{
	return agg_state_serialize(fcinfo);
}

Datum
event_path_deserialize(PG_FUNCTION_ARGS)
{
	return agg_state_deserialize(fcinfo, &path_ops);
}

/* the path; NULL for no rows, no label or no anchor occurrence */
Datum
event_path_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState *state = agg_state_final(fcinfo, "event_path_finalfn");
	ArrayType  *path;

	if (state == NULL || (path = path_walk(state->buf, AGG_PARAMS(state))) == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(path);
}

/* ---- stored journeys ---- */

typedef enum PathBy
{
	BY_EVENT,
	BY_CHANNEL,
	BY_STAGE
} PathBy;

static PathBy
by_arg(FunctionCallInfo fcinfo, const char *fn, int argno)
{
	char	   *s;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s by must not be NULL", fn),
				 errhint("Valid labels are 'event', 'channel' and 'stage'.")));
	s = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (pg_strcasecmp(s, "event") == 0)
		return BY_EVENT;
	if (pg_strcasecmp(s, "channel") == 0)
		return BY_CHANNEL;
	if (pg_strcasecmp(s, "stage") == 0)
		return BY_STAGE;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s by \"%s\" is not valid", fn, s),
			 errhint("Valid labels are 'event', 'channel' and 'stage'.")));
}

/*
 * The journey argument's touches as path records: each touch's event,
 * channel or stage label, in the rows form's order (time, label bytes).
 */
static EventBuffer *
journey_path_records(FunctionCallInfo fcinfo, PathBy by)
{
	EventBuffer *j = journey_arg_touches(fcinfo, 0);
	EventBuffer *b = evbuf_create(CurrentMemoryContext, &path_stages, j->dict);
	int32		i;

	for (i = 0; i < j->n; i++)
	{
		const CjEvent *e = &j->ev[i];
		int32		id;

		if (by == BY_EVENT)
			id = e->event;
		else if (by == BY_CHANNEL)
			id = e->channel;
		else
			id = labeldict_intern(j->dict, j->stages->label[e->stage], j->stages->len[e->stage]);
		if (id >= 0)
			evbuf_append(b, e->ts, 0, 0, -1, id, (Datum) 0, false);
	}
	return b;
}

/*
 * journey_path(journey, by, anchor, direction, max_steps, collapse): the
 * path of a stored journey, by its touches' event, channel or stage labels.
 */
Datum
journey_path(PG_FUNCTION_ARGS)
{
	PathSpec	spec = {PATH_FROM, 0, false, NULL, NULL};
	PathBy		by;
	ArrayType  *path;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	by = by_arg(fcinfo, "journey_path", 1);
	spec.first = label_arg(fcinfo, "journey_path", "anchor", 2, true);
	spec.mode = direction_arg(fcinfo, "journey_path", 3);
	spec.max_steps = max_steps_arg(fcinfo, "journey_path", 4);
	spec.collapse = collapse_arg(fcinfo, "journey_path", 5);
	path = path_walk(journey_path_records(fcinfo, by), &spec);
	if (path == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(path);
}

/* journey_path_between(journey, by, from_label, to_label, max_steps, collapse) */
Datum
journey_path_between(PG_FUNCTION_ARGS)
{
	PathSpec	spec = {PATH_BETWEEN, 0, false, NULL, NULL};
	PathBy		by;
	ArrayType  *path;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	by = by_arg(fcinfo, "journey_path_between", 1);
	spec.first = label_arg(fcinfo, "journey_path_between", "from_label", 2, false);
	spec.second = label_arg(fcinfo, "journey_path_between", "to_label", 3, false);
	spec.max_steps = max_steps_arg(fcinfo, "journey_path_between", 4);
	spec.collapse = collapse_arg(fcinfo, "journey_path_between", 5);
	path = path_walk(journey_path_records(fcinfo, by), &spec);
	if (path == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(path);
}
