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
 * whose presence lowers the conversion rate gets a negative share.
 *
 * Only sets somebody touched have a worth, so the sum is taken over those:
 * with w(s) = s! (|T|-s-1)! / |T|!, each touched U within T adds
 * w(|U|-1) v(U) to phi_c for c in U and takes w(|U|) v(U) from it for c
 * not in U.  The touched subsets of T are found by looking up each of its
 * 2^|T| subsets or by testing each converting set, whichever is cheaper.
 * The work is counted in steps of about a nanosecond: testing a set is one,
 * looking up a subset SHAPLEY_LOOKUP_STEPS, adding a found subset to the
 * shares |T|.  The exact value is computed whenever the total stays within
 * ATTR_MAX_SHAPLEY_STEPS, a 54000 error otherwise, raised before any work
 * when the lookups and tests alone exceed it (a converting journey may also
 * touch at most ATTR_MAX_SHAPLEY_CHANNELS distinct channels).
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "attribution.h"

#include "miscadmin.h"
#include "port/pg_bitutils.h"

/* the cost of looking up one subset, in steps of testing one set */
#define SHAPLEY_LOOKUP_STEPS	32

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

/* A touched set of channels: its worth and a quick filter for subset tests. */
typedef struct Touched
{
	const AttrPath *p;			/* channels sorted by id */
	double		rate;
	uint64		sig;			/* bit (id % 64) of each channel */
} Touched;

static uint64
set_sig(const int32 *ch, int32 len)
{
	uint64		sig = 0;
	int32		i;

	for (i = 0; i < len; i++)
		sig |= UINT64CONST(1) << ((uint32) ch[i] % 64);
	return sig;
}

/* Positions in t (sorted) of the channels of u (sorted) as a mask; 0 unless u is within t. */
static uint32
subset_mask(const int32 *t, int32 tn, const int32 *u, int32 un)
{
	uint32		mask = 0;
	int32		i = 0,
				j;

	for (j = 0; j < un; j++)
	{
		while (i < tn && t[i] < u[j])
			i++;
		if (i == tn || t[i] != u[j])
			return 0;
		mask |= 1U << i++;
	}
	return mask;
}

pg_attribute_noreturn()
static void
too_much_work(int64 steps, int32 nconverting)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("the shapley model needs more than %d steps for this value", ATTR_MAX_SHAPLEY_STEPS),
			 errdetail("Each distinct converting set of channels costs the fewer of %d steps per subset and one per distinct converting set (%d here), plus its channels for each converting subset; this value needs at least " INT64_FORMAT ".",
					   SHAPLEY_LOOKUP_STEPS, nconverting, steps),
			 errhint("Group channels into fewer classes, compute the value per segment, or use the markov model.")));
}

void
attr_shapley(const Attr *a, AttrCredits *out)
{
	MemoryContext mcxt = CurrentMemoryContext;
	Attr	   *sets = attr_create(mcxt, a->dict);
	IdMap		m;
	int32	   *buf;
	int32		maxlen = 1,
				ntouched = 0,
				i,
				j;
	Touched    *touched;
	uint32	   *found_mask;
	double	   *found_v;
	int64		steps = 0;
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

	/* the sets with a worth: touched, with a conversion, not empty */
	touched = palloc(Max(sets->npaths, 1) * sizeof(Touched));
	for (i = 0; i < sets->npaths; i++)
	{
		const AttrPath *p = sets->paths[i];

		if (p->conv == 0 || p->len == 0)
			continue;
		touched[ntouched].p = p;
		touched[ntouched].rate = rate(sets, p->ch, p->len);
		touched[ntouched++].sig = set_sig(p->ch, p->len);
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
	/* the work, known before any is done */
	for (i = 0; i < ntouched; i++)
	{
		int32		n = touched[i].p->len;

		if (n > ATTR_MAX_SHAPLEY_CHANNELS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the shapley model handles journeys with at most %d distinct channels; one converting journey has %d",
							ATTR_MAX_SHAPLEY_CHANNELS, n),
					 errdetail("The exact Shapley value sums over the subsets of a journey's channels."),
					 errhint("Group channels into fewer classes, or use the markov model.")));
		steps += Min(((INT64CONST(1) << n) - 1) * SHAPLEY_LOOKUP_STEPS, ntouched);
	}
	if (steps > ATTR_MAX_SHAPLEY_STEPS)
		too_much_work(steps, ntouched);

	found_mask = palloc(Max(ntouched, 1) * sizeof(uint32));
	found_v = palloc(Max(ntouched, 1) * sizeof(double));

	for (i = 0; i < ntouched; i++)
	{
		const AttrPath *t = touched[i].p;
		int32		n = t->len,
					nfound = 0,
					k;
		double		vt = touched[i].rate,
					phi[ATTR_MAX_SHAPLEY_CHANNELS];

		/* the touched subsets of T with their worth, U as a mask over t->ch */
		if (((INT64CONST(1) << n) - 1) * SHAPLEY_LOOKUP_STEPS <= ntouched)
		{
			uint32		full = (1U << n) - 1,
						mask;
			int32		sub[ATTR_MAX_SHAPLEY_CHANNELS];

			for (mask = 1; mask <= full; mask++)
			{
				int32		len = 0;
				AttrPath   *u;

				CJ_CHECK_EVERY(mask);
				for (j = 0; j < n; j++)
					if (mask & (1U << j))
						sub[len++] = t->ch[j];
				u = attr_find_path(sets, sub, len);
				if (u != NULL && u->conv > 0)
				{
					found_mask[nfound] = mask;
					found_v[nfound++] = rate(sets, sub, len);
				}
			}
		}
		else
		{
			uint64		tsig = touched[i].sig;

			for (k = 0; k < ntouched; k++)
			{
				uint32		mask;

				CJ_CHECK_EVERY(k);
				if (touched[k].p->len > n || (touched[k].sig & ~tsig) != 0)
					continue;
				mask = subset_mask(t->ch, n, touched[k].p->ch, touched[k].p->len);
				if (mask != 0)
				{
					found_mask[nfound] = mask;
					found_v[nfound++] = touched[k].rate;
				}
			}
		}

		/* phi_j, then shares phi_j / v(T) */
		steps += (int64) nfound * n;
		if (steps > ATTR_MAX_SHAPLEY_STEPS)
			too_much_work(steps, ntouched);
		for (j = 0; j < n; j++)
			phi[j] = 0;
		for (k = 0; k < nfound; k++)
		{
			int			size = pg_popcount32(found_mask[k]);
			double		with = fact[size - 1] * fact[n - size] / fact[n] * found_v[k],
						without = size < n ? fact[size] * fact[n - size - 1] / fact[n] * found_v[k] : 0;

			CJ_CHECK_EVERY(k);
			for (j = 0; j < n; j++)
				phi[j] += (found_mask[k] & (1U << j)) ? with : -without;
		}
		for (j = 0; j < n; j++)
		{
			int32		slot = idmap_add(&m, t->ch[j]);

			out->conv[slot] += (double) t->conv * phi[j] / vt;
			out->rev[slot] += t->revenue * phi[j] / vt;
		}
	}
	idmap_free(&m);
}
