/*-------------------------------------------------------------------------
 *
 * attribution_markov.c
 *		First-order Markov removal effect (Anderl et al. 2016), solved exactly.
 *
 * Every path, converting or not, walks start -> c1 -> ... -> ck -> conversion
 * or null; transition probabilities are the observed frequencies.  With
 * Q the transitions among channels, r the probability of converting next,
 * s the start distribution and M = (I - Q)^-1:
 *
 *	P = s' M r						the probability of converting
 *	x = M r							of converting from each channel
 *	h_c = (s' M)_c / M_cc			of ever reaching channel c
 *
 * Removing channel c (its incoming transitions go to null) loses exactly
 * the conversions that pass through c, so P without c is P - h_c x_c and
 * the removal effect is h_c x_c / P.  (This is the Sherman-Morrison update
 * of the system with row c replaced; it needs one factorization instead
 * of one solve per channel.)  Conversions are credited in proportion to
 * the removal effects; revenue likewise, with r weighted by revenue.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "attribution.h"

#include "miscadmin.h"

#include <math.h>

/* LU factorization with partial pivoting of the n x n row-major A, in place. */
static void
lu_factor(double *A, int n, int *piv)
{
	int			i,
				j,
				k;

	for (k = 0; k < n; k++)
	{
		int			p = k;
		double		best = fabs(A[k * n + k]);

		CHECK_FOR_INTERRUPTS();
		for (i = k + 1; i < n; i++)
			if (fabs(A[i * n + k]) > best)
			{
				best = fabs(A[i * n + k]);
				p = i;
			}
		piv[k] = p;
		if (best == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("the Markov transition system is singular")));
		if (p != k)
			for (j = 0; j < n; j++)
			{
				double		tmp = A[k * n + j];

				A[k * n + j] = A[p * n + j];
				A[p * n + j] = tmp;
			}
		for (i = k + 1; i < n; i++)
		{
			double		f = A[i * n + k] / A[k * n + k];

			A[i * n + k] = f;
			if (f != 0)
				for (j = k + 1; j < n; j++)
					A[i * n + j] -= f * A[k * n + j];
		}
	}
}

/* solve A x = b in place (b becomes x) with the factors of lu_factor */
static void
lu_solve(const double *LU, int n, const int *piv, double *b)
{
	int			i,
				j;

	for (i = 0; i < n; i++)
	{
		double		tmp = b[piv[i]];

		b[piv[i]] = b[i];
		b[i] = tmp;
		for (j = 0; j < i; j++)
			b[i] -= LU[i * n + j] * b[j];
	}
	for (i = n - 1; i >= 0; i--)
	{
		for (j = i + 1; j < n; j++)
			b[i] -= LU[i * n + j] * b[j];
		b[i] /= LU[i * n + i];
	}
}

/* solve A' x = b in place with the factors of A (P A = L U) */
static void
lu_solve_transposed(const double *LU, int n, const int *piv, double *b)
{
	int			i,
				j;

	/* U' y = b */
	for (i = 0; i < n; i++)
	{
		for (j = 0; j < i; j++)
			b[i] -= LU[j * n + i] * b[j];
		b[i] /= LU[i * n + i];
	}
	/* L' z = y */
	for (i = n - 1; i >= 0; i--)
		for (j = i + 1; j < n; j++)
			b[i] -= LU[j * n + i] * b[j];
	/* x = P' z */
	for (i = n - 1; i >= 0; i--)
	{
		double		tmp = b[piv[i]];

		b[piv[i]] = b[i];
		b[i] = tmp;
	}
}

void
attr_markov(const Attr *a, AttrCredits *out)
{
	IdMap		m;
	int			n,
				i,
				j,
				c;
	double	   *A,
			   *outw,
			   *r,
			   *rv,
			   *s,
			   *z,
			   *col,
			   *h;
	int		   *piv;
	double		P = 0,
				V = 0,
				total_conv = 0,
				total_rev = 0,
				sum_re = 0,
				sum_rev_re = 0,
				start = 0;

	/* the channels, numbered in order of first appearance */
	idmap_init(&m, 16);
	for (i = 0; i < a->npaths; i++)
		for (j = 0; j < a->paths[i]->len; j++)
			(void) idmap_add(&m, a->paths[i]->ch[j]);
	n = m.n;
	if (n > ATTR_MAX_MARKOV_CHANNELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the markov model handles at most %d distinct channels; these paths have %d",
						ATTR_MAX_MARKOV_CHANNELS, n),
				 errhint("Group rare channels together (say into \"other\") before attributing.")));
	out->n = n;
	out->channel = palloc(Max(n, 1) * sizeof(int32));
	out->conv = palloc0(Max(n, 1) * sizeof(double));
	out->rev = palloc0(Max(n, 1) * sizeof(double));
	out->removal = palloc0(Max(n, 1) * sizeof(double));
	memcpy(out->channel, m.ids, n * sizeof(int32));
	if (n == 0)
		return;

	/* transition counts: A holds counts of channel -> channel */
	A = palloc_extended((Size) n * n * sizeof(double), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	outw = palloc0(n * sizeof(double));
	r = palloc0(n * sizeof(double));
	rv = palloc0(n * sizeof(double));
	s = palloc0(n * sizeof(double));
	for (i = 0; i < a->npaths; i++)
	{
		const AttrPath *p = a->paths[i];
		double		weight = (double) p->conv + (double) p->nulls;
		int			prev = idmap_add(&m, p->ch[0]);

		CHECK_FOR_INTERRUPTS();
		s[prev] += weight;
		start += weight;
		for (j = 1; j < p->len; j++)
		{
			int			next = idmap_add(&m, p->ch[j]);

			A[prev * n + next] += weight;
			outw[prev] += weight;
			prev = next;
		}
		/* the last channel leads to conversion or null */
		r[prev] += (double) p->conv;
		rv[prev] += p->revenue;
		outw[prev] += weight;
		total_conv += (double) p->conv;
		total_rev += p->revenue;
	}

	/* A = I - Q, r and rv as probabilities, s as a distribution */
	for (i = 0; i < n; i++)
	{
		for (j = 0; j < n; j++)
			A[i * n + j] = (i == j ? 1.0 : 0.0) - A[i * n + j] / outw[i];
		r[i] /= outw[i];
		rv[i] /= outw[i];
		s[i] /= start;
	}
	piv = palloc(n * sizeof(int));
	lu_factor(A, n, piv);
	lu_solve(A, n, piv, r);		/* r is now x */
	lu_solve(A, n, piv, rv);	/* rv is now x weighted by revenue */
	z = palloc(n * sizeof(double));
	memcpy(z, s, n * sizeof(double));
	lu_solve_transposed(A, n, piv, z);	/* z = M' s: expected visits */
	for (i = 0; i < n; i++)
	{
		P += s[i] * r[i];
		V += s[i] * rv[i];
	}

	/* h_c = z_c / M_cc, with M_cc from column c of M */
	h = palloc(n * sizeof(double));
	col = palloc(n * sizeof(double));
	for (c = 0; c < n; c++)
	{
		CHECK_FOR_INTERRUPTS();
		memset(col, 0, n * sizeof(double));
		col[c] = 1;
		lu_solve(A, n, piv, col);
		h[c] = Min(1.0, z[c] / col[c]);
	}

	for (c = 0; c < n; c++)
	{
		out->removal[c] = P > 0 ? Min(1.0, Max(0.0, h[c] * r[c] / P)) : 0;
		sum_re += out->removal[c];
		/* revenue removal effect */
		out->rev[c] = V > 0 ? Min(1.0, Max(0.0, h[c] * rv[c] / V)) : 0;
		sum_rev_re += out->rev[c];
	}
	for (c = 0; c < n; c++)
	{
		out->conv[c] = sum_re > 0 ? total_conv * out->removal[c] / sum_re : 0;
		out->rev[c] = sum_rev_re > 0 ? total_rev * out->rev[c] / sum_rev_re : 0;
	}
	pfree(A);
	idmap_free(&m);
}
