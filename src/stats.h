/*-------------------------------------------------------------------------
 *
 * stats.h
 *		Distribution functions for the response statistics: normal, Student
 *		t and chi-square tails and quantiles.
 *
 * Upper tails are computed directly (never as 1 - cdf), so small p-values
 * keep their relative precision down to the smallest double.  Arguments
 * are assumed valid; callers check parameters and raise the SQL errors.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_STATS_H
#define CJ_STATS_H

/* P(Z > z) for a standard normal Z. */
extern double cj_norm_sf(double z);

/* P(|Z| > |z|): two-sided p-value of a z statistic. */
extern double cj_norm_two_sided_p(double z);

/* z with P(Z > z) = q, 0 < q < 1 (Wichura's AS 241). */
extern double cj_norm_isf(double q);

/* P(T > t) for Student's t with df > 0 degrees of freedom. */
extern double cj_t_sf(double t, double df);

/* P(|T| > |t|): two-sided p-value of a t statistic. */
extern double cj_t_two_sided_p(double t, double df);

/* t with P(T > t) = q, 0 < q < 1. */
extern double cj_t_isf(double q, double df);

/* P(X > x) for chi-square X with df > 0 degrees of freedom. */
extern double cj_chi2_sf(double x, double df);

/* Regularized incomplete beta I_x(a, b); y = 1 - x, passed exactly. */
extern double cj_incbeta(double a, double b, double x, double y);

/* Regularized upper incomplete gamma Q(a, x). */
extern double cj_gamma_q(double a, double x);

/* z for a two-sided interval at a confidence level: cj_norm_isf((1 - level) / 2). */
extern double cj_z_for_level(double level);

#endif							/* CJ_STATS_H */
