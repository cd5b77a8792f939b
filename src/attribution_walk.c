/*-------------------------------------------------------------------------
 *
 * attribution_walk.c
 *		Split each conversion among the touches before it.
 *
 * A customer's rows, in canonical time order, fall into conversion
 * cycles: a conversion at time T is credited to the touches strictly
 * before T and after the previous conversion time (the same cycles as
 * touches_before_each_conversion); touches at T itself count toward the
 * next conversion, and converting rows are conversions, not touches.
 * Touches without a channel are not touches.  A conversion with no touch
 * before it goes to the (none) bucket.  Rule-based models split each
 * conversion at once into weights that sum to 1; data-driven models record
 * the path, and after the last conversion the remaining touches form a
 * path that did not convert.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "attribution.h"

#include "common/int.h"
#include "miscadmin.h"

#include <math.h>

/*
 * Rule-based weights of the k touches of one path: raw weights from the
 * model, then scaled to sum to 1.  A model whose raw weights all come out
 * zero (say position_based with 0/1/0 on two touches) falls back to equal
 * weights, so a conversion is never lost.
 */
static void
rule_weights(const AttrSpec *spec, int32 direct_id, const int32 *ch, const TimestampTz *ts,
			 const uint8 *flags, int32 k, double *w)
{
	double		sum = 0;
	int32		i;

	memset(w, 0, k * sizeof(double));
	switch (spec->kind)
	{
		case ATTR_FIRST_TOUCH:
			w[0] = 1;
			break;
		case ATTR_LAST_TOUCH:
			w[k - 1] = 1;
			break;
		case ATTR_LAST_NON_DIRECT:
			for (i = k - 1; i > 0 && ch[i] == direct_id; i--)
				;
			/* all direct: the last touch, as in GA's rule */
			w[ch[i] == direct_id ? k - 1 : i] = 1;
			break;
		case ATTR_LINEAR:
			for (i = 0; i < k; i++)
				w[i] = 1;
			break;
		case ATTR_TIME_DECAY:
			/* relative to the latest touch, so weights never all underflow */
			for (i = 0; i < k; i++)
				w[i] = exp2(-((double) (ts[k - 1] - ts[i])) / (double) spec->half_life);
			break;
		case ATTR_POSITION_BASED:
			if (k == 1)
				w[0] = 1;
			else
			{
				w[0] = spec->w[0];
				w[k - 1] = spec->w[2];
				for (i = 1; i < k - 1; i++)
					w[i] = spec->w[1] / (k - 2);
			}
			break;
		case ATTR_W_SHAPED:
			{
				int32		lead = -1,
							opp = -1,
							others = 0;

				for (i = 0; i < k; i++)
				{
					if (lead < 0 && (flags[i] & ATTR_LEAD))
						lead = i;
					if (opp < 0 && (flags[i] & ATTR_OPP))
						opp = i;
				}
				w[0] += spec->w[0];
				if (lead >= 0)
					w[lead] += spec->w[1];
				if (opp >= 0)
					w[opp] += spec->w[2];
				for (i = 1; i < k; i++)
					if (i != lead && i != opp)
						others++;
				for (i = 1; i < k; i++)
					if (i != lead && i != opp)
						w[i] += spec->w[3] / others;
			}
			break;
		default:
			elog(ERROR, "attribution model %d is not rule-based", (int) spec->kind);
	}
	for (i = 0; i < k; i++)
		sum += w[i];
	for (i = 0; i < k; i++)
		w[i] = sum > 0 ? w[i] / sum : 1.0 / k;
}

/*
 * Credit conv conversions with this revenue, all following the same k
 * touches (channels ch; times ts and flags when the model needs them).
 */
void
attr_credit(Attr *a, const int32 *ch, const TimestampTz *ts, const uint8 *flags,
			int32 k, TimestampTz at, int64 conv, double revenue)
{
	if (pg_add_s64_overflow(a->conversions, conv, &a->conversions) ||
		!isfinite(a->revenue + revenue))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("attribution totals are out of range")));
	a->revenue += revenue;
	if (k == 0)
		attr_add_none(a, conv, revenue);
	else if (ATTR_DATA_DRIVEN(a->spec.kind))
		attr_add_path(a, ch, k, conv, 0, revenue);
	else
	{
		double	   *w = palloc(k * sizeof(double));
		int32		direct_id = -2;
		int32		i;

		if (a->spec.direct)
			direct_id = labeldict_intern(a->dict, a->spec.direct, strlen(a->spec.direct));
		rule_weights(&a->spec, direct_id, ch, ts, flags, k, w);
		for (i = 0; i < k; i++)
			attr_add_credit(a, ch[i], w[i] * conv, w[i] * revenue);
		pfree(w);
	}
}

/* Walk one customer's rows t[0..n-1], in canonical order. */
void
attr_walk(Attr *a, const AttrTouch *t, int32 n)
{
	int32	   *ch = palloc(Max(n, 1) * sizeof(int32));
	TimestampTz *ts = palloc(Max(n, 1) * sizeof(TimestampTz));
	uint8	   *flags = palloc(Max(n, 1) * sizeof(uint8));
	int32		start = 0,
				i = 0,
				j,
				k;

	while (i < n)
	{
		TimestampTz at = t[i].ts;
		bool		converts = false;

		for (j = i; j < n && t[j].ts == at; j++)
			converts |= (t[j].flags & ATTR_CONVERTS) != 0;
		if (converts)
		{
			/* the cycle's touches, within the lookback window */
			k = 0;
			for (; start < i; start++)
			{
				const AttrTouch *x = &t[start];

				if (x->channel < 0 || (x->flags & ATTR_CONVERTS) ||
					(a->spec.lookback && x->ts < at - a->spec.lookback))
					continue;
				ch[k] = x->channel;
				ts[k] = x->ts;
				flags[k++] = x->flags;
			}
			/* start is now i: touches at the conversion time count toward the next */
			for (; i < j; i++)
				if (t[i].flags & ATTR_CONVERTS)
					attr_credit(a, ch, ts, flags, k, at, 1, t[i].revenue);
		}
		i = j;
		CHECK_FOR_INTERRUPTS();
	}

	/* the touches after the last conversion: a path that did not convert */
	if (ATTR_DATA_DRIVEN(a->spec.kind))
	{
		k = 0;
		for (; start < n; start++)
			if (t[start].channel >= 0 && !(t[start].flags & ATTR_CONVERTS))
				ch[k++] = t[start].channel;
		if (k > 0)
			attr_add_path(a, ch, k, 0, 1, 0);
	}
	pfree(ch);
	pfree(ts);
	pfree(flags);
}
