/*-------------------------------------------------------------------------
 *
 * journey_format.c
 *		Encode sorted event buffers into journey values; read them back.
 *
 * Layout (after the 4-byte varlena header; integers are native-endian,
 * "varint" is unsigned LEB128):
 *
 *	uint8	version
 *	uint8	flags (JF_*)
 *	varint	ntouches, nlabels, nvalues
 *	int64	t0, the first touch's time (only when ntouches > 0)
 *	stage list, unless JF_DEFAULT_STAGES: uint8 n, then n x (uint8 len, bytes)
 *	labels: nlabels x (varint len, bytes), in order of first use
 *	touches: ntouches x (delta from t0 in the time unit, 4 or 8 bytes;
 *			 uint8 stage ordinal; channel and event as label index + 1,
 *			 0 for NULL, 1 or 2 bytes each, absent with JF_NO_LABELS)
 *	values: nvalues x (varint touch index, varint len, numeric payload)
 *
 * Every choice (unit, widths, label order) is a function of the content,
 * which makes the encoding canonical.  With second-resolution times and
 * few labels a touch takes 7 bytes.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "journey_format.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

/* labels of a view mapped on the stack in jview_to_buffer, beyond: palloc */
#define JVIEW_STACK_LABELS 64

pg_attribute_noreturn()
static void
corrupt(const JourneyView *v, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("corrupt %s value", v->type_name),
			 errdetail_internal("%s", what)));
}

static int
varint_size(uint64 x)
{
	int			n = 1;

	while (x >= 0x80)
	{
		x >>= 7;
		n++;
	}
	return n;
}

static char *
varint_put(char *p, uint64 x)
{
	while (x >= 0x80)
	{
		*p++ = (char) ((x & 0x7F) | 0x80);
		x >>= 7;
	}
	*p++ = (char) x;
	return p;
}

/* varint_get for more than one byte */
static uint64
varint_get_long(const JourneyView *v, const unsigned char **pp,
				const unsigned char *end, uint64 limit)
{
	const unsigned char *p = *pp;
	uint64		x = 0;
	int			shift = 0;

	for (;;)
	{
		if (p >= end || shift > 56)
			corrupt(v, "truncated length field");
		x |= (uint64) (*p & 0x7F) << shift;
		if ((*p++ & 0x80) == 0)
			break;
		shift += 7;
	}
	if (x > limit)
		corrupt(v, "length field out of range");
	*pp = p;
	return x;
}

/*
 * Read a varint below limit, advancing *pp; corrupt if it runs past end.
 * Inline for the one-byte case: label lengths, read for every label of
 * every journey read.
 */
static inline uint64
varint_get(const JourneyView *v, const unsigned char **pp,
		   const unsigned char *end, uint64 limit)
{
	const unsigned char *p = *pp;

	if (likely(p < end && *p < 0x80 && *p <= limit))
	{
		*pp = p + 1;
		return *p;
	}
	return varint_get_long(v, pp, end, limit);
}

static inline uint64
get_uint(const unsigned char *p, int width)
{
	switch (width)
	{
		case 0:
			return 0;
		case 1:
			return p[0];
		case 2:
			{
				uint16		x;

				memcpy(&x, p, 2);
				return x;
			}
		case 4:
			{
				uint32		x;

				memcpy(&x, p, 4);
				return x;
			}
		default:
			{
				uint64		x;

				memcpy(&x, p, 8);
				return x;
			}
	}
}

static inline char *
put_uint(char *p, uint64 x, int width)
{
	switch (width)
	{
		case 0:
			break;
		case 1:
			*p = (char) x;
			break;
		case 2:
			{
				uint16		y = (uint16) x;

				memcpy(p, &y, 2);
				break;
			}
		case 4:
			{
				uint32		y = (uint32) x;

				memcpy(p, &y, 4);
				break;
			}
		default:
			memcpy(p, &x, 8);
			break;
	}
	return p + width;
}

/*
 * Touch i's record is damaged: its time, stage or a label index is out of
 * range.  tw and iw are the view's widths, constants where a caller is
 * specialised for them.
 */
static pg_attribute_always_inline bool
touch_bad_w(const JourneyView *v, const unsigned char *r, uint64 *prev_delta,
			const int tw, const int iw)
{
	uint64		delta = get_uint(r, tw);
	uint64		ch = get_uint(r + tw + 1, iw);
	uint64		ev = get_uint(r + tw + 1 + iw, iw);
	bool		bad = delta < *prev_delta ||
		delta > (uint64) (CJ_END_TIME - v->t0) / v->unit ||
		r[tw] >= v->stages.n ||
		ch > (uint64) v->nlabels || ev > (uint64) v->nlabels;

	if (!bad)
		*prev_delta = delta;
	return bad;
}

static inline bool
touch_bad(const JourneyView *v, const unsigned char *r, uint64 *prev_delta)
{
	return touch_bad_w(v, r, prev_delta, v->tw, v->iw);
}

/* Say what is wrong with a record touch_bad found damaged. */
pg_attribute_noreturn()
static void
touch_corrupt(const JourneyView *v, const unsigned char *r, uint64 prev_delta)
{
	uint64		delta = get_uint(r, v->tw);

	if (delta < prev_delta || delta > (uint64) (CJ_END_TIME - v->t0) / v->unit)
		corrupt(v, "touch times out of order or out of range");
	if (r[v->tw] >= v->stages.n)
		corrupt(v, "stage ordinal out of range");
	corrupt(v, "label index out of range");
}

/*
 * Parse and check a stored value.  Every length and index is checked
 * against the datum's size, so a damaged value gives an error, not a crash;
 * the touch records only when check_touches (otherwise the caller checks
 * each record as it reads it: jview_decode).
 */
static void
jview_parse(JourneyView *v, const struct varlena *datum, const char *type_name,
			bool check_touches)
{
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(datum);
	const unsigned char *end = p + VARSIZE_ANY_EXHDR(datum);
	int32		i;
	uint64		prev_delta = 0;

	/*
	 * Everything but the stage list's arrays (3 kB, most of the view) is
	 * zeroed; the list's entries are set up to its length, the only ones
	 * read.  A view is set up per row of every scan of stored journeys.
	 */
	memset(v, 0, offsetof(JourneyView, stages));
	memset(&v->label, 0, sizeof(JourneyView) - offsetof(JourneyView, label));
	v->type_name = type_name;
	if (end - p < 2)
		corrupt(v, "value too short");
	if (p[0] != JOURNEY_FORMAT_VERSION)
		corrupt(v, "unknown format version");
	v->flags = p[1];
	if ((v->flags & ~JF_KNOWN_FLAGS) != 0 ||
		(v->flags & JF_UNIT_MASK) == JF_UNIT_MASK)
		corrupt(v, "unknown flags");
	p += 2;
	v->ntouches = (int32) varint_get(v, &p, end, CJ_MAX_TOUCHES);
	v->nlabels = (int32) varint_get(v, &p, end, CJ_MAX_LABELS);
	v->nvalues = (int32) varint_get(v, &p, end, v->ntouches);
	v->tw = (v->flags & JF_WIDE_TIME) ? 8 : 4;
	v->iw = (v->flags & JF_NO_LABELS) ? 0 : (v->flags & JF_WIDE_LABELS) ? 2 : 1;
	if ((v->flags & JF_NO_LABELS) && (v->nlabels != 0 || v->nvalues != 0))
		corrupt(v, "labels or values in a value without labels");
	v->recsize = v->tw + 1 + 2 * v->iw;
	switch (v->flags & JF_UNIT_MASK)
	{
		case JF_UNIT_SEC:
			v->unit = USECS_PER_SEC;
			break;
		case JF_UNIT_MSEC:
			v->unit = 1000;
			break;
		default:
			v->unit = 1;
			break;
	}
	if (v->ntouches > 0)
	{
		if (end - p < 8)
			corrupt(v, "truncated header");
		memcpy(&v->t0, p, 8);
		p += 8;
		if (!CJ_TIME_IN_RANGE(v->t0))
			corrupt(v, "first touch time out of range");
	}

	if (v->flags & JF_DEFAULT_STAGES)
	{
		const StageList *def = stagelist_default();

		v->stages.n = def->n;
		v->stages.is_default = true;
		memcpy(v->stages.label, def->label, def->n * sizeof(def->label[0]));
		memcpy(v->stages.len, def->len, def->n * sizeof(def->len[0]));
	}
	else
	{
		if (p >= end)
			corrupt(v, "truncated stage list");
		v->stages.n = *p++;
		if (v->stages.n == 0)
			corrupt(v, "empty stage list");

		/*
		 * XXX Only the length rule of stage.c: a stored list was checked in
		 * full (stagelist_add_label) when the value was built, and looking
		 * for duplicates here would cost O(n^2) on every read of a value (ten
		 * times the whole read for a 255-stage list).
		 */
		for (i = 0; i < v->stages.n; i++)
		{
			if (p >= end)
				corrupt(v, "truncated stage list");
			v->stages.len[i] = *p++;
			if (stage_label_check(v->stages.len[i]) != STAGE_LABEL_OK ||
				end - p < v->stages.len[i])
				corrupt(v, "bad stage label length");
			v->stages.label[i] = (const char *) p;
			p += v->stages.len[i];
		}
		v->stages.is_default = false;
	}

	/*
	 * One allocation for the label arrays and one (only when there are
	 * values) for the value arrays: a view is built once per row of a scan
	 * of stored journeys, so its allocations show in every such query.
	 */
	{
		char	   *mem = palloc(Max(v->nlabels, 1) * (sizeof(char *) + sizeof(int32)));

		v->label = (const char **) mem;
		v->label_len = (int32 *) (mem + Max(v->nlabels, 1) * sizeof(char *));
	}
	for (i = 0; i < v->nlabels; i++)
	{
		v->label_len[i] = (int32) varint_get(v, &p, end, CJ_MAX_LABEL_BYTES);
		if (end - p < v->label_len[i])
			corrupt(v, "truncated label");
		v->label[i] = (const char *) p;
		p += v->label_len[i];
	}

	if ((end - p) / v->recsize < v->ntouches)
		corrupt(v, "truncated touches");
	v->touches = p;
	for (i = 0; check_touches && i < v->ntouches; i++)
	{
		const unsigned char *r = p + (Size) i * v->recsize;

		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		if (touch_bad(v, r, &prev_delta))
			touch_corrupt(v, r, prev_delta);
	}
	p += (Size) v->ntouches * v->recsize;

	if (v->nvalues > 0)
	{
		char	   *mem = palloc(v->nvalues * (sizeof(char *) + 2 * sizeof(int32)));

		v->value_ptr = (const char **) mem;
		v->value_touch = (int32 *) (mem + v->nvalues * sizeof(char *));
		v->value_len = v->value_touch + v->nvalues;
	}
	for (i = 0; i < v->nvalues; i++)
	{
		v->value_touch[i] = (int32) varint_get(v, &p, end, v->ntouches - 1);
		if (i > 0 && v->value_touch[i] <= v->value_touch[i - 1])
			corrupt(v, "values out of order");
		v->value_len[i] = (int32) varint_get(v, &p, end, CJ_MAX_JOURNEY_BYTES);
		if (v->value_len[i] < 2 || end - p < v->value_len[i])
			corrupt(v, "truncated value");
		v->value_ptr[i] = (const char *) p;
		p += v->value_len[i];
	}
	if (p != end)
		corrupt(v, "trailing bytes");
}

/* Parse and check a stored value (every touch record too). */
void
jview_init(JourneyView *v, const struct varlena *datum, const char *type_name)
{
	jview_parse(v, datum, type_name, true);
}

/*
 * Parse and check a stored value but not its touch records, for the
 * accessors that read the header and at most a touch or two: they check
 * each record they read with jview_check_touch.  Every length is still
 * checked, so reading any record of the view stays within the datum.
 */
void
jview_init_header(JourneyView *v, const struct varlena *datum, const char *type_name)
{
	jview_parse(v, datum, type_name, false);
}

/* Check touch i of a view from jview_init_header on its own (no order). */
void
jview_check_touch(const JourneyView *v, int32 i)
{
	const unsigned char *r = v->touches + (Size) i * v->recsize;
	uint64		zero = 0;

	Assert(i >= 0 && i < v->ntouches);
	if (touch_bad(v, r, &zero))
		touch_corrupt(v, r, 0);
}

/* Time of touch i. */
TimestampTz
jview_time(const JourneyView *v, int32 i)
{
	const unsigned char *r = v->touches + (Size) i * v->recsize;

	return v->t0 + (int64) get_uint(r, v->tw) * v->unit;
}

/* Stage ordinal of touch i. */
int
jview_stage(const JourneyView *v, int32 i)
{
	return v->touches[(Size) i * v->recsize + v->tw];
}

/* All fields of touch i. */
void
jview_touch(const JourneyView *v, int32 i, JTouch *t)
{
	const unsigned char *r = v->touches + (Size) i * v->recsize;

	t->ts = v->t0 + (int64) get_uint(r, v->tw) * v->unit;
	t->stage = r[v->tw];
	t->channel = (int32) get_uint(r + v->tw + 1, v->iw) - 1;
	t->event = (int32) get_uint(r + v->tw + 1 + v->iw, v->iw) - 1;
	t->value = -1;
	if (v->nvalues > 0)
	{
		int32		lo = 0,
					hi = v->nvalues - 1;

		while (lo <= hi)
		{
			int32		mid = lo + (hi - lo) / 2;

			if (v->value_touch[mid] == i)
			{
				t->value = mid;
				break;
			}
			if (v->value_touch[mid] < i)
				lo = mid + 1;
			else
				hi = mid - 1;
		}
	}
}

/* Value vi as a numeric datum (palloc'd). */
Datum
jview_value(const JourneyView *v, int32 vi)
{
	struct varlena *n = palloc(VARHDRSZ + v->value_len[vi]);

	SET_VARSIZE(n, VARHDRSZ + v->value_len[vi]);
	memcpy(VARDATA(n), v->value_ptr[vi], v->value_len[vi]);
	return PointerGetDatum(n);
}

/* Label li as text. */
text *
jview_label_text(const JourneyView *v, int32 li)
{
	return cstring_to_text_with_len(v->label[li], v->label_len[li]);
}

static int
view_label_cmp(const JourneyView *a, int32 la, const JourneyView *b, int32 lb)
{
	int			c;

	if (la < 0 || lb < 0)
		return (la < 0) ? ((lb < 0) ? 0 : -1) : 1;
	c = memcmp(a->label[la], b->label[lb], Min(a->label_len[la], b->label_len[lb]));
	if (c != 0)
		return c < 0 ? -1 : 1;
	return (a->label_len[la] < b->label_len[lb]) ? -1 :
		(a->label_len[la] > b->label_len[lb]) ? 1 : 0;
}

/* Order of touch i of a and touch j of b, as in evbuf_event_cmp. */
int
jview_touch_cmp(const JourneyView *a, int32 i, const JourneyView *b, int32 j)
{
	JTouch		x,
				y;
	int			c;

	jview_touch(a, i, &x);
	jview_touch(b, j, &y);
	if (x.ts != y.ts)
		return x.ts < y.ts ? -1 : 1;
	if (x.stage != y.stage)
		return x.stage < y.stage ? -1 : 1;
	c = view_label_cmp(a, x.channel, b, y.channel);
	if (c == 0)
		c = view_label_cmp(a, x.event, b, y.event);
	if (c == 0 && (x.value >= 0 || y.value >= 0))
	{
		if (x.value < 0 || y.value < 0)
			c = (x.value < 0) ? -1 : 1;
		else
			c = value_cmp(jview_value(a, x.value), jview_value(b, y.value));
	}
	return c;
}

/*
 * Total order on values: touch by touch, then the shorter first, then the
 * stage lists.  Zero exactly when the stored bytes are equal.
 */
int
jview_cmp(const JourneyView *a, const JourneyView *b)
{
	int32		n = Min(a->ntouches, b->ntouches);
	int32		i;

	for (i = 0; i < n; i++)
	{
		int			c = jview_touch_cmp(a, i, b, i);

		if (c != 0)
			return c;
	}
	if (a->ntouches != b->ntouches)
		return a->ntouches < b->ntouches ? -1 : 1;
	return stagelist_cmp(&a->stages, &b->stages);
}

/*
 * Encode a buffer (sorted here) as a stored value.  Labels are numbered in
 * order of first use along the sorted touches, so the bytes depend only on
 * the content.
 */
static struct varlena *
encode(EventBuffer *b, bool stages_only)
{
	IdMap		m;
	int32	   *local;			/* local label number + 1 of each record's channel, event */
	int32		nlabels,
				i;
	uint8		flags = 0;
	int64		unit = USECS_PER_SEC;
	uint64		maxdelta = 0;
	int			tw,
				iw;
	Size		size;
	struct varlena *result;
	char	   *p;
	TimestampTz t0 = 0;

	Assert(b->stages != NULL);
	evbuf_sort(b);
	if (b->n > CJ_MAX_TOUCHES)
		cj_too_many_touches();
	if (stages_only)
	{
		/* keep distinct (time, stage) pairs: duplicates change no answer */
		int32		k = 0;

		for (i = 0; i < b->n; i++)
			if (k == 0 || b->ev[i].ts != b->ev[k - 1].ts || b->ev[i].stage != b->ev[k - 1].stage)
			{
				b->ev[k] = b->ev[i];
				b->ev[k].channel = b->ev[k].event = b->ev[k].value = -1;
				b->ev[k].mask = 0;
				k++;
			}
		b->n = k;
	}

	/* labels in order of first use along the sorted records */
	idmap_init(&m, 16);
	local = palloc(Max(b->n, 1) * 2 * sizeof(int32));
	for (i = 0; i < b->n; i++)
	{
		local[2 * i] = idmap_add(&m, b->ev[i].channel) + 1;
		local[2 * i + 1] = idmap_add(&m, b->ev[i].event) + 1;
	}
	nlabels = m.n;
	if (nlabels > CJ_MAX_LABELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey has too many distinct channel and event labels"),
				 errdetail("A journey holds at most %d distinct labels; this one has %d.",
						   CJ_MAX_LABELS, nlabels)));

	if (b->n > 0)
	{
		bool		sec = true,
					msec = true;

		t0 = b->ev[0].ts;
		for (i = 0; i < b->n; i++)
		{
			uint64		d = (uint64) (b->ev[i].ts - t0);

			if (d % USECS_PER_SEC != 0)
				sec = false;
			if (d % 1000 != 0)
				msec = false;
			maxdelta = d;		/* sorted, so the last is the largest */
		}
		unit = sec ? USECS_PER_SEC : msec ? 1000 : 1;
	}
	flags |= (unit == USECS_PER_SEC) ? JF_UNIT_SEC : (unit == 1000) ? JF_UNIT_MSEC : JF_UNIT_USEC;
	tw = (maxdelta / unit > PG_UINT32_MAX) ? 8 : 4;
	if (tw == 8)
		flags |= JF_WIDE_TIME;
	iw = stages_only ? 0 : (nlabels > 255) ? 2 : 1;
	if (iw == 2)
		flags |= JF_WIDE_LABELS;
	if (stages_only)
		flags |= JF_NO_LABELS;
	if (b->stages->is_default)
		flags |= JF_DEFAULT_STAGES;

	/* size */
	size = VARHDRSZ + 2 + varint_size(b->n) + varint_size(nlabels) +
		varint_size(b->nvalues) + (b->n > 0 ? 8 : 0);
	if (!b->stages->is_default)
	{
		size += 1;
		for (i = 0; i < b->stages->n; i++)
			size += 1 + b->stages->len[i];
	}
	for (i = 0; i < nlabels; i++)
	{
		int32		len = b->dict->len[m.ids[i]];

		size += varint_size(len) + len;
	}
	size += (Size) b->n * (tw + 1 + 2 * iw);
	for (i = 0; i < b->n; i++)
		if (b->ev[i].value >= 0)
		{
			Size		vlen = VARSIZE_ANY_EXHDR(DatumGetPointer(b->values[b->ev[i].value]));

			size += varint_size(i) + varint_size(vlen) + vlen;
		}
	if (size > CJ_MAX_JOURNEY_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey is too large"),
				 errdetail("A journey may use at most %zu bytes; this one needs %zu.",
						   CJ_MAX_JOURNEY_BYTES, size)));

	result = palloc0(size);
	SET_VARSIZE(result, size);
	p = VARDATA(result);
	*p++ = JOURNEY_FORMAT_VERSION;
	*p++ = (char) flags;
	p = varint_put(p, b->n);
	p = varint_put(p, nlabels);
	{
		int32		nv = 0;

		for (i = 0; i < b->n; i++)
			if (b->ev[i].value >= 0)
				nv++;
		p = varint_put(p, nv);
	}
	if (b->n > 0)
	{
		memcpy(p, &t0, 8);
		p += 8;
	}
	if (!b->stages->is_default)
	{
		*p++ = (char) b->stages->n;
		for (i = 0; i < b->stages->n; i++)
		{
			*p++ = (char) b->stages->len[i];
			memcpy(p, b->stages->label[i], b->stages->len[i]);
			p += b->stages->len[i];
		}
	}
	for (i = 0; i < nlabels; i++)
	{
		int32		id = m.ids[i];

		p = varint_put(p, b->dict->len[id]);
		memcpy(p, b->dict->str[id], b->dict->len[id]);
		p += b->dict->len[id];
	}
	for (i = 0; i < b->n; i++)
	{
		const CjEvent *e = &b->ev[i];

		p = put_uint(p, (uint64) (e->ts - t0) / unit, tw);
		*p++ = (char) e->stage;
		p = put_uint(p, local[2 * i], iw);
		p = put_uint(p, local[2 * i + 1], iw);
	}
	for (i = 0; i < b->n; i++)
		if (b->ev[i].value >= 0)
		{
			const char *num = DatumGetPointer(b->values[b->ev[i].value]);
			Size		vlen = VARSIZE_ANY_EXHDR(num);

			p = varint_put(p, i);
			p = varint_put(p, vlen);
			memcpy(p, VARDATA_ANY(num), vlen);
			p += vlen;
		}
	Assert(p == (char *) result + size);
	pfree(local);
	idmap_free(&m);

#ifdef USE_ASSERT_CHECKING
	{
		JourneyView check;

		jview_init(&check, result, "journey");
		Assert(check.ntouches == b->n);
	}
#endif
	return result;
}

/* Encode a buffer as a journey (or touchpoint); the buffer gets sorted. */
struct varlena *
journey_encode(EventBuffer *b)
{
	return encode(b, false);
}

/*
 * Encode a buffer as a stage_time: distinct (time, stage) pairs only.  The
 * buffer gets sorted and deduplicated in place.
 */
struct varlena *
stage_time_encode(EventBuffer *b)
{
	return encode(b, true);
}

/*
 * Touches [from, to) of a view as an event buffer in mcxt, labels interned
 * into dict.  The stage list is copied.  With check, each record is checked
 * as it is read (the view was parsed without checking them); inlined twice
 * so that the unchecked loop carries no test.
 */
static pg_attribute_always_inline EventBuffer *
decode_touches(const JourneyView *v, MemoryContext mcxt, LabelDict *dict,
			   int32 from, int32 to, bool check)
{
	EventBuffer *b = evbuf_create(mcxt, v->stages.is_default ? stagelist_default()
								   : stagelist_copy(mcxt, &v->stages), dict);
	int32		stack_map[JVIEW_STACK_LABELS + 1];
	int32	   *labelmap;
	int32		vi = 0;
	int32		i;
	uint64		prev_delta = 0;

	/*
	 * labelmap[stored id]: stored ids are 1-based with 0 for NULL, so the
	 * map needs no branch per touch.  A journey has a handful of labels;
	 * the map goes on the stack unless it has many.
	 */
	labelmap = (v->nlabels <= JVIEW_STACK_LABELS) ? stack_map
		: palloc((v->nlabels + 1) * sizeof(int32));
	labelmap[0] = -1;
	for (i = 0; i < v->nlabels; i++)
		labelmap[i + 1] = labeldict_intern(dict, v->label[i], v->label_len[i]);
	if (to > from)
		evbuf_reserve(b, to - from);
	while (vi < v->nvalues && v->value_touch[vi] < from)
		vi++;

	/*
	 * The records are decoded straight into the buffer (checked here or by
	 * jview_init).  Touches with a value, rare in CRM data, take the general
	 * path that copies the value.
	 */
	for (i = from; i < to; i++)
	{
		const unsigned char *r = v->touches + (Size) i * v->recsize;
		TimestampTz ts;
		int32		stage;
		int32		channel;
		int32		event;
		CjEvent    *e;

		if (check && touch_bad(v, r, &prev_delta))
			touch_corrupt(v, r, prev_delta);
		ts = v->t0 + (int64) get_uint(r, v->tw) * v->unit;
		stage = r[v->tw];
		channel = labelmap[get_uint(r + v->tw + 1, v->iw)];
		event = labelmap[get_uint(r + v->tw + 1 + v->iw, v->iw)];

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (vi < v->nvalues && v->value_touch[vi] == i)
		{
			evbuf_append(b, ts, 0, stage, channel, event, jview_value(v, vi), true);
			vi++;
			continue;
		}
		e = &b->ev[b->n];
		e->ts = ts;
		e->mask = 0;
		e->stage = stage;
		e->channel = channel;
		e->event = event;
		e->value = -1;
		/* a stored journey is in canonical order; only ties need a look */
		if (b->sorted && b->n > 0 && e->ts <= e[-1].ts &&
			(e->ts < e[-1].ts || evbuf_event_cmp(b, e - 1, b, e) > 0))
			b->sorted = false;
		b->n++;
	}
	if (labelmap != stack_map)
		pfree(labelmap);
	return b;
}

/* Touches [from, to) of a checked view (jview_init) as an event buffer. */
EventBuffer *
jview_to_buffer(const JourneyView *v, MemoryContext mcxt, LabelDict *dict,
				int32 from, int32 to)
{
	return decode_touches(v, mcxt, dict, from, to, false);
}

/*
 * A stored value's touches as an event buffer in mcxt, labels interned into
 * dict: jview_init and jview_to_buffer in one pass over the records, which
 * are checked as they are decoded.  For the analyses that read a journey
 * once, whole.
 */
EventBuffer *
jview_decode(const struct varlena *datum, const char *type_name,
			 MemoryContext mcxt, LabelDict *dict)
{
	JourneyView v;

	jview_parse(&v, datum, type_name, false);
	return decode_touches(&v, mcxt, dict, 0, v.ntouches, true);
}

/*
 * Set up the masks of a parsed view's stages and labels (fill says what
 * each matches), on the stack (stack: 2 * (JVIEW_STACK_LABELS + 1)) unless
 * the view has many labels.
 */
static void
masks_setup(const JourneyView *v, JViewMaskFn fill, void *arg, JViewMasks *m, uint64 *stack)
{
	m->event = (v->nlabels <= JVIEW_STACK_LABELS) ? stack
		: palloc(2 * (v->nlabels + 1) * sizeof(uint64));
	m->channel = m->event + v->nlabels + 1;
	memset(m->event, 0, 2 * (v->nlabels + 1) * sizeof(uint64));
	memset(m->stage, 0, v->stages.n * sizeof(uint64));
	fill(v, arg, m);
	/* a NULL label matches nothing, whatever fill said */
	m->event[0] = m->channel[0] = 0;
}

/*
 * Whether every bit of required is on some stage or label of the view: a
 * touch's mask is the union of its stage's and labels' masks, so when one
 * is on none, no touch has it.  (A stage counts whether or not a touch is
 * in it: a step on stages never skips a journey.)
 */
static bool
masks_cover(const JourneyView *v, const JViewMasks *m, uint64 required)
{
	uint64		all = 0;
	int32		i;

	if (required == 0)
		return true;
	for (i = 0; i < v->stages.n; i++)
		all |= m->stage[i];
	for (i = 1; i <= v->nlabels; i++)
		all |= m->event[i] | m->channel[i];
	return (all & required) == required;
}

/*
 * The touch records of a parsed view, each checked as it is read, with
 * their masks: into ev[] (all of them, as CjEvents) or, when ev is NULL,
 * into tm[] (time and mask, only those with a mask unless keep_unmatched).
 * Returns the number written.  Inlined in each form so that neither loop
 * tests which it is.
 */
static pg_attribute_always_inline int32
decode_masked_w(const JourneyView *v, const JViewMasks *m, CjEvent *ev, TimedMask *tm,
				bool keep_unmatched, const int tw, const int iw)
{
	/* the view's fields in locals: stores to records may alias it */
	const unsigned char *touches = v->touches;
	const int	recsize = tw + 1 + 2 * iw;
	const TimestampTz t0 = v->t0;
	const int64 unit = v->unit;
	const int32 ntouches = v->ntouches;
	uint64		prev_delta = 0;
	int32		n = 0;
	int32		i;

	for (i = 0; i < ntouches; i++)
	{
		const unsigned char *r = touches + (Size) i * recsize;
		uint64		last = prev_delta;
		uint64		ch,
					evl,
					mask;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (touch_bad_w(v, r, &prev_delta, tw, iw))
			touch_corrupt(v, r, prev_delta);
		if (i > 0 && prev_delta == last && jview_touch_cmp(v, i - 1, v, i) > 0)
			corrupt(v, "touches at one instant out of order");
		ch = get_uint(r + tw + 1, iw);
		evl = get_uint(r + tw + 1 + iw, iw);
		mask = m->stage[r[tw]] | m->channel[ch] | m->event[evl];
		if (ev != NULL)
		{
			CjEvent    *e = &ev[i];

			e->ts = t0 + (int64) prev_delta * unit;
			e->stage = r[tw];
			e->channel = (int32) ch - 1;
			e->event = (int32) evl - 1;
			e->value = -1;
			e->mask = mask;
			n++;
		}
		else if (mask != 0 || keep_unmatched)
		{
			tm[n].ts = t0 + (int64) prev_delta * unit;
			tm[n].mask = mask;
			n++;
		}
	}
	return n;
}

/*
 * decode_masked_w for the view's widths: the common layouts (4-byte times,
 * up to 255 labels or 65535) with constant widths, so that every field is
 * one load at a fixed offset; others with the widths read at run time.
 */
static pg_attribute_always_inline int32
decode_masked(const JourneyView *v, const JViewMasks *m, CjEvent *ev, TimedMask *tm,
			  bool keep_unmatched)
{
	Assert(v->recsize == v->tw + 1 + 2 * v->iw);
	if (v->tw == 4 && v->iw == 1)
		return decode_masked_w(v, m, ev, tm, keep_unmatched, 4, 1);
	if (v->tw == 4 && v->iw == 2)
		return decode_masked_w(v, m, ev, tm, keep_unmatched, 4, 2);
	return decode_masked_w(v, m, ev, tm, keep_unmatched, v->tw, v->iw);
}

/*
 * A stored value's touches as times, stages and masks, for the walks that
 * read little else (next_node, attribution, paths): fill says what each
 * stage and each of the view's labels matches, from the labels' bytes, so
 * no label is interned.  The buffer has no dictionary: a record's channel
 * and event are indexes into *view's labels (-1 for NULL), valid while the
 * datum is, and values are left out (-1).  Records are checked as they are decoded;
 * touches at one instant must be in canonical order (journey_encode's), as
 * every stored value is: nothing here could sort them by label.  With
 * required, no records when a bit of it is on no stage or label (as
 * jview_decode_timed_masks below).
 */
EventBuffer *
jview_decode_masks(const struct varlena *datum, const char *type_name,
				   MemoryContext mcxt, JViewMaskFn fill, void *arg, JourneyView *view,
				   uint64 required)
{
	JourneyView *v = view;		/* parsed in place: a view is 3 kB, copied per row */
	JViewMasks	m;
	uint64		stack_masks[2 * (JVIEW_STACK_LABELS + 1)];
	EventBuffer *b;

	jview_parse(v, datum, type_name, false);
	b = evbuf_create(mcxt, v->stages.is_default ? stagelist_default()
					 : stagelist_copy(mcxt, &v->stages), NULL);
	masks_setup(v, fill, arg, &m, stack_masks);
	if (masks_cover(v, &m, required))
	{
		if (v->ntouches > 0)
			evbuf_reserve(b, v->ntouches);
		b->n = decode_masked(v, &m, b->ev, NULL, false);
	}
	if (m.event != stack_masks)
		pfree(m.event);
	return b;
}

/*
 * A stored value's touches as times and masks alone, in canonical order,
 * for the walks that read nothing else (funnels, sequences, retention,
 * touches before a conversion): the touches that match nothing are left out unless
 * keep_unmatched.  *out is palloc'd; returns its length.  What
 * jview_decode_masks does, without a buffer of full records to fill and
 * copy from.
 *
 * required: mask bits the walk needs on some touch to find anything (a
 * funnel's first step, a sequence's conditions, a conversion).  When one is
 * on no stage or label of the value (masks_cover), no touch has it: the
 * touches are then neither read nor checked, and 0 is returned.  The journey's label block
 * serves as an index: most customers never purchased.
 */
int32
jview_decode_timed_masks(const struct varlena *datum, const char *type_name,
						 JViewMaskFn fill, void *arg, JourneyView *view,
						 bool keep_unmatched, uint64 required, TimedMask **out)
{
	JourneyView *v = view;
	JViewMasks	m;
	uint64		stack_masks[2 * (JVIEW_STACK_LABELS + 1)];
	int32		n;

	jview_parse(v, datum, type_name, false);
	masks_setup(v, fill, arg, &m, stack_masks);
	if (masks_cover(v, &m, required))
	{
		*out = palloc(Max(v->ntouches, 1) * sizeof(TimedMask));
		n = decode_masked(v, &m, NULL, *out, keep_unmatched);
	}
	else
	{
		*out = palloc(sizeof(TimedMask));
		n = 0;
	}
	if (m.event != stack_masks)
		pfree(m.event);
	return n;
}

/*
 * The touches of a journey argument as an EventBuffer in canonical order,
 * the one form every analysis walks, so that the stored-journey form of an
 * analysis shares its walk with the rows form.  Labels go to a dictionary
 * kept for the query in fn_extra (a function that calls this must not use
 * fn_extra otherwise); the buffer lives in the current memory context.
 */
EventBuffer *
journey_arg_touches(FunctionCallInfo fcinfo, int argno)
{
	LabelDict  *dict = fcinfo->flinfo->fn_extra;

	if (dict == NULL)
		fcinfo->flinfo->fn_extra = dict = labeldict_create(fcinfo->flinfo->fn_mcxt);
	return jview_decode(PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(argno)), "journey",
						CurrentMemoryContext, dict);
}
