/*-------------------------------------------------------------------------
 *
 * response.c
 *		Segment response: treatment vs control response rates and means,
 *		with their tests and intervals, as combinable aggregates.
 *
 * The aggregates' transition type is response_state itself (response.h),
 * a small fixed-size varlena.  Transition and combine functions update
 * their first argument in place when called as aggregates (as
 * PostgreSQL's float8_accum does), so a row costs a few increments; the
 * planner combines partial states directly, without serialisation.
 *
 * Statistics (README "Segment response" states the formulas):
 * - rates x/n; difference of rates and relative lift from the counts
 *   exactly (128-bit numerators, one final rounding);
 * - pooled two-proportion z-test, two-sided p = erfc(|z|/sqrt 2), equal to
 *   the chi-square test of the 2x2 table without continuity correction;
 * - unpooled (Wald) interval of the difference;
 * - Welch's t-test and interval for the values;
 * - Wilson score interval of one rate; sample size per arm.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "response.h"
#include "stats.h"
#include "wire.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "common/int.h"
#include "common/shortest_dec.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(response_state_in);
PG_FUNCTION_INFO_V1(response_state_out);
PG_FUNCTION_INFO_V1(response_state_to_jsonb);
PG_FUNCTION_INFO_V1(response_state_recv);
PG_FUNCTION_INFO_V1(response_state_send);
PG_FUNCTION_INFO_V1(response_state_eq);
PG_FUNCTION_INFO_V1(response_state_ne);
PG_FUNCTION_INFO_V1(response_agg_transfn);
PG_FUNCTION_INFO_V1(response_agg_value_transfn);
PG_FUNCTION_INFO_V1(response_mean_transfn);
PG_FUNCTION_INFO_V1(response_state_combine);
PG_FUNCTION_INFO_V1(segment_response_finalfn);
PG_FUNCTION_INFO_V1(segment_response_state);
PG_FUNCTION_INFO_V1(segment_mean_response_finalfn);
PG_FUNCTION_INFO_V1(segment_mean_response_state);
PG_FUNCTION_INFO_V1(response_rate_ci);
PG_FUNCTION_INFO_V1(response_sample_size);

#define RS_TYPE "response_state"

/* ---------------------------------------------------------------------
 * The state value
 * ---------------------------------------------------------------------
 */

ResponseState *
response_state_new(void)
{
	ResponseState *st = palloc0(sizeof(ResponseState));

	SET_VARSIZE(st, sizeof(ResponseState));
	st->version = RESPONSE_STATE_VERSION;
	return st;
}

/* Raise the invalid-value error of the right SQLSTATE for the source. */
static void
rs_invalid(bool from_text, const char *detail)
{
	if (from_text)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", RS_TYPE),
				 errdetail_internal("%s", detail)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary representation of type %s", RS_TYPE),
			 errdetail_internal("%s", detail)));
}

static void
rs_check_arm(const ResponseArm *a, const char *arm, bool from_text)
{
	char		buf[200];

	if (a->n < 0 || a->responders < 0 || a->value_n < 0)
	{
		snprintf(buf, sizeof(buf), "The %s counts are negative.", arm);
		rs_invalid(from_text, buf);
	}
	if (a->responders > a->n)
	{
		snprintf(buf, sizeof(buf), "The %s arm has more responders than rows.", arm);
		rs_invalid(from_text, buf);
	}
	if (!isfinite(a->mean) || !isfinite(a->m2) || a->m2 < 0)
	{
		snprintf(buf, sizeof(buf), "The %s mean and M2 must be finite and M2 not negative.", arm);
		rs_invalid(from_text, buf);
	}
	if ((a->value_n == 0 && (a->mean != 0 || a->m2 != 0)) ||
		(a->value_n == 1 && a->m2 != 0))
	{
		snprintf(buf, sizeof(buf),
				 "The %s arm has M2 (or a mean) that its number of values cannot have.", arm);
		rs_invalid(from_text, buf);
	}
}

void
response_state_check(const ResponseState *st, bool from_text)
{
	if (VARSIZE_ANY(st) != sizeof(ResponseState))
		rs_invalid(from_text, "The value has the wrong size.");
	if (st->version != RESPONSE_STATE_VERSION)
		rs_invalid(from_text, "Unknown format version.");
	if (st->reserved[0] || st->reserved[1] || st->reserved[2])
		rs_invalid(from_text, "Reserved bytes are not zero.");
	rs_check_arm(&st->treated, "treated", from_text);
	rs_check_arm(&st->control, "control", from_text);
}

void
response_check_unit(double value, const char *name)
{
	if (!(value > 0.0 && value < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be between 0 and 1", name),
				 errdetail("The %s given is %g; it must lie strictly between 0 and 1.",
						   name, value)));
}

/* --- text I/O ------------------------------------------------------- */

typedef struct RsParser
{
	const char *input;
	const char *p;
} RsParser;

static void
rs_syntax(RsParser *ps, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", RS_TYPE, ps->input),
			 errdetail("Expected %s at character %d.", what,
					   (int) (ps->p - ps->input) + 1)));
}

static void
rs_skip_ws(RsParser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static void
rs_expect(RsParser *ps, const char *word)
{
	size_t		len = strlen(word);

	if (strncmp(ps->p, word, len) != 0)
		rs_syntax(ps, psprintf("\"%s\"", word));
	ps->p += len;
}

static int64
rs_int64(RsParser *ps)
{
	int64		v = 0;

	if (*ps->p < '0' || *ps->p > '9')
		rs_syntax(ps, "a count (digits)");
	while (*ps->p >= '0' && *ps->p <= '9')
	{
		if (pg_mul_s64_overflow(v, 10, &v) ||
			pg_add_s64_overflow(v, *ps->p - '0', &v))
			rs_syntax(ps, "a count below 2^63");
		ps->p++;
	}
	return v;
}

static double
rs_double(RsParser *ps)
{
	const char *start = ps->p;
	char		buf[64];
	char	   *end;
	double		v;
	size_t		len;

	while ((*ps->p >= '0' && *ps->p <= '9') || *ps->p == '.' || *ps->p == '-' ||
		   *ps->p == '+' || *ps->p == 'e' || *ps->p == 'E')
		ps->p++;
	len = ps->p - start;
	if (len == 0 || len >= sizeof(buf))
	{
		ps->p = start;
		rs_syntax(ps, "a finite number");
	}
	memcpy(buf, start, len);
	buf[len] = '\0';
	v = strtod(buf, &end);
	if (end != buf + len || !isfinite(v))
	{
		ps->p = start;
		rs_syntax(ps, "a finite number");
	}
	return v + 0.0;				/* no negative zero */
}

static void
rs_parse_counts(RsParser *ps, ResponseArm *a, const char *key)
{
	rs_skip_ws(ps);
	rs_expect(ps, key);
	a->n = rs_int64(ps);
	rs_expect(ps, "/");
	a->responders = rs_int64(ps);
}

static void
rs_parse_values(RsParser *ps, ResponseArm *a, const char *key)
{
	rs_skip_ws(ps);
	rs_expect(ps, key);
	a->value_n = rs_int64(ps);
	rs_expect(ps, "/");
	a->mean = rs_double(ps);
	rs_expect(ps, "/");
	a->m2 = rs_double(ps);
}

/*
 * Text form: "treated=N/R control=N/R", followed by
 * " treated_values=N/MEAN/M2 control_values=N/MEAN/M2" when either arm
 * has values.  Doubles are printed shortest-exact (Ryu), so the text form
 * is lossless and independent of extra_float_digits.
 */
Datum
response_state_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	RsParser	ps;
	ResponseState *st = response_state_new();

	ps.input = str;
	ps.p = str;
	rs_parse_counts(&ps, &st->treated, "treated=");
	rs_parse_counts(&ps, &st->control, "control=");
	rs_skip_ws(&ps);
	if (*ps.p != '\0')
	{
		rs_parse_values(&ps, &st->treated, "treated_values=");
		rs_parse_values(&ps, &st->control, "control_values=");
		rs_skip_ws(&ps);
		if (*ps.p != '\0')
			rs_syntax(&ps, "end of input");
	}
	response_state_check(st, true);
	PG_RETURN_POINTER(st);
}

static void
rs_append_double(StringInfo buf, double v)
{
	char		tmp[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(v, tmp);
	appendStringInfoString(buf, tmp);
}

Datum
response_state_out(PG_FUNCTION_ARGS)
{
	ResponseState *st = PG_GETARG_RESPONSE_STATE(0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "treated=" INT64_FORMAT "/" INT64_FORMAT
					 " control=" INT64_FORMAT "/" INT64_FORMAT,
					 st->treated.n, st->treated.responders,
					 st->control.n, st->control.responders);
	if (st->treated.value_n > 0 || st->control.value_n > 0)
	{
		appendStringInfo(&buf, " treated_values=" INT64_FORMAT "/", st->treated.value_n);
		rs_append_double(&buf, st->treated.mean);
		appendStringInfoChar(&buf, '/');
		rs_append_double(&buf, st->treated.m2);
		appendStringInfo(&buf, " control_values=" INT64_FORMAT "/", st->control.value_n);
		rs_append_double(&buf, st->control.mean);
		appendStringInfoChar(&buf, '/');
		rs_append_double(&buf, st->control.m2);
	}
	PG_RETURN_CSTRING(buf.data);
}

/* --- binary I/O ----------------------------------------------------- */

/* version byte + per arm three int64 and two float8 */
#define RS_WIRE_BYTES	(1 + 2 * (3 * 8 + 2 * 8))

Datum
response_state_recv(PG_FUNCTION_ARGS)
{
	WireReader	w;
	ResponseState *st = response_state_new();
	ResponseArm *arms[2];
	int			i;

	wire_reader_init(&w, (StringInfo) PG_GETARG_POINTER(0), RS_TYPE);
	if (wire_remaining(&w) != RS_WIRE_BYTES)
		wire_error(&w, psprintf("A value is %d bytes; this one has %d.",
								RS_WIRE_BYTES, wire_remaining(&w)));
	wire_version(&w, RESPONSE_STATE_VERSION);
	arms[0] = &st->treated;
	arms[1] = &st->control;
	for (i = 0; i < 2; i++)
	{
		arms[i]->n = wire_int64(&w);
		arms[i]->responders = wire_int64(&w);
		arms[i]->value_n = wire_int64(&w);
		arms[i]->mean = wire_float8(&w);
		arms[i]->m2 = wire_float8(&w);
	}
	response_state_check(st, false);
	PG_RETURN_POINTER(st);
}

Datum
response_state_send(PG_FUNCTION_ARGS)
{
	ResponseState *st = PG_GETARG_RESPONSE_STATE(0);
	ResponseArm *arms[2];
	StringInfoData buf;
	int			i;

	arms[0] = &st->treated;
	arms[1] = &st->control;
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, st->version);
	for (i = 0; i < 2; i++)
	{
		pq_sendint64(&buf, arms[i]->n);
		pq_sendint64(&buf, arms[i]->responders);
		pq_sendint64(&buf, arms[i]->value_n);
		pq_sendfloat8(&buf, arms[i]->mean);
		pq_sendfloat8(&buf, arms[i]->m2);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* --- equality --------------------------------------------------------- */

static bool
rs_arm_eq(const ResponseArm *a, const ResponseArm *b)
{
	return a->n == b->n && a->responders == b->responders &&
		a->value_n == b->value_n && a->mean == b->mean && a->m2 == b->m2;
}

Datum
response_state_eq(PG_FUNCTION_ARGS)
{
	ResponseState *a = PG_GETARG_RESPONSE_STATE(0);
	ResponseState *b = PG_GETARG_RESPONSE_STATE(1);

	PG_RETURN_BOOL(rs_arm_eq(&a->treated, &b->treated) &&
				   rs_arm_eq(&a->control, &b->control));
}

Datum
response_state_ne(PG_FUNCTION_ARGS)
{
	ResponseState *a = PG_GETARG_RESPONSE_STATE(0);
	ResponseState *b = PG_GETARG_RESPONSE_STATE(1);

	PG_RETURN_BOOL(!(rs_arm_eq(&a->treated, &b->treated) &&
					 rs_arm_eq(&a->control, &b->control)));
}

/* ---------------------------------------------------------------------
 * Aggregates
 * ---------------------------------------------------------------------
 */

static void
rs_require_agg(FunctionCallInfo fcinfo, const char *fn)
{
	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", fn)));
}

/*
 * The state to update: argument 0, changed in place (it is the aggregate's
 * own copy), or a new zeroed state for the first row.
 */
static ResponseState *
rs_transition_state(FunctionCallInfo fcinfo, const char *fn)
{
	rs_require_agg(fcinfo, fn);
	if (PG_ARGISNULL(0))
		return response_state_new();
	return (ResponseState *) PG_GETARG_POINTER(0);
}

/*
 * The SQL name of the aggregate being computed (for messages), or fallback
 * when it cannot be told.
 */
static const char *
rs_agg_name(FunctionCallInfo fcinfo, const char *fallback)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	char	   *name = aggref ? get_func_name(aggref->aggfnoid) : NULL;

	return name ? name : fallback;
}

/*
 * Raise 22003 unless an arm's new mean and M2 are finite: a state holding
 * an infinite moment could be neither read back from its text or binary
 * form nor used for a test.
 */
static void
rs_check_moments(FunctionCallInfo fcinfo, const char *fallback, double mean, double m2)
{
	if (!isfinite(mean) || !isfinite(m2))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("values out of range for %s", rs_agg_name(fcinfo, fallback)),
				 errdetail("The mean or the sum of squared deviations of the values would exceed the range of double precision."),
				 errhint("Scale the values down (for example, to thousands) before aggregating.")));
}

/* Welford's update of an arm's value moments. */
static inline void
rs_add_value(FunctionCallInfo fcinfo, const char *fallback, ResponseArm *a, double v)
{
	double		delta,
				mean,
				m2;

	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("response value must be a finite number"),
				 errhint("Use NULL for a row without a value.")));
	delta = v - a->mean;
	mean = a->mean + delta / (double) (a->value_n + 1);
	m2 = a->m2 + delta * (v - mean);
	rs_check_moments(fcinfo, fallback, mean, m2);
	a->value_n++;
	a->mean = mean;
	a->m2 = m2;
}

/* response_agg(treated, responded) and segment_response(treated, responded) */
Datum
response_agg_transfn(PG_FUNCTION_ARGS)
{
	ResponseState *st = rs_transition_state(fcinfo, "response_agg_transfn");

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		ResponseArm *a = PG_GETARG_BOOL(1) ? &st->treated : &st->control;

		a->n++;
		a->responders += PG_GETARG_BOOL(2) ? 1 : 0;
	}
	PG_RETURN_POINTER(st);
}

/* response_agg(treated, responded, value) */
Datum
response_agg_value_transfn(PG_FUNCTION_ARGS)
{
	ResponseState *st = rs_transition_state(fcinfo, "response_agg_value_transfn");

	if (!PG_ARGISNULL(1))
	{
		ResponseArm *a = PG_GETARG_BOOL(1) ? &st->treated : &st->control;

		if (!PG_ARGISNULL(2))
		{
			a->n++;
			a->responders += PG_GETARG_BOOL(2) ? 1 : 0;
		}
		if (!PG_ARGISNULL(3))
			rs_add_value(fcinfo, "response_agg", a, PG_GETARG_FLOAT8(3));
	}
	PG_RETURN_POINTER(st);
}

/* segment_mean_response(treated, value) */
Datum
response_mean_transfn(PG_FUNCTION_ARGS)
{
	ResponseState *st = rs_transition_state(fcinfo, "response_mean_transfn");

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
		rs_add_value(fcinfo, "segment_mean_response",
					 PG_GETARG_BOOL(1) ? &st->treated : &st->control,
					 PG_GETARG_FLOAT8(2));
	PG_RETURN_POINTER(st);
}

static void
rs_count_overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("response counts out of range"),
			 errdetail("A combined count would exceed 2^63 - 1.")));
}

/*
 * Add arm b into arm a (Chan et al.'s merge of mean and M2).  The M2 term
 * delta^2 na nb / n is formed as (delta f) delta, f = na nb / n >= 1/2, so
 * it overflows only when the result does.
 */
static void
rs_merge_arm(FunctionCallInfo fcinfo, ResponseArm *a, const ResponseArm *b)
{
	int64		n;

	if (pg_add_s64_overflow(a->n, b->n, &a->n) ||
		pg_add_s64_overflow(a->responders, b->responders, &a->responders))
		rs_count_overflow();
	if (b->value_n == 0)
		return;
	if (a->value_n == 0)
	{
		a->value_n = b->value_n;
		a->mean = b->mean;
		a->m2 = b->m2;
		return;
	}
	if (pg_add_s64_overflow(a->value_n, b->value_n, &n))
		rs_count_overflow();
	{
		double		na = (double) a->value_n,
					nb = (double) b->value_n,
					nn = (double) n,
					delta = b->mean - a->mean,
					mean = a->mean + delta * (nb / nn),
					m2 = a->m2 + b->m2 + delta * ((na / nn) * nb) * delta;

		rs_check_moments(fcinfo, "rollup", mean, m2);
		a->mean = mean;
		a->m2 = m2;
		a->value_n = n;
	}
}

/*
 * Combine function of every response aggregate and transition function of
 * rollup(response_state): adds state 2 into state 1 in place.
 */
Datum
response_state_combine(PG_FUNCTION_ARGS)
{
	ResponseState *a,
			   *b;

	rs_require_agg(fcinfo, "response_state_combine");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = PG_GETARG_RESPONSE_STATE(1);
	if (PG_ARGISNULL(0))
	{
		/* adopt a copy (the executor keeps it in the aggregate context) */
		a = palloc(sizeof(ResponseState));
		memcpy(a, b, sizeof(ResponseState));
		PG_RETURN_POINTER(a);
	}
	a = (ResponseState *) PG_GETARG_POINTER(0);
	rs_merge_arm(fcinfo, &a->treated, &b->treated);
	rs_merge_arm(fcinfo, &a->control, &b->control);
	PG_RETURN_POINTER(a);
}

/* ---------------------------------------------------------------------
 * Statistics
 * ---------------------------------------------------------------------
 */

/* (double) of x * y - u * v, computed exactly before the one rounding. */
double
response_cross_diff(int64 x, int64 y, int64 u, int64 v)
{
#ifdef HAVE_INT128
	return (double) ((int128) x * y - (int128) u * v);
#else
	/* XXX without int128: long double keeps 64 bits on x86 only */
	return (double) ((long double) x * y - (long double) u * v);
#endif
}

void
response_binary_stats(const ResponseState *st, double level, BinaryStats *s)
{
	int64		nt = st->treated.n,
				xt = st->treated.responders,
				nc = st->control.n,
				xc = st->control.responders;
	double		num,
				zq;

	memset(s, 0, sizeof(*s));
	s->has_t = nt > 0;
	s->has_c = nc > 0;
	if (s->has_t)
		s->t_rate = (double) xt / (double) nt;
	if (s->has_c)
		s->c_rate = (double) xc / (double) nc;
	if (!s->has_t || !s->has_c)
		return;
	s->has_cmp = true;

	/* p_t - p_c = (xt nc - xc nt) / (nt nc) */
	num = response_cross_diff(xt, nc, xc, nt);
	s->diff = num / ((double) nt * (double) nc);
	if (xc > 0)
	{
		/* p_t / p_c - 1 = (xt nc - xc nt) / (xc nt) */
		s->has_lift = true;
		s->lift = num / ((double) xc * (double) nt);
	}

	/* unpooled (Wald) interval: var = xt (nt - xt) / nt^3 + xc (nc - xc) / nc^3 */
	{
		double		dt = (double) nt,
					dc = (double) nc;
		double		var = ((double) xt * (double) (nt - xt)) / (dt * dt * dt) +
			((double) xc * (double) (nc - xc)) / (dc * dc * dc);
		double		half;

		zq = cj_z_for_level(level);
		half = zq * sqrt(var);
		s->ci_low = s->diff - half;
		s->ci_high = s->diff + half;
	}

	/*
	 * pooled z: var0 = X (N - X) / (N nt nc), X = xt + xc, N = nt + nc.  The
	 * sums are formed in double: as int64 they can wrap for counts near
	 * 2^63 (each count alone fits).
	 */
	if ((xt > 0 || xc > 0) && (xt < nt || xc < nc))
	{
		double		x = (double) xt + (double) xc,
					nx = (double) (nt - xt) + (double) (nc - xc),
					n = (double) nt + (double) nc;
		double		var0 = (x * nx) / (n * (double) nt * (double) nc);

		s->has_z = true;
		s->z = s->diff / sqrt(var0);
		s->p = cj_norm_two_sided_p(s->z);
	}
}

/* Results of the Welch comparison of the values. */
typedef struct MeanStats
{
	bool		has_t_mean,
				has_c_mean,
				has_t_sd,
				has_c_sd,
				has_diff,
				has_lift,
				has_test;
	double		t_mean,
				c_mean,
				t_sd,
				c_sd,
				diff,
				lift,
				ci_low,
				ci_high,
				t,
				df,
				p;
} MeanStats;

static void
mean_stats(const ResponseState *st, double level, MeanStats *s)
{
	const ResponseArm *ta = &st->treated,
			   *ca = &st->control;

	memset(s, 0, sizeof(*s));
	s->has_t_mean = ta->value_n > 0;
	s->has_c_mean = ca->value_n > 0;
	s->t_mean = ta->mean;
	s->c_mean = ca->mean;
	s->has_t_sd = ta->value_n > 1;
	s->has_c_sd = ca->value_n > 1;
	if (s->has_t_sd)
		s->t_sd = sqrt(ta->m2 / (double) (ta->value_n - 1));
	if (s->has_c_sd)
		s->c_sd = sqrt(ca->m2 / (double) (ca->value_n - 1));
	if (s->has_t_mean && s->has_c_mean)
	{
		s->has_diff = true;
		s->diff = ta->mean - ca->mean;
		if (ca->mean != 0)
		{
			s->has_lift = true;
			s->lift = s->diff / ca->mean;
		}
	}
	if (s->has_t_sd && s->has_c_sd && (ta->m2 > 0 || ca->m2 > 0))
	{
		/*
		 * Squared standard errors vt = m2_t / ((n_t - 1) n_t) and vc, both
		 * divided by the larger M2 (the scale is put back in se only): the
		 * Welch-Satterthwaite df (vt + vc)^2 / (vt^2 / (n_t - 1) + vc^2 /
		 * (n_c - 1)) is a ratio, and unscaled its squares overflow for a
		 * standard deviation above about 1e77 and underflow (0/0) below
		 * about 1e-77.
		 */
		double		nt = (double) ta->value_n,
					nc = (double) ca->value_n,
					m = Max(ta->m2, ca->m2);
		double		vt = ta->m2 / m / (nt - 1.0) / nt,
					vc = ca->m2 / m / (nc - 1.0) / nc;
		double		se = sqrt(vt + vc) * sqrt(m);
		double		half;

		s->has_test = true;
		s->df = (vt + vc) * (vt + vc) / (vt * vt / (nt - 1.0) + vc * vc / (nc - 1.0));
		s->t = s->diff / se;
		s->p = cj_t_two_sided_p(s->t, s->df);
		half = cj_t_isf((1.0 - level) / 2.0, s->df) * se;
		s->ci_low = s->diff - half;
		s->ci_high = s->diff + half;
	}
}

static Datum
float8_or_null(bool has, double v, bool *isnull)
{
	*isnull = !has;
	return has ? Float8GetDatum(v) : (Datum) 0;
}

static TupleDesc
result_desc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	return BlessTupleDesc(tupdesc);
}

static Datum
segment_response_datum(FunctionCallInfo fcinfo, const ResponseState *st, double level)
{
	BinaryStats s;
	Datum		v[12];
	bool		nul[12];

	response_check_unit(level, "level");
	response_binary_stats(st, level, &s);
	memset(nul, 0, sizeof(nul));
	v[0] = Int64GetDatum(st->treated.n);
	v[1] = Int64GetDatum(st->treated.responders);
	v[2] = float8_or_null(s.has_t, s.t_rate, &nul[2]);
	v[3] = Int64GetDatum(st->control.n);
	v[4] = Int64GetDatum(st->control.responders);
	v[5] = float8_or_null(s.has_c, s.c_rate, &nul[5]);
	v[6] = float8_or_null(s.has_cmp, s.diff, &nul[6]);
	v[7] = float8_or_null(s.has_lift, s.lift, &nul[7]);
	v[8] = float8_or_null(s.has_cmp, s.ci_low, &nul[8]);
	v[9] = float8_or_null(s.has_cmp, s.ci_high, &nul[9]);
	v[10] = float8_or_null(s.has_z, s.z, &nul[10]);
	v[11] = float8_or_null(s.has_z, s.p, &nul[11]);
	return HeapTupleGetDatum(heap_form_tuple(result_desc(fcinfo), v, nul));
}

/* final function of segment_response(treated, responded): 95% interval */
Datum
segment_response_finalfn(PG_FUNCTION_ARGS)
{
	return segment_response_datum(fcinfo, PG_GETARG_RESPONSE_STATE(0), 0.95);
}

/* segment_response(response_state, level) */
Datum
segment_response_state(PG_FUNCTION_ARGS)
{
	return segment_response_datum(fcinfo, PG_GETARG_RESPONSE_STATE(0),
								  PG_GETARG_FLOAT8(1));
}

static Datum
segment_mean_response_datum(FunctionCallInfo fcinfo, const ResponseState *st, double level)
{
	MeanStats	s;
	Datum		v[13];
	bool		nul[13];

	response_check_unit(level, "level");
	mean_stats(st, level, &s);
	memset(nul, 0, sizeof(nul));
	v[0] = Int64GetDatum(st->treated.value_n);
	v[1] = float8_or_null(s.has_t_mean, s.t_mean, &nul[1]);
	v[2] = float8_or_null(s.has_t_sd, s.t_sd, &nul[2]);
	v[3] = Int64GetDatum(st->control.value_n);
	v[4] = float8_or_null(s.has_c_mean, s.c_mean, &nul[4]);
	v[5] = float8_or_null(s.has_c_sd, s.c_sd, &nul[5]);
	v[6] = float8_or_null(s.has_diff, s.diff, &nul[6]);
	v[7] = float8_or_null(s.has_lift, s.lift, &nul[7]);
	v[8] = float8_or_null(s.has_test, s.ci_low, &nul[8]);
	v[9] = float8_or_null(s.has_test, s.ci_high, &nul[9]);
	v[10] = float8_or_null(s.has_test, s.t, &nul[10]);
	v[11] = float8_or_null(s.has_test, s.df, &nul[11]);
	v[12] = float8_or_null(s.has_test, s.p, &nul[12]);
	return HeapTupleGetDatum(heap_form_tuple(result_desc(fcinfo), v, nul));
}

/* final function of segment_mean_response(treated, value): 95% interval */
Datum
segment_mean_response_finalfn(PG_FUNCTION_ARGS)
{
	return segment_mean_response_datum(fcinfo, PG_GETARG_RESPONSE_STATE(0), 0.95);
}

/* segment_mean_response(response_state, level) */
Datum
segment_mean_response_state(PG_FUNCTION_ARGS)
{
	return segment_mean_response_datum(fcinfo, PG_GETARG_RESPONSE_STATE(0),
									   PG_GETARG_FLOAT8(1));
}

/* ---------------------------------------------------------------------
 * Accessors: one per result field, each a one-line wrapper
 * ---------------------------------------------------------------------
 */

#define RS_COUNT_ACCESSOR(fn, expr) \
PG_FUNCTION_INFO_V1(fn); \
Datum fn(PG_FUNCTION_ARGS); \
Datum \
fn(PG_FUNCTION_ARGS) \
{ \
	ResponseState *st = PG_GETARG_RESPONSE_STATE(0); \
	PG_RETURN_INT64(expr); \
}

RS_COUNT_ACCESSOR(response_treated_n, st->treated.n)
RS_COUNT_ACCESSOR(response_treated_responders, st->treated.responders)
RS_COUNT_ACCESSOR(response_control_n, st->control.n)
RS_COUNT_ACCESSOR(response_control_responders, st->control.responders)
RS_COUNT_ACCESSOR(response_treated_value_n, st->treated.value_n)
RS_COUNT_ACCESSOR(response_control_value_n, st->control.value_n)

/* level: argument 1 when the SQL function has it, else 0.95 */
static double
rs_level_arg(FunctionCallInfo fcinfo)
{
	double		level = PG_NARGS() > 1 ? PG_GETARG_FLOAT8(1) : 0.95;

	response_check_unit(level, "level");
	return level;
}

#define RS_BINARY_ACCESSOR(fn, has, field) \
PG_FUNCTION_INFO_V1(fn); \
Datum fn(PG_FUNCTION_ARGS); \
Datum \
fn(PG_FUNCTION_ARGS) \
{ \
	BinaryStats s; \
	response_binary_stats(PG_GETARG_RESPONSE_STATE(0), rs_level_arg(fcinfo), &s); \
	if (!s.has) \
		PG_RETURN_NULL(); \
	PG_RETURN_FLOAT8(s.field); \
}

RS_BINARY_ACCESSOR(response_treated_rate, has_t, t_rate)
RS_BINARY_ACCESSOR(response_control_rate, has_c, c_rate)
RS_BINARY_ACCESSOR(response_abs_lift, has_cmp, diff)
RS_BINARY_ACCESSOR(response_lift, has_lift, lift)
RS_BINARY_ACCESSOR(response_ci_low, has_cmp, ci_low)
RS_BINARY_ACCESSOR(response_ci_high, has_cmp, ci_high)
RS_BINARY_ACCESSOR(response_z, has_z, z)
RS_BINARY_ACCESSOR(response_p_value, has_z, p)

#define RS_MEAN_ACCESSOR(fn, has, field) \
PG_FUNCTION_INFO_V1(fn); \
Datum fn(PG_FUNCTION_ARGS); \
Datum \
fn(PG_FUNCTION_ARGS) \
{ \
	MeanStats	s; \
	mean_stats(PG_GETARG_RESPONSE_STATE(0), rs_level_arg(fcinfo), &s); \
	if (!s.has) \
		PG_RETURN_NULL(); \
	PG_RETURN_FLOAT8(s.field); \
}

RS_MEAN_ACCESSOR(response_treated_mean, has_t_mean, t_mean)
RS_MEAN_ACCESSOR(response_control_mean, has_c_mean, c_mean)
RS_MEAN_ACCESSOR(response_treated_sd, has_t_sd, t_sd)
RS_MEAN_ACCESSOR(response_control_sd, has_c_sd, c_sd)
RS_MEAN_ACCESSOR(response_mean_diff, has_diff, diff)
RS_MEAN_ACCESSOR(response_mean_lift, has_lift, lift)
RS_MEAN_ACCESSOR(response_mean_ci_low, has_test, ci_low)
RS_MEAN_ACCESSOR(response_mean_ci_high, has_test, ci_high)
RS_MEAN_ACCESSOR(response_t, has_test, t)
RS_MEAN_ACCESSOR(response_df, has_test, df)
RS_MEAN_ACCESSOR(response_mean_p_value, has_test, p)

/* ---------------------------------------------------------------------
 * Single rates and planning
 * ---------------------------------------------------------------------
 */

/*
 * response_rate_ci(responders, n, level): rate and Wilson score interval
 * (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n).
 */
Datum
response_rate_ci(PG_FUNCTION_ARGS)
{
	int64		x = PG_GETARG_INT64(0);
	int64		n = PG_GETARG_INT64(1);
	double		level = PG_GETARG_FLOAT8(2);
	Datum		v[3];
	bool		nul[3] = {false, false, false};

	response_check_unit(level, "level");
	if (n < 0 || x < 0 || x > n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("responders must be between 0 and n"),
				 errdetail("responders is " INT64_FORMAT " and n is " INT64_FORMAT ".", x, n)));
	if (n == 0)
	{
		nul[0] = nul[1] = nul[2] = true;
		v[0] = v[1] = v[2] = (Datum) 0;
	}
	else
	{
		double		dn = (double) n,
					p = (double) x / dn,
					pq = ((double) x * (double) (n - x)) / (dn * dn),	/* p(1-p) */
					z = cj_z_for_level(level),
					z2 = z * z,
					denom = 1.0 + z2 / dn,
					centre = (p + z2 / (2.0 * dn)) / denom,
					half = z * sqrt(pq / dn + z2 / (4.0 * dn * dn)) / denom;

		/* the ends are exactly 0 and 1 when x is 0 or n */
		v[0] = Float8GetDatum(p);
		v[1] = Float8GetDatum(x == 0 ? 0.0 : centre - half);
		v[2] = Float8GetDatum(x == n ? 1.0 : centre + half);
	}
	return HeapTupleGetDatum(heap_form_tuple(result_desc(fcinfo), v, nul));
}

/*
 * response_sample_size(baseline, mde, alpha, power): rows per arm to detect
 * an absolute change mde of a baseline rate p1 with a two-sided test,
 * n = (z_{1-alpha/2} sqrt(2 pbar (1 - pbar)) + z_{power} sqrt(p1 q1 + p2 q2))^2
 *     / (p2 - p1)^2, p2 = p1 + mde, pbar = (p1 + p2)/2, rounded up.
 */
Datum
response_sample_size(PG_FUNCTION_ARGS)
{
	double		p1 = PG_GETARG_FLOAT8(0);
	double		mde = PG_GETARG_FLOAT8(1);
	double		alpha = PG_GETARG_FLOAT8(2);
	double		power = PG_GETARG_FLOAT8(3);
	double		p2,
				pbar,
				za,
				zb,
				root,
				n;

	response_check_unit(p1, "baseline");
	response_check_unit(alpha, "alpha");
	response_check_unit(power, "power");

	/*
	 * With no effect a two-sided test already rejects with probability
	 * alpha, so a power at or below it asks for nothing (and below alpha/2
	 * the formula's root turns negative and its square meaningless).  With
	 * power > alpha the root is positive: z_{1-alpha/2} > z_{1-alpha} and
	 * 2 pbar (1 - pbar) >= p1 q1 + p2 q2.
	 */
	if (!(power > alpha))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("power must be greater than alpha"),
				 errdetail("power is %g and alpha is %g; power must lie strictly between alpha and 1.",
						   power, alpha),
				 errhint("Typical values are alpha 0.05 and power 0.8.")));
	p2 = p1 + mde;
	if (!(mde != 0.0) || !(p2 > 0.0 && p2 < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mde must be non-zero and keep baseline + mde between 0 and 1"),
				 errdetail("baseline is %g and mde is %g; mde is the absolute change of the rate.",
						   p1, mde)));
	pbar = (p1 + p2) / 2.0;
	za = cj_norm_isf(alpha / 2.0);
	zb = cj_norm_isf(1.0 - power);
	root = za * sqrt(2.0 * pbar * (1.0 - pbar)) + zb * sqrt(p1 * (1.0 - p1) + p2 * (1.0 - p2));
	n = ceil(root * root / (mde * mde));
	if (!(n < 9.2e18))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sample size out of range"),
				 errdetail("The sample size is %g rows per arm.", n)));
	PG_RETURN_INT64((int64) n);
}

/* ", \"key\": v" with v a double, or null when !has */
static void
json_field(StringInfo buf, const char *key, bool has, double v)
{
	appendStringInfo(buf, ", \"%s\": ", key);
	if (has)
		cj_json_double(buf, v);
	else
		appendStringInfoString(buf, "null");
}

static void
json_arm(StringInfo buf, const char *name, const ResponseArm *a, bool has_rate, double rate,
		 bool has_mean, double mean, bool has_sd, double sd)
{
	appendStringInfo(buf, "\"%s\": {\"n\": " INT64_FORMAT ", \"responders\": " INT64_FORMAT,
					 name, a->n, a->responders);
	json_field(buf, "rate", has_rate, rate);
	appendStringInfo(buf, ", \"value_n\": " INT64_FORMAT, a->value_n);
	json_field(buf, "mean", has_mean, mean);
	json_field(buf, "sd", has_sd, sd);
	appendStringInfoChar(buf, '}');
}

/*
 * response_state_to_jsonb(st [, level]): the arms' counts, rates and value
 * moments, then the segment_response and segment_mean_response fields at
 * the level (default 0.95); NULL fields are JSON null.
 */
Datum
response_state_to_jsonb(PG_FUNCTION_ARGS)
{
	ResponseState *st = PG_GETARG_RESPONSE_STATE(0);
	double		level = PG_NARGS() > 1 ? PG_GETARG_FLOAT8(1) : 0.95;
	BinaryStats b;
	MeanStats	m;
	StringInfoData buf;

	response_check_unit(level, "level");
	response_binary_stats(st, level, &b);
	mean_stats(st, level, &m);
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	json_arm(&buf, "treated", &st->treated, b.has_t, b.t_rate, m.has_t_mean, m.t_mean, m.has_t_sd, m.t_sd);
	appendStringInfoString(&buf, ", ");
	json_arm(&buf, "control", &st->control, b.has_c, b.c_rate, m.has_c_mean, m.c_mean, m.has_c_sd, m.c_sd);
	json_field(&buf, "level", true, level);
	json_field(&buf, "abs_lift", b.has_cmp, b.diff);
	json_field(&buf, "lift", b.has_lift, b.lift);
	json_field(&buf, "ci_low", b.has_cmp, b.ci_low);
	json_field(&buf, "ci_high", b.has_cmp, b.ci_high);
	json_field(&buf, "z", b.has_z, b.z);
	json_field(&buf, "p_value", b.has_z, b.p);
	json_field(&buf, "mean_diff", m.has_diff, m.diff);
	json_field(&buf, "mean_lift", m.has_lift, m.lift);
	json_field(&buf, "mean_ci_low", m.has_test, m.ci_low);
	json_field(&buf, "mean_ci_high", m.has_test, m.ci_high);
	json_field(&buf, "t", m.has_test, m.t);
	json_field(&buf, "df", m.has_test, m.df);
	json_field(&buf, "mean_p_value", m.has_test, m.p);
	appendStringInfoChar(&buf, '}');
	PG_RETURN_DATUM(cj_jsonb_of(&buf));
}
