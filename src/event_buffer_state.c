/*-------------------------------------------------------------------------
 *
 * event_buffer_state.c
 *		The compact form of an aggregate's event records between backends.
 *
 * A parallel aggregate over a time-ordered table hands the leader one
 * partial state per customer per worker: on the bench table 457k states
 * for 200k customers, every one serialized, sent through a tuple queue,
 * read back and merged, while the leader alone does the finalize.  That
 * serial part decides whether two workers beat one backend, so this form
 * is small and cheap to read, unlike the client wire format of evbuf_write
 * (32 bytes a record, the stage list as text every time), which stays as
 * it is for binary send/recv.
 *
 * Layout (varint: unsigned LEB128, wire_put_varint):
 *
 *	uint8	flags (EVS_*: where the stage list comes from)
 *	stage list, with EVS_OWN_STAGES only: varint n, n x (int32 length, bytes)
 *	varint	nlabels, nlabels x label (varint length, bytes)
 *	varint	nvalues, nvalues x value (evbuf_write_value)
 *	varint	nrecords
 *	records in canonical order: the first time as int64, then per record
 *			varint time delta from the previous record (none for the
 *			first), varint mask, varint stage ordinal, varint channel and
 *			event local label id + 1 (0: NULL), varint value index + 1
 *			(0: none)
 *
 * With the analysis's stage list known to both ends, a funnel record takes
 * 6 to 9 bytes.  The form is internal (it never leaves a query), so it
 * carries no version of its own: the aggregate's version byte covers it.
 * (Bytes of the format before 0.3.0, from a worker that loaded another
 * build of the library, begin 0x01 0x00: an own stage list of no stages,
 * always rejected; and a reader of that format rejects this one, as a
 * reserved byte that is not zero or an unknown version.)
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "event_buffer.h"
#include "wire.h"

#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"

#define EVS_OWN_STAGES		0x01	/* the stage list follows */
#define EVS_DEFAULT_STAGES	0x02	/* the built-in lifecycle */
#define EVS_KNOWN_STAGES	0x04	/* the reader's known list (the analysis's) */

/* labels of a state mapped on the stack while it is read, beyond: palloc */
#define EVS_STACK_LABELS	32

/*
 * Write b's records in the compact form.  known is the stage list both
 * ends take from the analysis (NULL if the rows bring their own).  The
 * records are put in canonical order first, here in the worker, so the
 * leader can merge instead of sort.
 */
void
evbuf_write_state(StringInfo buf, EventBuffer *b, const StageList *known)
{
	IdMap		m;
	int32	   *local;
	int32		i;
	uint8		flags;
	TimestampTz prev = 0;

	evbuf_sort(b);
	if (b->stages == NULL)
		flags = 0;
	else if (known != NULL && (b->stages == known || stagelist_equal(b->stages, known)))
		flags = EVS_KNOWN_STAGES;
	else if (b->stages->is_default)
		flags = EVS_DEFAULT_STAGES;
	else
		flags = EVS_OWN_STAGES;
	pq_sendbyte(buf, flags);
	if (flags & EVS_OWN_STAGES)
	{
		wire_put_varint(buf, b->stages->n);
		for (i = 0; i < b->stages->n; i++)
			wire_put_text(buf, b->stages->label[i], b->stages->len[i], WIRE_INTERNAL);
	}

	local = evbuf_local_labels(b, &m);
	wire_put_varint(buf, m.n);
	for (i = 0; i < m.n; i++)
	{
		wire_put_varint(buf, b->dict->len[m.ids[i]]);
		appendBinaryStringInfo(buf, b->dict->str[m.ids[i]], b->dict->len[m.ids[i]]);
	}

	wire_put_varint(buf, b->nvalues);
	for (i = 0; i < b->nvalues; i++)
	{
		CJ_CHECK_EVERY(i);
		evbuf_write_value(buf, b->values[i]);
	}

	wire_put_varint(buf, b->n);
	for (i = 0; i < b->n; i++)
	{
		const CjEvent *e = &b->ev[i];

		CJ_CHECK_EVERY(i);
		if (i == 0)
			pq_sendint64(buf, e->ts);
		else
			wire_put_varint(buf, (uint64) e->ts - (uint64) prev);
		prev = e->ts;
		wire_put_varint(buf, e->mask);
		wire_put_varint(buf, (uint64) e->stage);
		/* local ids + 1: NULL (-1) is 0 */
		wire_put_varint(buf, (uint64) (local[2 * i] + 1));
		wire_put_varint(buf, (uint64) (local[2 * i + 1] + 1));
		wire_put_varint(buf, (uint64) (e->value + 1));
	}
	pfree(local);
	idmap_free(&m);
}

/* Each label once: a state names its labels, it does not repeat them. */
static void
labels_distinct(WireReader *w, const int32 *ids, int32 n)
{
	int32		i,
				j;

	if (n <= 16)
	{
		/* a customer's partial state: a handful of labels */
		for (i = 1; i < n; i++)
			for (j = 0; j < i; j++)
				if (ids[i] == ids[j])
					wire_error(w, "A label appears twice.");
	}
	else
	{
		IdMap		seen;

		idmap_init(&seen, n);
		for (i = 0; i < n; i++)
		{
			CJ_CHECK_EVERY(i);
			if (idmap_add(&seen, ids[i]) != i)
				wire_error(w, "A label appears twice.");
		}
		idmap_free(&seen);
	}
}

/*
 * Read records written by evbuf_write_state into b, an empty buffer set up
 * with its context and dictionary (evbuf_init), which the labels are
 * interned into; known as the writer had it.  A stage list of the state's
 * own is read into the current memory context (the caller interns it).
 * Times are timestamptz within cjourney's range unless int_times (a bigint
 * time column: any int64, as the transition function took it).  Every count, length, index and time
 * is checked (22P03; a state only ever comes from another backend of the
 * query, so a bad one is damage, not a limit); the caller checks for
 * trailing bytes.  The records are in canonical order on return, whatever
 * the bytes claimed.
 */
void
evbuf_read_state(WireReader *w, EventBuffer *b, const StageList *known, bool int_times)
{
	uint8		flags = wire_byte(w);
	const StageList *sl = NULL;
	LabelDict  *dict = b->dict;
	int32		nlabels,
				nvalues,
				nrecords,
				i;
	int32		stack_map[EVS_STACK_LABELS];
	bool		stack_used[2 * EVS_STACK_LABELS];
	int32	   *labelmap;
	bool	   *used;
	TimestampTz ts = 0;

	Assert(b->n == 0 && b->nvalues == 0);

	if (flags != 0 && flags != EVS_OWN_STAGES && flags != EVS_DEFAULT_STAGES &&
		flags != EVS_KNOWN_STAGES)
		wire_error(w, "Unknown stage list flags.");
	if (flags & EVS_KNOWN_STAGES)
	{
		if (known == NULL)
			wire_error(w, "The state names the analysis's stage list, but it has none.");
		sl = known;
	}
	else if (flags & EVS_DEFAULT_STAGES)
		sl = stagelist_default();
	else if (flags & EVS_OWN_STAGES)
	{
		int32		nstages = (int32) wire_varint(w, CJ_MAX_STAGES, "stage count");
		StageList  *own = palloc0(sizeof(StageList));

		if (nstages == 0)
			wire_error(w, "The stage list is empty.");
		for (i = 0; i < nstages; i++)
		{
			int			len;
			char	   *s = wire_text(w, WIRE_INTERNAL, &len);

			if (stagelist_add_label(own, s, len) != STAGE_LABEL_OK)
				wire_error(w, psprintf("Stage label %d is empty, too long or a duplicate.", i + 1));
		}
		stagelist_finish(own);
		sl = own;
	}

	nlabels = (int32) wire_varint(w, 2 * CJ_MAX_TOUCHES, "label count");
	wire_need(w, nlabels);
	/* a partial state has a few labels: the maps go on the stack */
	labelmap = (nlabels <= EVS_STACK_LABELS) ? stack_map
		: palloc(nlabels * sizeof(int32));
	for (i = 0; i < nlabels; i++)
	{
		/* read in place: interning copies a label the dictionary lacks */
		int			len = (int) wire_varint(w, CJ_MAX_LABEL_BYTES, "label length");
		const char *s = wire_bytes(w, len);

		CJ_CHECK_EVERY(i);
		if (memchr(s, '\0', len) != NULL)
			wire_error(w, "A label contains a zero byte.");
		if (!pg_verify_mbstr(GetDatabaseEncoding(), s, len, true))
			wire_error(w, "A label is not valid in the database encoding.");
		labelmap[i] = labeldict_intern(dict, s, len);
	}
	labels_distinct(w, labelmap, nlabels);

	b->stages = sl;
	nvalues = (int32) wire_varint(w, CJ_MAX_TOUCHES, "value count");
	for (i = 0; i < nvalues; i++)
	{
		CJ_CHECK_EVERY(i);
		(void) evbuf_read_value(w, b);
	}

	nrecords = (int32) wire_varint(w, CJ_MAX_TOUCHES, "record count");
	if (nrecords > 0 && sl == NULL)
		wire_error(w, "Records without a stage list.");
	/* a record takes at least 6 bytes (the first 13) */
	wire_need(w, (int64) nrecords * 6);
	evbuf_reserve(b, nrecords);
	used = (nlabels + nvalues <= 2 * EVS_STACK_LABELS) ? stack_used
		: palloc((nlabels + nvalues) * sizeof(bool));
	memset(used, 0, (nlabels + nvalues) * sizeof(bool));
	for (i = 0; i < nrecords; i++)
	{
		CjEvent    *e = &b->ev[i];
		uint64		ch,
					ev,
					vi;

		CJ_CHECK_EVERY(i);
		if (i == 0)
			ts = wire_int64(w);
		else
		{
			/* up to PG_INT64_MAX, computed without a signed overflow */
			uint64		delta = wire_varint(w, (uint64) PG_INT64_MAX - (uint64) ts,
											"time delta");

			ts = (int64) ((uint64) ts + delta);
		}
		if (!int_times && !CJ_TIME_IN_RANGE(ts))
			wire_error(w, psprintf("Record %d has a time out of range.", i + 1));
		e->ts = ts;
		e->mask = wire_varint(w, PG_UINT64_MAX, "mask");
		e->stage = (int32) wire_varint(w, sl->n - 1, "stage ordinal");
		ch = wire_varint(w, nlabels, "label index");
		ev = wire_varint(w, nlabels, "label index");
		vi = wire_varint(w, nvalues, "value index");
		if (ch > 0)
			used[ch - 1] = true;
		if (ev > 0)
			used[ev - 1] = true;
		e->channel = ch > 0 ? labelmap[ch - 1] : -1;
		e->event = ev > 0 ? labelmap[ev - 1] : -1;
		e->value = (int32) vi - 1;
		if (vi > 0)
		{
			if (used[nlabels + vi - 1])
				wire_error(w, psprintf("Record %d shares a numeric value with another.", i + 1));
			used[nlabels + vi - 1] = true;
		}
	}
	b->n = nrecords;
	for (i = 0; i < nlabels + nvalues; i++)
		if (!used[i])
			wire_error(w, i < nlabels ? "A label belongs to no record."
					   : "A numeric value belongs to no record.");
	if (used != stack_used)
		pfree(used);
	if (labelmap != stack_map)
		pfree(labelmap);

	/* written in canonical order: check it rather than trust it */
	for (i = 1; i < b->n; i++)
	{
		CJ_CHECK_EVERY(i);
		if (evbuf_event_cmp(b, &b->ev[i - 1], b, &b->ev[i]) > 0)
		{
			b->sorted = false;
			break;
		}
	}
	evbuf_sort(b);
}
