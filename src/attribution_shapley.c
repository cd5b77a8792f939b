/*-------------------------------------------------------------------------
 *
 * attribution_shapley.c
 *		Shapley value attribution over channel sets, computed exactly.
 *
 * Paths are reduced to the set of channels they touched.  The worth of a
 * set S of channels is the conversion rate of the journeys (converting or
 * not) that touched exactly S; a set nobody touched is worth 0.  Each
 * conversion whose journey touched T is split among the channels of T by
 * their Shapley values in the game on the subsets of T:
 *
 *	phi_c = sum over S in T without c of |S|! (|T|-|S|-1)! / |T|! * (v(S+c) - v(S))
 *
 * which sum to v(T) > 0, so the shares phi_c / v(T) sum to 1.  A channel
 * whose presence lowers the conversion rate gets a negative share.  The
 * sum runs over all 2^|T| subsets, so a converting journey may touch at most
 * ATTR_MAX_SHAPLEY_CHANNELS distinct channels.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "attribution.h"

#include "miscadmin.h"
#include "port/pg_bitutils.h"

static int
int32_cmp(const void *x, const void *y)
{
	int32		a = *(const int32 *) x;
	int32		b = *(const int32 *) y;

	return (a > b) - (a < b);
}

/* conversion rate of the journeys that touched exactly this set */
static double
rate(const Attr *sets, const int32 *ch, int32 len)
{
	AttrPath   *p = attr_find_path(sets, ch, len);

	if (p == NULL)
		return 0;
	return (double) p->conv / ((double) p->conv + (double) p->nulls);
}

void
attr_shapley(const Attr *a, AttrCredits *out)
{
	MemoryContext mcxt = CurrentMemoryContext;
	Attr	   *sets = attr_create(mcxt, a->dict);
	IdMap		m;
	int32	   *buf;
	int32		maxlen = 1,
				i,
				j;
	double		fact[ATTR_MAX_SHAPLEY_CHANNELS + 1];

	/* journeys by the set of channels they touched */
	sets->spec.kind = ATTR_SHAPLEY;
	sets->have_spec = true;
	for (i = 0; i < a->npaths; i++)
		maxlen = Max(maxlen, a->paths[i]->len);
	buf = palloc(maxlen * sizeof(int32));
	for (i = 0; i < a->npaths; i++)
	{
		const AttrPath *p = a->paths[i];
		int32		k = 0;

		CHECK_FOR_INTERRUPTS();
		memcpy(buf, p->ch, p->len * sizeof(int32));
		qsort(buf, p->len, sizeof(int32), int32_cmp);
		for (j = 0; j < p->len; j++)
			if (k == 0 || buf[k - 1] != buf[j])
				buf[k++] = buf[j];
		attr_add_path(sets, buf, k, p->conv, p->nulls, p->revenue);
	}

	idmap_init(&m, 16);
	for (i = 0; i < a->npaths; i++)
		for (j = 0; j < a->paths[i]->len; j++)
			(void) idmap_add(&m, a->paths[i]->ch[j]);
	out->n = m.n;
	out->channel = palloc(Max(m.n, 1) * sizeof(int32));
	memcpy(out->channel, m.ids, m.n * sizeof(int32));
	out->conv = palloc0(Max(m.n, 1) * sizeof(double));
	out->rev = palloc0(Max(m.n, 1) * sizeof(double));
	out->removal = NULL;

	fact[0] = 1;
	for (i = 1; i <= ATTR_MAX_SHAPLEY_CHANNELS; i++)
		fact[i] = fact[i - 1] * i;

	for (i = 0; i < sets->npaths; i++)
	{
		const AttrPath *t = sets->paths[i];
		int32		n = t->len;
		uint32		full,
					mask;
		double	   *v;
		double		vt;
		int32		sub[ATTR_MAX_SHAPLEY_CHANNELS];

		if (t->conv == 0)
			continue;
		if (n > ATTR_MAX_SHAPLEY_CHANNELS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the shapley model handles journeys with at most %d distinct channels; one converting journey has %d",
							ATTR_MAX_SHAPLEY_CHANNELS, n),
					 errdetail("The exact Shapley value sums over all 2^n subsets of a journey's channels."),
					 errhint("Group channels into fewer classes, or use the markov model.")));

		/* v(S) for every subset S of T, S as a bit mask over t->ch */
		full = (1U << n) - 1;
		v = palloc((Size) (full + 1) * sizeof(double));
		v[0] = 0;
		for (mask = 1; mask <= full; mask++)
		{
			int32		k = 0;

			if ((mask & 0xFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			for (j = 0; j < n; j++)
				if (mask & (1U << j))
					sub[k++] = t->ch[j];
			v[mask] = rate(sets, sub, k);
		}
		vt = v[full];

		/* phi_j by the subset formula; shares phi_j / v(T) */
		for (j = 0; j < n; j++)
		{
			double		phi = 0;
			uint32		bit = 1U << j;
			int32		slot;

			for (mask = 0; mask <= full; mask++)
			{
				int			size;

				if (mask & bit)
					continue;
				size = pg_popcount32(mask);
				phi += fact[size] * fact[n - size - 1] / fact[n] * (v[mask | bit] - v[mask]);
			}
			slot = idmap_add(&m, t->ch[j]);
			out->conv[slot] += (double) t->conv * phi / vt;
			out->rev[slot] += t->revenue * phi / vt;
		}
		pfree(v);
	}
	idmap_free(&m);
}
