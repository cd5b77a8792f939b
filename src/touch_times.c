/*-------------------------------------------------------------------------
 *
 * touch_times.c
 *		Grow, merge, sort and (de)serialise packed touch times.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "event_buffer.h"
#include "touch_times.h"

#include "libpq/pqformat.h"

/* 128 bytes: most customers never grow their array (sample median: 7 touches) */
#define TOUCHTIMES_MIN_CAP	16

/* An empty array in mcxt with room for at least cap touches. */
void
touchtimes_init(TouchTimes *tt, MemoryContext mcxt, int32 cap)
{
	if (cap > CJ_MAX_TOUCHES)
		evbuf_too_many_touches();
	tt->cap = Max(cap, TOUCHTIMES_MIN_CAP);
	tt->touch = MemoryContextAlloc(mcxt, tt->cap * sizeof(int64));
	tt->n = 0;
}

/* Room for extra more touches: the capacity doubles, up to CJ_MAX_TOUCHES. */
void
touchtimes_grow(TouchTimes *tt, int32 extra)
{
	int64		need = (int64) tt->n + extra;
	int64		cap = tt->cap;

	if (need <= cap)
		return;
	if (need > CJ_MAX_TOUCHES)
		evbuf_too_many_touches();
	while (cap < need)
		cap *= 2;
	cap = Min(cap, CJ_MAX_TOUCHES);
	tt->touch = repalloc(tt->touch, cap * sizeof(int64));
	tt->cap = (int32) cap;
}

/* Append all touches of src to dst. */
void
touchtimes_merge(TouchTimes *dst, const TouchTimes *src)
{
	touchtimes_grow(dst, src->n);
	memcpy(dst->touch + dst->n, src->touch, src->n * sizeof(int64));
	dst->n += src->n;
}

static int
touch_cmp(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	CJ_SORT_TICK();
	return (x > y) - (x < y);
}

/* Put the touches in ascending order; cheap when they already are. */
void
touchtimes_sort(TouchTimes *tt)
{
	int32		i;

	for (i = 1; i < tt->n; i++)
		if (tt->touch[i] < tt->touch[i - 1])
		{
			qsort(tt->touch, tt->n, sizeof(int64), touch_cmp);
			return;
		}
}

/* Write the count, then the packed touches. */
void
touchtimes_write(StringInfo buf, const TouchTimes *tt)
{
	int32		i;

	pq_sendint32(buf, tt->n);
	enlargeStringInfo(buf, tt->n * sizeof(int64));
	for (i = 0; i < tt->n; i++)
		pq_writeint64(buf, tt->touch[i]);
}

pg_attribute_noreturn()
static void
touchtimes_bad(const char *type_name, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary representation of type %s", type_name),
			 errdetail_internal("%s", detail)));
}

/*
 * Read touches written by touchtimes_write into tt, allocated in mcxt.
 * Checks the count and every touch; the caller checks that the message has
 * no trailing bytes.
 */
void
touchtimes_read(StringInfo msg, TouchTimes *tt, MemoryContext mcxt, const char *type_name)
{
	int32		n,
				i;

	if (msg->len - msg->cursor < 4)
		touchtimes_bad(type_name, "The value is truncated.");
	n = (int32) pq_getmsgint(msg, 4);
	if (n < 0 || n > CJ_MAX_TOUCHES)
		touchtimes_bad(type_name, psprintf("The touch count is %d; a state holds 0 to %d touches.",
										   n, CJ_MAX_TOUCHES));
	if ((int64) n * sizeof(int64) > msg->len - msg->cursor)
		touchtimes_bad(type_name, "The value is truncated.");
	touchtimes_init(tt, mcxt, n);
	for (i = 0; i < n; i++)
	{
		int64		x = pq_getmsgint64(msg);

		if (x < TOUCH_PACK(CJ_MIN_TIME, false) || x >= TOUCH_PACK(CJ_END_TIME, false))
			touchtimes_bad(type_name, psprintf("Touch %d has a time out of range.", i + 1));
		tt->touch[i] = x;
	}
	tt->n = n;
}
