/*-------------------------------------------------------------------------
 *
 * touch_times.h
 *		One customer's touch times with a flag, packed one int64 per touch:
 *		the compact state of the conversion aggregates that need no channel.
 *
 * A touch is stored as time * 2 + flag.  Touch times lie in [CJ_MIN_TIME,
 * CJ_END_TIME), so this cannot overflow, and the order of the integers is
 * the canonical order of the touches: time, then unflagged before flagged.
 * Touches are appended in any order, appended from another array when
 * partial states combine, sorted on demand, and written to and read from
 * the aggregate wire format.
 *
 * An append touches only the TouchTimes struct and the slot it writes: no
 * sortedness flag or last value is kept, because reading touch[n - 1] costs
 * a cache miss per row on large GROUP BYs.  Readers that need order call
 * touchtimes_sort, which checks before it sorts.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_TOUCH_TIMES_H
#define CJ_TOUCH_TIMES_H

#include "cjourney.h"
#include "wire.h"

#include "lib/stringinfo.h"

typedef struct TouchTimes
{
	int64	   *touch;			/* packed touches, in the aggregate context */
	int32		n;
	int32		cap;
} TouchTimes;

#define TOUCH_PACK(t, flag)	((int64) (t) * 2 + ((flag) ? 1 : 0))
#define TOUCH_TIME(x)		(((x) - ((x) & 1)) / 2)
#define TOUCH_FLAGGED(x)	(((x) & 1) != 0)

extern void touchtimes_init(TouchTimes *tt, MemoryContext mcxt, int32 cap);
extern void touchtimes_grow(TouchTimes *tt, int32 extra);
extern void touchtimes_merge(TouchTimes *dst, const TouchTimes *src);
extern void touchtimes_sort(TouchTimes *tt);
extern void touchtimes_write(StringInfo buf, const TouchTimes *tt);
extern void touchtimes_read(WireReader *w, TouchTimes *tt, MemoryContext mcxt);

/* Append one packed touch (the per-row path of a transition function). */
static inline void
touchtimes_append(TouchTimes *tt, int64 x)
{
	if (unlikely(tt->n >= tt->cap))
		touchtimes_grow(tt, 1);
	tt->touch[tt->n++] = x;
}

#endif							/* CJ_TOUCH_TIMES_H */
