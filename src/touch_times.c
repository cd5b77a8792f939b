/*-------------------------------------------------------------------------
 *
 * touch_times.c
 *		Grow, merge, sort and (de)serialise packed touch times.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "key_sort.h"
#include "touch_times.h"
#include "wire.h"

#include "libpq/pqformat.h"

/* 128 bytes: most customers never grow their array (sample median: 7 touches) */
#define TOUCHTIMES_MIN_CAP	16

/* An empty array in mcxt with room for at least cap touches. */
void
touchtimes_init(TouchTimes *tt, MemoryContext mcxt, int32 cap)
{
	if (cap > CJ_MAX_TOUCHES)
		cj_too_many_touches();
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
		cj_too_many_touches();
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

/* Put the touches in ascending order; cheap when they already are. */
void
touchtimes_sort(TouchTimes *tt)
{
	int32		i;

	for (i = 1; i < tt->n; i++)
		if (tt->touch[i] < tt->touch[i - 1])
		{
			key_sort_int64(tt->touch, tt->n);
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

/*
 * Read touches written by touchtimes_write into tt, allocated in mcxt.
 * Checks the count and every touch; the caller checks that the message has
 * no trailing bytes.
 */
void
touchtimes_read(WireReader *w, TouchTimes *tt, MemoryContext mcxt)
{
	int32		n = wire_int32(w),
				i;

	if (n < 0 || n > CJ_MAX_TOUCHES)
		wire_error(w, psprintf("The touch count is %d; a state holds 0 to %d touches.",
							   n, CJ_MAX_TOUCHES));
	wire_need(w, (int64) n * sizeof(int64));
	touchtimes_init(tt, mcxt, n);
	for (i = 0; i < n; i++)
	{
		int64		x = wire_int64(w);

		if (x < TOUCH_PACK(CJ_MIN_TIME, false) || x >= TOUCH_PACK(CJ_END_TIME, false))
			wire_error(w, psprintf("Touch %d has a time out of range.", i + 1));
		tt->touch[i] = x;
	}
	tt->n = n;
}
