/*-------------------------------------------------------------------------
 *
 * event_buffer.c
 *		Append, sort, merge and (de)serialise per-customer event records.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "event_buffer.h"
#include "key_sort.h"
#include "wire.h"

#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#define EVBUF_WIRE_VERSION	1
/*
 * Room for the first records a buffer grows to.  Most customers of a large
 * GROUP BY have a handful of rows (a few per parallel worker), and every
 * byte of a state is a cache miss when the hash table holds one per
 * customer: 4 records take a 128-byte chunk, 8 took 256.
 */
#define EVBUF_INITIAL_CAP	4

/* Set up an empty buffer in place (b may be embedded in a larger chunk). */
void
evbuf_init(EventBuffer *b, MemoryContext mcxt, const StageList *stages, LabelDict *dict)
{
	memset(b, 0, sizeof(EventBuffer));
	b->mcxt = mcxt;
	b->stages = stages;
	b->dict = dict;
	b->sorted = true;
}

/*
 * Free a buffer's records and values (not the buffer itself, which may be
 * embedded in a larger chunk); it must not be used again.
 */
void
evbuf_free_records(EventBuffer *b)
{
	int32		i;

	for (i = 0; i < b->nvalues; i++)
		pfree(DatumGetPointer(b->values[i]));
	if (b->values != NULL)
		pfree(b->values);
	if (b->ev != NULL)
		pfree(b->ev);
}

/* An empty buffer in mcxt. */
EventBuffer *
evbuf_create(MemoryContext mcxt, const StageList *stages, LabelDict *dict)
{
	EventBuffer *b = MemoryContextAlloc(mcxt, sizeof(EventBuffer));

	evbuf_init(b, mcxt, stages, dict);
	return b;
}

/* Room for extra more records, within the touch and memory limits. */
void
evbuf_reserve(EventBuffer *b, int32 extra)
{
	int64		need = (int64) b->n + extra;

	if (need > CJ_MAX_TOUCHES)
		cj_too_many_touches();
	if (need > b->cap)
	{
		int64		cap = Max(b->cap, EVBUF_INITIAL_CAP);

		while (cap < need)
			cap *= 2;
		cap = Min(cap, CJ_MAX_TOUCHES);
		/* grow only as far as the memory budget lets the records go */
		cj_check_state_bytes((Size) need * sizeof(CjEvent) + b->value_bytes);
		cap = Min(cap, Max(need, (int64) ((Size) cj_max_state_memory * 1024 / sizeof(CjEvent))));
		if (b->ev == NULL)
			b->ev = MemoryContextAlloc(b->mcxt, cap * sizeof(CjEvent));
		else
			b->ev = repalloc(b->ev, cap * sizeof(CjEvent));
		b->cap = (int32) cap;
	}
}

static int32
evbuf_add_value(EventBuffer *b, Datum value)
{
	Size		sz;
	Numeric		copy;

	/* a numeric from a table may be compressed or stored out of line */
	value = PointerGetDatum(PG_DETOAST_DATUM_PACKED(value));
	sz = VARSIZE_ANY(DatumGetPointer(value));

	if (b->value_bytes + sz > CJ_MAX_JOURNEY_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey is too large"),
				 errdetail("A journey may use at most %zu bytes.", CJ_MAX_JOURNEY_BYTES)));
	cj_check_state_bytes((Size) b->cap * sizeof(CjEvent) + b->value_bytes + sz);
	if (b->nvalues >= b->valcap)
	{
		b->valcap = Max(8, b->valcap * 2);
		if (b->values == NULL)
			b->values = MemoryContextAlloc(b->mcxt, b->valcap * sizeof(Datum));
		else
			b->values = repalloc(b->values, b->valcap * sizeof(Datum));
	}
	/* store unpacked, so numeric functions can use it directly */
	copy = MemoryContextAlloc(b->mcxt, VARHDRSZ + VARSIZE_ANY_EXHDR(DatumGetPointer(value)));
	SET_VARSIZE(copy, VARHDRSZ + VARSIZE_ANY_EXHDR(DatumGetPointer(value)));
	memcpy(VARDATA(copy), VARDATA_ANY(DatumGetPointer(value)),
		   VARSIZE_ANY_EXHDR(DatumGetPointer(value)));
	b->values[b->nvalues] = PointerGetDatum(copy);
	b->value_bytes += sz;
	return b->nvalues++;
}

/* Numeric order, then bytes: equal only when the stored values are identical. */
int
value_cmp(Datum a, Datum b)
{
	int			c = DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b));
	Size		la,
				lb;

	if (c != 0)
		return c < 0 ? -1 : 1;
	la = VARSIZE_ANY_EXHDR(DatumGetPointer(a));
	lb = VARSIZE_ANY_EXHDR(DatumGetPointer(b));
	c = memcmp(VARDATA_ANY(DatumGetPointer(a)), VARDATA_ANY(DatumGetPointer(b)),
			   Min(la, lb));
	if (c != 0)
		return c < 0 ? -1 : 1;
	return (la < lb) ? -1 : (la > lb) ? 1 : 0;
}

/*
 * Canonical order of records: time, stage, mask, channel and event label
 * text (bytewise, NULL first), value.  Records that compare equal are equal
 * in content, so the sorted sequence does not depend on arrival order.
 */
int
evbuf_event_cmp(const EventBuffer *ba, const CjEvent *a,
				const EventBuffer *bb, const CjEvent *b)
{
	int			c;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->stage != b->stage)
		return a->stage < b->stage ? -1 : 1;
	if (a->mask != b->mask)
		return a->mask < b->mask ? -1 : 1;
	c = label_cmp(ba->dict, a->channel, bb->dict, b->channel);
	if (c != 0)
		return c;
	c = label_cmp(ba->dict, a->event, bb->dict, b->event);
	if (c != 0)
		return c;
	if (a->value < 0 || b->value < 0)
		return (a->value < 0) ? ((b->value < 0) ? 0 : -1) : 1;
	return value_cmp(ba->values[a->value], bb->values[b->value]);
}

static int
evbuf_qsort_cmp(const void *a, const void *b, void *arg)
{
	const EventBuffer *buf = (const EventBuffer *) arg;

	CJ_SORT_TICK();
	return evbuf_event_cmp(buf, (const CjEvent *) a, buf, (const CjEvent *) b);
}

/* Append one record; value (a numeric) is copied when has_value. */
void
evbuf_append(EventBuffer *b, TimestampTz ts, uint64 mask, int32 stage,
			 int32 channel, int32 event, Datum value, bool has_value)
{
	CjEvent    *e;

	evbuf_reserve(b, 1);
	e = &b->ev[b->n];
	e->ts = ts;
	e->mask = mask;
	e->stage = stage;
	e->channel = channel;
	e->event = event;
	e->value = has_value ? evbuf_add_value(b, value) : -1;
	if (b->sorted && b->n > 0 &&
		(e->ts < e[-1].ts ||
		 (e->ts == e[-1].ts && evbuf_event_cmp(b, e - 1, b, e) > 0)))
		b->sorted = false;
	b->n++;
}

/*
 * Merge ev[0, n1) and ev[n1, n), each in canonical order, into one run:
 * backwards, from a copy of the second run, so the first stays in place.
 */
static void
merge_runs(EventBuffer *b, int32 n1)
{
	int32		n2 = b->n - n1;
	CjEvent    *tail = palloc(n2 * sizeof(CjEvent));
	int32		i = n1 - 1,
				j = n2 - 1,
				k = b->n - 1;

	memcpy(tail, b->ev + n1, n2 * sizeof(CjEvent));
	while (j >= 0)
	{
		CJ_CHECK_EVERY(k);
		if (i >= 0 && evbuf_event_cmp(b, &b->ev[i], b, &tail[j]) > 0)
			b->ev[k--] = b->ev[i--];
		else
			b->ev[k--] = tail[j--];
	}
	pfree(tail);
	b->sorted = true;
}

/*
 * Append all records of src; labels are re-interned when the dictionaries
 * differ.  When both are in canonical order, so is the result.
 */
void
evbuf_merge(EventBuffer *dst, const EventBuffer *src)
{
	int32		i,
				n1;
	bool		was_sorted;

	if (src->n == 0)
		return;
	n1 = dst->n;
	was_sorted = dst->sorted;
	evbuf_reserve(dst, src->n);

	/*
	 * Into an empty buffer with the same labels and no values (the first
	 * partial state of a group, in the leader): the records as they are.
	 */
	if (n1 == 0 && dst->dict == src->dict && src->nvalues == 0)
	{
		memcpy(dst->ev, src->ev, src->n * sizeof(CjEvent));
		dst->n = src->n;
		dst->sorted = src->sorted;
		return;
	}
	for (i = 0; i < src->n; i++)
	{
		const CjEvent *s = &src->ev[i];
		int32		channel,
					event;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		channel = labeldict_translate(dst->dict, src->dict, s->channel);
		event = labeldict_translate(dst->dict, src->dict, s->event);
		evbuf_append(dst, s->ts, s->mask, s->stage, channel, event,
					 s->value >= 0 ? src->values[s->value] : (Datum) 0,
					 s->value >= 0);
	}

	/*
	 * Two runs in canonical order (label translation keeps it: the order
	 * compares label text) merge in one pass instead of a sort later: the
	 * combine of parallel partial states, which on a time-ordered table are
	 * interleaved halves of each customer's rows.  A run much shorter than
	 * the buffer is left for the final sort instead: merging k small states
	 * one by one (a partitionwise plan over many partitions) would move the
	 * whole buffer k times.
	 */
	if (!dst->sorted && was_sorted && src->sorted && n1 > 0 && (int64) src->n * 8 >= n1)
		merge_runs(dst, n1);
}

/*
 * evbuf_merge when src is the last run dst will take (journey_merge, a
 * store's refresh: a stored journey and the rows queued for it): two runs
 * in canonical order merge in one pass whatever their lengths.  A few late
 * touches merged into a long journey were otherwise left for a full sort.
 */
void
evbuf_merge_last(EventBuffer *dst, const EventBuffer *src)
{
	int32		n1 = dst->n;
	bool		was_sorted = dst->sorted;

	evbuf_merge(dst, src);
	if (!dst->sorted && was_sorted && src->sorted && n1 > 0)
		merge_runs(dst, n1);
}

/* Deep copy into mcxt, sharing the dictionary and stage list. */
EventBuffer *
evbuf_copy(MemoryContext mcxt, const EventBuffer *src)
{
	EventBuffer *b = evbuf_create(mcxt, src->stages, src->dict);

	evbuf_merge(b, src);
	return b;
}

/*
 * The canonical order of records without labels or values (states of
 * window_funnel, sequence_match, journey_stage_stats, ...): time, stage,
 * mask, as evbuf_event_cmp orders them, by radix sort.
 */
static const KeySortKey unlabelled_order[] = {
	{offsetof(CjEvent, ts), 8, true},
	{offsetof(CjEvent, stage), 4, true},
	{offsetof(CjEvent, mask), 8, false},
};

/* whether no record has a label or a value */
static bool
evbuf_unlabelled(const EventBuffer *b)
{
	int32		i;

	if (b->nvalues > 0)
		return false;
	for (i = 0; i < b->n; i++)
	{
		CJ_CHECK_EVERY(i);
		if (b->ev[i].channel >= 0 || b->ev[i].event >= 0 || b->ev[i].value >= 0)
			return false;
	}
	return true;
}

/* Put records in canonical order (idempotent). */
void
evbuf_sort(EventBuffer *b)
{
	if (!b->sorted)
	{
		if (evbuf_unlabelled(b))
			key_sort_records(b->ev, b->n, sizeof(CjEvent), unlabelled_order,
							 lengthof(unlabelled_order));
		else
			qsort_arg(b->ev, b->n, sizeof(CjEvent), evbuf_qsort_cmp, b);
		b->sorted = true;
	}
}

/* A touch value in numeric's binary format, after its length. */
void
evbuf_write_value(StringInfo buf, Datum value)
{
	bytea	   *v = DatumGetByteaPP(DirectFunctionCall1(numeric_send, value));

	pq_sendint32(buf, VARSIZE_ANY_EXHDR(v));
	pq_sendbytes(buf, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
}

/* Read a value written by evbuf_write_value, checked, and add it to b. */
int32
evbuf_read_value(WireReader *w, EventBuffer *b)
{
	int32		len = wire_int32(w);
	const unsigned char *raw;
	StringInfoData vbuf;
	Datum		num;

	/* numeric_send format: ndigits, weight, sign, dscale, then the digits */
	raw = (const unsigned char *) wire_bytes(w, len);
	if (len < 8 || len != 8 + 2 * ((raw[0] << 8) | raw[1]))
		wire_error(w, "A numeric value has the wrong length for its digit count.");
	/* numeric_recv wants its own buffer, NUL-terminated like a message */
	initStringInfo(&vbuf);
	appendBinaryStringInfo(&vbuf, (const char *) raw, len);
	num = DirectFunctionCall3(numeric_recv, PointerGetDatum(&vbuf),
							  ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	if (vbuf.cursor != vbuf.len)
		wire_error(w, "A numeric value has trailing bytes.");
	if (!cj_numeric_is_finite(num))
		wire_error(w, "Touch values must be finite numbers.");
	return evbuf_add_value(b, num);
}

/*
 * The labels b's records use, numbered 0, 1, ... in order of first use
 * into m (which the caller frees): local[2 i] and local[2 i + 1] are record
 * i's channel and event local ids, -1 for NULL.  A written value carries
 * only its own labels.
 */
int32 *
evbuf_local_labels(const EventBuffer *b, IdMap *m)
{
	int32	   *local = palloc(Max(b->n, 1) * 2 * sizeof(int32));
	int32		i;

	idmap_init(m, 16);
	for (i = 0; i < b->n; i++)
	{
		CJ_CHECK_EVERY(i);
		local[2 * i] = idmap_add(m, b->ev[i].channel);
		local[2 * i + 1] = idmap_add(m, b->ev[i].event);
	}
	return local;
}

/*
 * Write the buffer: version, stage list, the labels it uses, records with
 * local label ids, then values in numeric's binary format.
 */
void
evbuf_write(StringInfo buf, const EventBuffer *b, int flavour)
{
	IdMap		m;
	int32	   *local;
	int32		i;

	/* number the labels first, so they can be written before the records */
	local = evbuf_local_labels(b, &m);

	pq_sendbyte(buf, EVBUF_WIRE_VERSION);
	pq_sendbyte(buf, 0);
	if (b->stages == NULL)
		pq_sendint32(buf, 0);
	else
	{
		pq_sendint32(buf, b->stages->n);
		for (i = 0; i < b->stages->n; i++)
			wire_put_text(buf, b->stages->label[i], b->stages->len[i], flavour);
	}
	pq_sendint32(buf, m.n);
	for (i = 0; i < m.n; i++)
		wire_put_text(buf, b->dict->str[m.ids[i]], b->dict->len[m.ids[i]], flavour);
	pq_sendint32(buf, b->n);
	for (i = 0; i < b->n; i++)
	{
		const CjEvent *e = &b->ev[i];

		CJ_CHECK_EVERY(i);
		pq_sendint64(buf, e->ts);
		pq_sendint64(buf, e->mask);
		pq_sendint32(buf, e->stage);
		pq_sendint32(buf, local[2 * i]);
		pq_sendint32(buf, local[2 * i + 1]);
		pq_sendint32(buf, e->value);
	}
	pq_sendint32(buf, b->nvalues);
	for (i = 0; i < b->nvalues; i++)
	{
		CJ_CHECK_EVERY(i);
		evbuf_write_value(buf, b->values[i]);
	}
	pfree(local);
	idmap_free(&m);
}

/*
 * Read a buffer written by evbuf_write, into mcxt, interning labels into
 * dict.  Checks every count, length and index; the caller checks that the
 * message has no trailing bytes.  Records are sorted on return.
 */
EventBuffer *
evbuf_read(StringInfo msg, MemoryContext mcxt, LabelDict *dict, int flavour,
		   const char *type_name)
{
	WireReader	w;
	StageList  *sl = NULL;
	EventBuffer *b;
	int32		nstages,
				nlabels,
				nevents,
				nvalues,
				i;
	int32	   *labelmap;
	bool	   *label_used;
	bool	   *value_used;
	int32		max_labels;
	IdMap		seen;
	MemoryContext old;

	wire_reader_init(&w, msg, type_name);
	wire_version(&w, EVBUF_WIRE_VERSION);
	if (wire_byte(&w) != 0)
		wire_error(&w, "Reserved byte is not zero.");

	old = MemoryContextSwitchTo(mcxt);
	nstages = wire_int32(&w);
	if (nstages < 0)
		wire_error(&w, "The stage count is negative.");
	if (nstages > CJ_MAX_STAGES)
		wire_limit(&w, psprintf("A stage list holds at most %d stages; this one has %d.",
								CJ_MAX_STAGES, nstages));
	if (nstages > 0)
	{
		sl = palloc0(sizeof(StageList));
		for (i = 0; i < nstages; i++)
		{
			int			len;
			char	   *s = wire_text(&w, flavour, &len);

			switch (stagelist_add_label(sl, s, len))
			{
				case STAGE_LABEL_OK:
					break;
				case STAGE_LABEL_DUPLICATE:
					wire_error(&w, psprintf("Stage \"%s\" appears twice in the stage list.", s));
				default:
					/* too many cannot happen: nstages was checked */
					wire_error(&w, psprintf("Stage label %d has %d bytes; stage labels have 1 to %d.",
											i + 1, len, NAMEDATALEN - 1));
			}
		}
		stagelist_finish(sl);
	}

	nlabels = wire_int32(&w);
	max_labels = (flavour == EVBUF_WIRE_CLIENT) ? CJ_MAX_LABELS : 2 * CJ_MAX_TOUCHES;
	if (nlabels < 0)
		wire_error(&w, "The label count is negative.");
	if (nlabels > max_labels)
		wire_limit(&w, psprintf("A journey holds at most %d distinct labels; this one has %d.",
								max_labels, nlabels));
	wire_need(&w, (int64) nlabels * 4);
	labelmap = palloc(Max(nlabels, 1) * sizeof(int32));
	label_used = palloc0(Max(nlabels, 1) * sizeof(bool));
	idmap_init(&seen, nlabels);
	for (i = 0; i < nlabels; i++)
	{
		int			len;
		char	   *s = wire_text(&w, flavour, &len);

		CJ_CHECK_EVERY(i);
		label_check(s, len, true);
		labelmap[i] = labeldict_intern(dict, s, len);
		if (idmap_add(&seen, labelmap[i]) != i)
			wire_error(&w, psprintf("Label \"%s\" appears twice.", s));
	}
	idmap_free(&seen);

	nevents = wire_int32(&w);
	if (nevents < 0)
		wire_error(&w, "The touch count is negative.");
	if (nevents > CJ_MAX_TOUCHES)
		wire_limit(&w, psprintf("A journey holds at most %d touches; this one has %d.",
								CJ_MAX_TOUCHES, nevents));
	if (nevents > 0 && sl == NULL)
		wire_error(&w, "Touches without a stage list.");
	wire_need(&w, (int64) nevents * 32);

	b = evbuf_create(mcxt, sl, dict);
	evbuf_reserve(b, nevents);
	for (i = 0; i < nevents; i++)
	{
		CjEvent    *e = &b->ev[i];

		CJ_CHECK_EVERY(i);
		e->ts = wire_int64(&w);
		e->mask = (uint64) wire_int64(&w);
		e->stage = wire_int32(&w);
		e->channel = wire_int32(&w);
		e->event = wire_int32(&w);
		e->value = wire_int32(&w);
		if (!CJ_TIME_IN_RANGE(e->ts))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("touch time out of range in binary value of type %s", type_name),
					 errdetail("Touch times must lie in the years 1 to 9999.")));
		if (e->stage < 0 || e->stage >= nstages)
			wire_error(&w, psprintf("Touch %d has stage ordinal %d; the stage list has %d stages.",
									i + 1, e->stage, nstages));
		if (e->channel < -1 || e->channel >= nlabels ||
			e->event < -1 || e->event >= nlabels)
			wire_error(&w, psprintf("Touch %d refers to a label that does not exist.", i + 1));
		if (e->channel >= 0)
		{
			label_used[e->channel] = true;
			e->channel = labelmap[e->channel];
		}
		if (e->event >= 0)
		{
			label_used[e->event] = true;
			e->event = labelmap[e->event];
		}
		if (e->value < -1)
			wire_error(&w, psprintf("Touch %d has an invalid value index.", i + 1));
	}
	b->n = nevents;
	for (i = 0; i < nlabels; i++)
		if (!label_used[i])
			wire_error(&w, "A label belongs to no touch.");

	nvalues = wire_int32(&w);
	if (nvalues < 0 || nvalues > nevents)
		wire_error(&w, psprintf("The value has %d numeric values for %d touches.",
								nvalues, nevents));
	value_used = palloc0(Max(nvalues, 1) * sizeof(bool));
	for (i = 0; i < nevents; i++)
	{
		int32		v = b->ev[i].value;

		if (v < 0)
			continue;
		if (v >= nvalues || value_used[v])
			wire_error(&w, psprintf("Touch %d has an invalid value index.", i + 1));
		value_used[v] = true;
	}
	for (i = 0; i < nvalues; i++)
	{
		CJ_CHECK_EVERY(i);
		if (!value_used[i])
			wire_error(&w, "A numeric value belongs to no touch.");
		evbuf_read_value(&w, b);
	}
	MemoryContextSwitchTo(old);

	/* recompute the sorted flag, then sort */
	b->sorted = true;
	for (i = 1; i < b->n && b->sorted; i++)
	{
		CJ_CHECK_EVERY(i);
		if (evbuf_event_cmp(b, &b->ev[i - 1], b, &b->ev[i]) > 0)
			b->sorted = false;
	}
	evbuf_sort(b);
	return b;
}
