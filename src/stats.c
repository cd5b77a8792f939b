/*-------------------------------------------------------------------------
 *
 * stats.c
 *		Distribution functions: normal, Student t and chi-square.
 *
 * - Normal: tails from the C library's erfc (accurate to a few ulps over
 *   the whole range, so p-values down to about 1e-308 keep full relative
 *   precision); quantile by Wichura's AS 241 (PPND16, about 1e-16
 *   relative), fed the tail probability itself rather than 1 - p.
 * - Student t: P(T > t) = I_x(df/2, 1/2) / 2 with x = df / (df + t^2), the
 *   regularized incomplete beta function evaluated by its continued
 *   fraction (modified Lentz), with log B(a, b) from a Stirling-series
 *   difference for large a so that degrees of freedom in the billions do
 *   not lose digits to cancellation between huge lgamma values.  The
 *   quantile solves P(T > t) = q by safeguarded Newton iteration.
 * - Chi-square: P(X > x) = Q(df/2, x/2), the regularized upper incomplete
 *   gamma function (series for P when x < a + 1, continued fraction for Q
 *   otherwise); df = 1 and df = 2 use their closed forms.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include <float.h>
#include <math.h>

#include "stats.h"

#define CJ_SQRT1_2		0.70710678118654752440084436210484903928
#define CJ_LN_SQRT_2PI	0.91893853320467274178032973640561763986
#define CJ_LOG_PI		1.14472988584940017414342735135305871165

/* Iteration caps; each loop normally ends long before by convergence. */
#define CF_MAX_ITER		10000000
#define NEWTON_MAX_ITER	400

/* Tiny value that stands in for zero in Lentz's algorithm. */
#define FPMIN			1e-300

double
cj_norm_sf(double z)
{
	return 0.5 * erfc(z * CJ_SQRT1_2);
}

double
cj_norm_two_sided_p(double z)
{
	return erfc(fabs(z) * CJ_SQRT1_2);
}

/* Evaluate a degree-7 polynomial with coefficients c[0] + c[1] x + ... */
static double
poly7(const double *c, double x)
{
	double		v = c[7];
	int			i;

	for (i = 6; i >= 0; i--)
		v = v * x + c[i];
	return v;
}

/* AS 241 coefficients (Wichura 1988, Applied Statistics 37(3) 477-484). */
static const double as241_a[8] = {
	3.3871328727963666080e0, 1.3314166789178437745e+2,
	1.9715909503065514427e+3, 1.3731693765509461125e+4,
	4.5921953931549871457e+4, 6.7265770927008700853e+4,
	3.3430575583588128105e+4, 2.5090809287301226727e+3};
static const double as241_b[8] = {
	1.0, 4.2313330701600911252e+1,
	6.8718700749205790830e+2, 5.3941960214247511077e+3,
	2.1213794301586595867e+4, 3.9307895800092710610e+4,
	2.8729085735721942674e+4, 5.2264952788528545610e+3};
static const double as241_c[8] = {
	1.42343711074968357734e0, 4.63033784615654529590e0,
	5.76949722146069140550e0, 3.64784832476320460504e0,
	1.27045825245236838258e0, 2.41780725177450611770e-1,
	2.27238449892691845833e-2, 7.74545014278341407640e-4};
static const double as241_d[8] = {
	1.0, 2.05319162663775882187e0,
	1.67638483018380384940e0, 6.89767334985100004550e-1,
	1.48103976427480074590e-1, 1.51986665636164571966e-2,
	5.47593808499534494600e-4, 1.05075007164441684324e-9};
static const double as241_e[8] = {
	6.65790464350110377720e0, 5.46378491116411436990e0,
	1.78482653991729133580e0, 2.96560571828504891230e-1,
	2.65321895265761230930e-2, 1.24266094738807843860e-3,
	2.71155556874348757815e-5, 2.01033439929228813265e-7};
static const double as241_f[8] = {
	1.0, 5.99832206555887937690e-1,
	1.36929880922735805310e-1, 1.48753612908506148525e-2,
	7.86869131145613259100e-4, 1.84631831751005468180e-5,
	1.42151175831644588870e-7, 2.04426310338993978564e-15};

/*
 * Upper-tail normal quantile.  AS 241 is written for the lower tail p; the
 * tail branches only use min(p, 1 - p), which we have exactly as q.
 */
double
cj_norm_isf(double q)
{
	double		d = 0.5 - q;	/* AS 241's p - 0.5 for p = 1 - q */
	double		r,
				v;

	if (fabs(d) <= 0.425)
	{
		r = 0.180625 - d * d;
		return d * poly7(as241_a, r) / poly7(as241_b, r);
	}
	r = (d < 0) ? 1.0 - q : q;	/* the smaller tail */
	r = sqrt(-log(r));
	if (r <= 5.0)
	{
		r -= 1.6;
		v = poly7(as241_c, r) / poly7(as241_d, r);
	}
	else
	{
		r -= 5.0;
		v = poly7(as241_e, r) / poly7(as241_f, r);
	}
	return (d < 0) ? -v : v;
}

double
cj_z_for_level(double level)
{
	return cj_norm_isf((1.0 - level) / 2.0);
}

/* Stirling-series remainder: lgamma(x) - ((x - 0.5) log x - x + log sqrt(2 pi)), x >= 10. */
static double
stirling_rest(double x)
{
	double		r = 1.0 / x;
	double		r2 = r * r;

	return r * (1.0 / 12 + r2 * (-1.0 / 360 + r2 * (1.0 / 1260 + r2 * (-1.0 / 1680 +
			r2 * (1.0 / 1188 + r2 * (-691.0 / 360360 + r2 * (1.0 / 156 +
			r2 * (-3617.0 / 122400))))))));
}

/* lgamma(a + b) - lgamma(a) for a >= 10, b > 0, without cancellation. */
static double
lgamma_diff(double a, double b)
{
	return (a - 0.5) * log1p(b / a) + b * log(a + b) - b +
		stirling_rest(a + b) - stirling_rest(a);
}

/* log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b). */
static double
log_beta(double a, double b)
{
	double		big = Max(a, b);
	double		small = Min(a, b);

	if (big < 10.0)
		return lgamma(a) + lgamma(b) - lgamma(a + b);
	if (small < 10.0)
		return lgamma(small) - lgamma_diff(big, small);
	/* both large: Stirling for all three */
	return CJ_LN_SQRT_2PI + (a - 0.5) * log(a / (a + b)) + (b - 0.5) * log(b / (a + b))
		- 0.5 * log(a + b) + stirling_rest(a) + stirling_rest(b) - stirling_rest(a + b);
}

/* Continued fraction of I_x(a, b) (Numerical Recipes' betacf, modified Lentz). */
static double
beta_cf(double a, double b, double x)
{
	double		qab = a + b,
				qap = a + 1.0,
				qam = a - 1.0;
	double		c = 1.0,
				d = 1.0 - qab * x / qap,
				h;
	int			m;

	if (fabs(d) < FPMIN)
		d = FPMIN;
	d = 1.0 / d;
	h = d;
	for (m = 1; m <= CF_MAX_ITER; m++)
	{
		double		m2 = 2.0 * m;
		double		aa,
					del;

		CHECK_FOR_INTERRUPTS();
		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < FPMIN)
			d = FPMIN;
		c = 1.0 + aa / c;
		if (fabs(c) < FPMIN)
			c = FPMIN;
		d = 1.0 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < FPMIN)
			d = FPMIN;
		c = 1.0 + aa / c;
		if (fabs(c) < FPMIN)
			c = FPMIN;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < DBL_EPSILON)
			break;
	}
	return h;
}

double
cj_incbeta(double a, double b, double x, double y)
{
	double		lx,
				ly,
				front;

	if (x <= 0.0)
		return 0.0;
	if (y <= 0.0)
		return 1.0;
	/* log x and log y, each from whichever of x, y is exact near 1 */
	lx = (x < 0.5) ? log(x) : log1p(-y);
	ly = (y < 0.5) ? log(y) : log1p(-x);
	front = exp(a * lx + b * ly - log_beta(a, b));
	if (x < (a + 1.0) / (a + b + 2.0))
		return front * beta_cf(a, b, x) / a;
	return 1.0 - front * beta_cf(b, a, y) / b;
}

/*
 * P(T > t), t >= 0, for large df by double-exponential (exp-sinh)
 * quadrature of the density: P = C * integral over w >= 0 of
 * exp(L(t) - L(t + w)), times exp(-L(t)), with L(s) = (df + 1)/2 log(1 +
 * s^2/df) and C = 1 / (sqrt(df) B(df/2, 1/2)).  The integrand is at most 1
 * and analytic, so trapezoid sums in the transformed variable converge to
 * full precision; the scale of w follows the width of the tail (1/t for
 * large t).
 */
static double
t_tail_quad(double t, double df)
{
	double		half = (df + 1.0) / 2.0;
	double		lt = half * log1p(t * t / df);
	double		scale = 1.0 / Max(t, 1.0);
	double		h = 0.5,
				prev = 0.0,
				sum;
	int			level,
				k;

	/* level 0: step h over tau in [-TMAX, TMAX] */
#define QUAD_TMAX 4.5
	sum = 0.0;
	for (level = 0; level < 12; level++)
	{
		double		part = 0.0;
		int			kmax = (int) (QUAD_TMAX / h);

		for (k = -kmax; k <= kmax; k++)
		{
			double		tau,
						e,
						w,
						s,
						g;

			/* at deeper levels only the new (odd) points */
			if (level > 0 && (k % 2) == 0)
				continue;
			tau = k * h;
			e = exp(M_PI_2 * sinh(tau));
			w = scale * e;
			s = t + w;
			g = exp(lt - half * log1p(s * s / df));
			part += g * w * M_PI_2 * cosh(tau);
		}
		sum += part;
		if (level > 0)
		{
			double		est = sum * h;

			if (fabs(est - prev) <= 1e-15 * est)
			{
				prev = est;
				break;
			}
			prev = est;
		}
		else
			prev = sum * h;
		h /= 2.0;
	}
	return exp(log(prev) - lt - log_beta(df / 2.0, 0.5) - 0.5 * log(df));
}

/* Above this df the incomplete beta continued fraction loses digits. */
#define T_QUAD_MIN_DF	1e4

/*
 * Half the two-sided tail: P(T > |t|) = I_x(df/2, 1/2) / 2.  x and y are
 * formed so that each is accurate even when the other is near 1.
 */
static double
t_tail(double t, double df)
{
	double		tt = t * t;
	double		x,
				y;

	if (isinf(tt))
		return 0.0;
	if (df > T_QUAD_MIN_DF)
		return t_tail_quad(fabs(t), df);
	x = df / (df + tt);
	y = tt / (df + tt);
	return 0.5 * cj_incbeta(df / 2.0, 0.5, x, y);
}

double
cj_t_sf(double t, double df)
{
	if (t >= 0)
		return t_tail(t, df);
	return 1.0 - t_tail(t, df);
}

double
cj_t_two_sided_p(double t, double df)
{
	return 2.0 * t_tail(t, df);
}

/* Student t density. */
static double
t_pdf(double t, double df)
{
	return exp(-log_beta(df / 2.0, 0.5) - 0.5 * log(df)
			   - (df + 1.0) / 2.0 * log1p(t * t / df));
}

double
cj_t_isf(double q, double df)
{
	double		lo,
				hi,
				x;
	int			i;

	if (q > 0.5)
		return -cj_t_isf(1.0 - q, df);
	if (q == 0.5)
		return 0.0;
	/* bracket the root: sf(lo) > q >= sf(hi) */
	lo = 0.0;
	hi = Max(cj_norm_isf(q), 1.0);
	while (cj_t_sf(hi, df) > q)
	{
		lo = hi;
		hi *= 2.0;
		if (isinf(hi))
			return hi;
	}
	x = (lo + hi) / 2.0;
	if (lo == 0.0)
	{
		double		z = cj_norm_isf(q);

		if (z > lo && z < hi)
			x = z;
	}
	for (i = 0; i < NEWTON_MAX_ITER; i++)
	{
		double		f = cj_t_sf(x, df) - q;
		double		next;

		CHECK_FOR_INTERRUPTS();
		if (f == 0.0)
			break;
		if (f > 0)
			lo = x;
		else
			hi = x;
		next = x + f / t_pdf(x, df);
		if (!(next > lo && next < hi))
			next = (lo + hi) / 2.0;
		if (fabs(next - x) <= 4 * DBL_EPSILON * fabs(x))
		{
			x = next;
			break;
		}
		x = next;
	}
	return x;
}

double
cj_gamma_q(double a, double x)
{
	double		front;

	if (x <= 0.0)
		return 1.0;
	if (isinf(x))
		return 0.0;
	front = exp(-x + a * log(x) - lgamma(a));
	if (x < a + 1.0)
	{
		/* series for P, then Q = 1 - P (Q is not small here) */
		double		ap = a,
					sum = 1.0 / a,
					del = sum;
		int			n;

		for (n = 0; n < CF_MAX_ITER; n++)
		{
			CHECK_FOR_INTERRUPTS();
			ap += 1.0;
			del *= x / ap;
			sum += del;
			if (fabs(del) < fabs(sum) * DBL_EPSILON)
				break;
		}
		return 1.0 - sum * front;
	}
	else
	{
		/* continued fraction for Q (Lentz) */
		double		b = x + 1.0 - a,
					c = 1.0 / FPMIN,
					d = 1.0 / b,
					h = d;
		int			i;

		for (i = 1; i <= CF_MAX_ITER; i++)
		{
			double		an = -i * (i - a),
						del;

			CHECK_FOR_INTERRUPTS();
			b += 2.0;
			d = an * d + b;
			if (fabs(d) < FPMIN)
				d = FPMIN;
			c = b + an / c;
			if (fabs(c) < FPMIN)
				c = FPMIN;
			d = 1.0 / d;
			del = d * c;
			h *= del;
			if (fabs(del - 1.0) < DBL_EPSILON)
				break;
		}
		return front * h;
	}
}

double
cj_chi2_sf(double x, double df)
{
	if (x <= 0.0)
		return 1.0;
	if (df == 1.0)
		return erfc(sqrt(x / 2.0));
	if (df == 2.0)
		return exp(-x / 2.0);
	return cj_gamma_q(df / 2.0, x / 2.0);
}
