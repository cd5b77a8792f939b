/*-------------------------------------------------------------------------
 *
 * sequence.c
 *		sequence_match, sequence_count and sequence_match_events (ClickHouse
 *		sequenceMatch, sequenceCount, sequenceMatchEvents) over rows, and
 *		journey_sequence_match, journey_sequence_count and
 *		journey_sequence_match_events over a stored journey.
 *
 * The aggregate state is the shared per-customer state (agg.h): rows
 * (time, mask of true conditions), plus the pattern text, the number of
 * conditions and the time type, which every row must repeat.  Rows with
 * no true condition are dropped (they are invisible to the pattern, as in
 * ClickHouse); NULL conditions are false; rows with a NULL time are
 * skipped.  The final functions put the rows in time order, rows at one
 * instant by their condition vector compared from the first condition,
 * true first (seq_sort_rows), and run the search of sequence_match.c.
 *
 * The journey forms build the same rows from the touches: condition k is
 * step k in the stored-journey step syntax (journey_step.h), touches
 * matching no step are dropped, and ties are ordered the same way, so a
 * journey form equals the row form over the journey's touches.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "agg.h"
#include "event_buffer.h"
#include "journey_format.h"
#include "journey_step.h"
#include "sequence_match.h"

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(sequence_transfn);
PG_FUNCTION_INFO_V1(sequence_combine);
PG_FUNCTION_INFO_V1(sequence_serialize);
PG_FUNCTION_INFO_V1(sequence_deserialize);
PG_FUNCTION_INFO_V1(sequence_match_finalfn);
PG_FUNCTION_INFO_V1(sequence_count_finalfn);
PG_FUNCTION_INFO_V1(sequence_match_events_finalfn);
PG_FUNCTION_INFO_V1(journey_sequence_match);
PG_FUNCTION_INFO_V1(journey_sequence_count);
PG_FUNCTION_INFO_V1(journey_sequence_match_events);

#define SEQUENCE_STATE_VERSION	1
#define SEQUENCE_WIRE_BIGINT	0x02	/* flag: integer time */

#define USECS_PER_SEC_U64		INT64CONST(1000000)

/* What every row of one group must repeat. */
typedef struct SeqParams
{
	char	   *pattern;		/* NUL-terminated */
	int32		len;
	int16		nconds;
	bool		bigint_time;
} SeqParams;

/* The pattern text last checked by this query's transition function. */
typedef struct PatternCache
{
	char	   *text;
	int			len;
	int			nconds;
} PatternCache;

/* Sequence rows need no stage: one placeholder stage keeps the buffer valid. */
static const StageList sequence_stages = {1, false, {"row"}, {3}};

static bool
seq_params_equal(const void *a, const void *b)
{
	const SeqParams *x = a;
	const SeqParams *y = b;

	return x->len == y->len && x->nconds == y->nconds && x->bigint_time == y->bigint_time &&
		memcmp(x->pattern, y->pattern, x->len) == 0;
}

static void
seq_params_copy(MemoryContext mcxt, void *dst, const void *src)
{
	SeqParams  *d = dst;
	const SeqParams *s = src;

	*d = *s;
	d->pattern = MemoryContextAlloc(mcxt, s->len + 1);
	memcpy(d->pattern, s->pattern, s->len);
	d->pattern[s->len] = '\0';
}

static uint8
seq_params_flags(const void *p)
{
	return ((const SeqParams *) p)->bigint_time ? SEQUENCE_WIRE_BIGINT : 0;
}

static void
seq_params_write(StringInfo buf, const void *p)
{
	const SeqParams *s = p;

	pq_sendint16(buf, s->nconds);
	wire_put_text(buf, s->pattern, s->len, WIRE_INTERNAL);
}

static void
seq_params_read(WireReader *w, uint8 flags, void *p)
{
	SeqParams  *s = p;
	int			nconds = wire_int16(w);
	int			len;
	SeqPattern	pat;
	int			sqlstate;
	char	   *detail;

	if (nconds < 1 || nconds > SEQ_MAX_CONDITIONS)
		wire_error(w, psprintf("The condition count is %d; a pattern has 1 to %d conditions.",
							   nconds, SEQ_MAX_CONDITIONS));
	s->nconds = (int16) nconds;
	s->pattern = wire_text(w, WIRE_INTERNAL, &len);
	s->len = len;
	s->bigint_time = (flags & SEQUENCE_WIRE_BIGINT) != 0;
	if (!seq_parse(s->pattern, s->len, s->nconds, &pat, &sqlstate, &detail))
		wire_error(w, psprintf("The pattern is invalid: %s", detail));
}

pg_attribute_noreturn()
static void
seq_params_mismatch(const void *a, const void *b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("sequence pattern and number of conditions must be the same for every row"),
			 errhint("Pass a constant pattern.")));
}

static void
seq_check_record(WireReader *w, const void *params, const CjEvent *e, int32 i)
{
	int			nconds = ((const SeqParams *) params)->nconds;

	if (e->mask == 0 || (nconds < 64 && (e->mask >> nconds) != 0) || e->stage != 0 ||
		e->channel != -1 || e->event != -1 || e->value != -1)
		wire_error(w, psprintf("Row %d has fields a sequence state does not use.", i + 1));
}

static const AggOps sequence_ops = {
	.state_name = "sequence state",
	.version = SEQUENCE_STATE_VERSION,
	.stages = &sequence_stages,
	.params_size = sizeof(SeqParams),
	.param_bits = SEQUENCE_WIRE_BIGINT,
	.params_equal = seq_params_equal,
	.params_copy = seq_params_copy,
	.params_flags = seq_params_flags,
	.params_write = seq_params_write,
	.params_read = seq_params_read,
	.params_mismatch = seq_params_mismatch,
	.int_time_bit = SEQUENCE_WIRE_BIGINT,
	.check_record = seq_check_record,
};

static void
pattern_null_error(const char *fn)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s pattern must not be NULL", fn),
			 errhint("Pass a pattern such as '(?1).*(?2)'.")));
}

/*
 * sequence_*(pattern, occurred_at, VARIADIC conditions): add one row.
 */
Datum
sequence_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "sequence_transfn");
	AggCache   *cache = agg_cache(fcinfo);
	PatternCache *pc = cache->args;
	CustomerState *state;
	SeqParams	params = {0};
	text	   *pattern;
	int			nconds;
	uint64		mask;
	int64		ts;

	if (PG_ARGISNULL(1))
		pattern_null_error("sequence");
	state = agg_state_arg(fcinfo, &sequence_ops, false);
	if (PG_ARGISNULL(3))
		PG_RETURN_POINTER(state);
	mask = cj_bool_array_mask(PG_GETARG_ARRAYTYPE_P(3), SEQ_MAX_CONDITIONS, &nconds,
							  "sequence", "condition");
	pattern = PG_GETARG_TEXT_PP(1);
	/* check once per distinct pattern text and condition count */
	if (pc == NULL)
		cache->args = pc = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(PatternCache));
	if (pc->text == NULL || pc->len != VARSIZE_ANY_EXHDR(pattern) || pc->nconds != nconds ||
		memcmp(pc->text, VARDATA_ANY(pattern), pc->len) != 0)
	{
		char	   *s = text_to_cstring(pattern);
		SeqPattern	pat;

		seq_parse_or_error("sequence", s, strlen(s), nconds, &pat);
		if (pc->text)
			pfree(pc->text);
		pc->text = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, s);
		pc->len = VARSIZE_ANY_EXHDR(pattern);
		pc->nconds = nconds;
	}
	params.pattern = pc->text;
	params.len = pc->len;
	params.nconds = (int16) nconds;
	params.bigint_time = get_fn_expr_argtype(fcinfo->flinfo, 2) == INT8OID;
	agg_state_set_params(state, aggcxt, &params);
	if (mask == 0 || PG_ARGISNULL(2))
		PG_RETURN_POINTER(state);
	ts = params.bigint_time ? PG_GETARG_INT64(2) : PG_GETARG_TIMESTAMPTZ(2);
	if (!params.bigint_time)
		cj_check_time(ts);
	evbuf_append(state->buf, ts, mask, 0, -1, -1, (Datum) 0, false);
	PG_RETURN_POINTER(state);
}

Datum
sequence_combine(PG_FUNCTION_ARGS)
{
	return agg_state_combine(fcinfo, &sequence_ops);
}

Datum
sequence_serialize(PG_FUNCTION_ARGS)
{
	return agg_state_serialize(fcinfo);
}

Datum
sequence_deserialize(PG_FUNCTION_ARGS)
{
	return agg_state_deserialize(fcinfo, &sequence_ops);
}

/*
 * The state's rows, sorted, and its pattern parsed; false when there is no
 * state or no row ever set the parameters.  The state is not modified.
 */
static bool
final_rows(FunctionCallInfo fcinfo, const char *fn, SeqPattern *pat, SeqRow **rows,
		   int32 *n, int64 *unit, bool *bigint_time)
{
	CustomerState *s;
	SeqParams  *p;
	int32		i;

	(void) agg_context(fcinfo, fn);
	if (PG_ARGISNULL(0))
		return false;
	s = (CustomerState *) PG_GETARG_POINTER(0);
	if (!s->have_params)
		return false;
	p = AGG_PARAMS(s);
	seq_parse_or_error("sequence", p->pattern, p->len, p->nconds, pat);
	*n = s->buf->n;
	*rows = palloc(Max(*n, 1) * sizeof(SeqRow));
	for (i = 0; i < *n; i++)
	{
		(*rows)[i].ts = s->buf->ev[i].ts;
		(*rows)[i].mask = s->buf->ev[i].mask;
	}
	seq_sort_rows(*rows, *n);
	*unit = p->bigint_time ? 1 : USECS_PER_SEC_U64;
	if (bigint_time)
		*bigint_time = p->bigint_time;
	return true;
}

/* true when the pattern matches; an empty group gives false */
Datum
sequence_match_finalfn(PG_FUNCTION_ARGS)
{
	SeqPattern	pat;
	SeqRow	   *rows;
	int32		n;
	int64		unit;

	if (!final_rows(fcinfo, "sequence_match_finalfn", &pat, &rows, &n, &unit, NULL))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(seq_match(&pat, rows, n, unit));
}

/* the number of non-overlapping matches */
Datum
sequence_count_finalfn(PG_FUNCTION_ARGS)
{
	SeqPattern	pat;
	SeqRow	   *rows;
	int32		n;
	int64		unit;

	if (!final_rows(fcinfo, "sequence_count_finalfn", &pat, &rows, &n, &unit, NULL))
		PG_RETURN_INT64(0);
	PG_RETURN_INT64(seq_count(&pat, rows, n, unit));
}

static ArrayType *
times_array(const int64 *times, int n, bool bigint_time)
{
	Datum	   *elems = palloc(Max(n, 1) * sizeof(Datum));
	int			k;

	for (k = 0; k < n; k++)
		elems[k] = Int64GetDatum(times[k]);
	return construct_array(elems, n, bigint_time ? INT8OID : TIMESTAMPTZOID, 8,
						   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/* the times the (?N) items consumed: the first match, else the longest partial one */
Datum
sequence_match_events_finalfn(PG_FUNCTION_ARGS)
{
	SeqPattern	pat;
	SeqRow	   *rows;
	int32		n;
	int64		unit;
	bool		bigint_time = get_fn_expr_rettype(fcinfo->flinfo) == INT8ARRAYOID;
	int64	   *times;
	int			k;

	if (!final_rows(fcinfo, "sequence_match_events_finalfn", &pat, &rows, &n, &unit,
					&bigint_time))
		PG_RETURN_ARRAYTYPE_P(times_array(NULL, 0, bigint_time));
	times = palloc((pat.nevents + 1) * sizeof(int64));
	k = seq_match_events(&pat, rows, n, unit, times);
	PG_RETURN_ARRAYTYPE_P(times_array(times, k, bigint_time));
}

/* ---- journey forms ---- */

/*
 * What the journey forms keep for the query in fn_extra: the steps and the
 * pattern as last parsed (again only when a row passes other ones).
 */
typedef struct JourneySeqCache
{
	JourneyStepsCache steps;
	MemoryContext pat_cxt;		/* holds pattern and pat; replaced on a miss */
	char	   *pattern;		/* the pattern text parsed */
	int			len;
	int			nsteps;			/* the step count it was checked against */
	SeqPattern	pat;
} JourneySeqCache;

/*
 * The rows of a journey for a pattern: each touch's mask of matching
 * steps, touches matching none dropped, sorted like the row form.  For a
 * walk that only counts full matches (full_match), no rows when one of the
 * pattern's conditions is met by no touch.
 */
static SeqRow *
journey_rows(FunctionCallInfo fcinfo, const char *fn, bool full_match, const SeqPattern **pat,
			 int32 *n)
{
	JourneySeqCache *c = fcinfo->flinfo->fn_extra;
	MemoryContext fn_mcxt = fcinfo->flinfo->fn_mcxt;
	text	   *pattern;
	JourneySteps *js;
	SeqRow	   *rows;
	int32		m;

	if (PG_ARGISNULL(1))
		pattern_null_error(fn);
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s steps must not be NULL", fn)));
	if (c == NULL)
		fcinfo->flinfo->fn_extra = c = MemoryContextAllocZero(fn_mcxt, sizeof(JourneySeqCache));
	pattern = PG_GETARG_TEXT_PP(1);
	js = journey_steps_cached(&c->steps, fn_mcxt, PG_GETARG_ARRAYTYPE_P(2), fn, 1, false);
	if (c->pattern == NULL || c->nsteps != js->nsteps ||
		c->len != VARSIZE_ANY_EXHDR(pattern) ||
		memcmp(c->pattern, VARDATA_ANY(pattern), c->len) != 0)
	{
		/* a context per entry, as in journey_steps_cached; set on success */
		MemoryContext cxt = AllocSetContextCreate(fn_mcxt, "cjourney sequence pattern",
												  ALLOCSET_SMALL_SIZES);
		MemoryContext old = MemoryContextSwitchTo(cxt);
		char	   *s = text_to_cstring(pattern);
		SeqPattern	pat;

		seq_parse_or_error(fn, s, strlen(s), js->nsteps, &pat);
		/* the text is kept whole, NUL bytes and all, to compare rows with */
		c->len = VARSIZE_ANY_EXHDR(pattern);
		c->pattern = palloc(Max(c->len, 1));
		memcpy(c->pattern, VARDATA_ANY(pattern), c->len);
		MemoryContextSwitchTo(old);
		if (c->pat_cxt)
			MemoryContextDelete(c->pat_cxt);
		c->pat_cxt = cxt;
		c->pat = pat;
		c->nsteps = js->nsteps;
	}
	*pat = &c->pat;

	/*
	 * times and masks straight from the stored records, those with a mask;
	 * none when a full match needs a condition no touch can meet
	 */
	m = journey_steps_decode_timed(js, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), false,
								   full_match ? c->pat.cond_mask : 0, &rows);
	seq_sort_rows(rows, m);
	*n = m;
	return rows;
}

/* journey_sequence_match(journey, pattern, VARIADIC steps) */
Datum
journey_sequence_match(PG_FUNCTION_ARGS)
{
	const SeqPattern *pat;
	int32		n;
	SeqRow	   *rows = journey_rows(fcinfo, "journey_sequence_match", true, &pat, &n);

	PG_RETURN_BOOL(seq_match(pat, rows, n, USECS_PER_SEC_U64));
}

/* journey_sequence_count(journey, pattern, VARIADIC steps) */
Datum
journey_sequence_count(PG_FUNCTION_ARGS)
{
	const SeqPattern *pat;
	int32		n;
	SeqRow	   *rows = journey_rows(fcinfo, "journey_sequence_count", true, &pat, &n);

	PG_RETURN_INT64(seq_count(pat, rows, n, USECS_PER_SEC_U64));
}

/* journey_sequence_match_events(journey, pattern, VARIADIC steps) */
Datum
journey_sequence_match_events(PG_FUNCTION_ARGS)
{
	const SeqPattern *pat;
	int32		n;
	SeqRow	   *rows = journey_rows(fcinfo, "journey_sequence_match_events", false, &pat, &n);
	int64	   *times = palloc((pat->nevents + 1) * sizeof(int64));
	int			k = seq_match_events(pat, rows, n, USECS_PER_SEC_U64, times);

	PG_RETURN_ARRAYTYPE_P(times_array(times, k, false));
}
