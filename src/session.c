/*-------------------------------------------------------------------------
 *
 * session.c
 *		Sessions: sessionize and session_start (window functions),
 *		session_count (aggregate), journey_sessions and journey_sessionize.
 *
 * One rule decides where a session starts (session_rule_step), and every
 * form feeds it one instant at a time, in time order:
 *	- the window functions stream the partition's rows, looking ahead over
 *	  the rows of an instant to see whether any of them asks for a new
 *	  session;
 *	- session_count keeps the group's rows as packed touch times (time and
 *	  the new_session flag, touch_times.h), sorts them and walks them
 *	  (session_walk);
 *	- the journey forms pack a stored journey's touches the same way and
 *	  take the same walk.
 *
 * A row r starts a new session when its time minus the previous instant's
 * exceeds the timeout (strictly), when max_duration is set and r is more
 * than max_duration after its session's first row, when a day boundary is
 * set and r's local date differs from the previous instant's, or when some
 * row of r's instant has new_session true.  Rows at one instant always
 * share a session, so no result depends on the order of peers.  Intervals
 * count months as 30 days and days as 24 hours; integer times use the
 * column's own unit.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "agg.h"
#include "journey_format.h"
#include "touch_times.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "windowapi.h"

PG_FUNCTION_INFO_V1(sessionize);
PG_FUNCTION_INFO_V1(session_start);
PG_FUNCTION_INFO_V1(session_count_transfn);
PG_FUNCTION_INFO_V1(session_count_combine);
PG_FUNCTION_INFO_V1(session_count_serialize);
PG_FUNCTION_INFO_V1(session_count_deserialize);
PG_FUNCTION_INFO_V1(session_count_finalfn);
PG_FUNCTION_INFO_V1(journey_sessions);
PG_FUNCTION_INFO_V1(journey_sessionize);

/*
 * Integer times that session_count packs with a flag (time * 2 + flag):
 * |t| < 2^62.  Epoch nanoseconds reach it in the year 2116.
 */
#define SESSION_MAX_BIGINT_TIME	(INT64CONST(1) << 62)

/* Where sessions start: the parameters every form shares. */
typedef struct SessionRules
{
	int64		timeout;		/* > 0: microseconds, or the integer time's unit */
	int64		max_duration;	/* > 0; 0 = no limit */
	pg_tz	   *zone;			/* day boundary; NULL = none */
} SessionRules;

/* The walk's position: the session so far and the previous instant. */
typedef struct SessionCursor
{
	int64		session;		/* current session number, 0 before any row */
	int64		start;			/* time of the session's first row */
	int64		prev;			/* the previous instant */
	int32		prev_day;		/* its local date (Julian day), with a zone */
} SessionCursor;

/* The local date of a time in a zone, as a Julian day number. */
static int32
local_day(int64 t, pg_tz *zone)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			tz;

	if (timestamp2tm(t, &tz, &tm, &fsec, NULL, zone) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return date2j(tm.tm_year, tm.tm_mon, tm.tm_mday);
}

/*
 * Place the next instant t (later than the previous one) whose rows ask for
 * a new session when flag; returns true when t starts a new session.
 */
static bool
session_rule_step(const SessionRules *r, SessionCursor *c, int64 t, bool flag)
{
	bool		split;
	int32		day = 0;
	int64		d;

	if (r->zone != NULL)
		day = local_day(t, r->zone);
	if (c->session == 0)
		split = true;
	else
	{
		/* an overflowing difference is larger than any limit */
		split = flag ||
			pg_sub_s64_overflow(t, c->prev, &d) || d > r->timeout ||
			(r->max_duration > 0 &&
			 (pg_sub_s64_overflow(t, c->start, &d) || d > r->max_duration)) ||
			(r->zone != NULL && day != c->prev_day);
	}
	if (split)
	{
		c->session++;
		c->start = t;
	}
	c->prev = t;
	c->prev_day = day;
	return split;
}

/*
 * The walk over packed times (time * 2 + new_session flag) in time order:
 * session[i] is the session number of row i.  Rows of one instant are
 * consecutive but their flags may come in any order.  Returns the number of
 * sessions.
 */
static int64
session_walk(const SessionRules *r, const int64 *touch, int32 n, int64 *session)
{
	SessionCursor c = {0};
	int32		i = 0;

	while (i < n)
	{
		int64		t = TOUCH_TIME(touch[i]);
		bool		flag = false;
		int32		j;

		for (j = i; j < n && TOUCH_TIME(touch[j]) == t; j++)
			flag |= TOUCH_FLAGGED(touch[j]);
		(void) session_rule_step(r, &c, t, flag);
		if (session != NULL)
			for (; i < j; i++)
				session[i] = c.session;
		i = j;
	}
	return c.session;
}

/* ---- parameters ---- */

/* An interval as microseconds (months are 30 days, days 24 hours). */
static bool
interval_usec(const Interval *iv, int64 *usec)
{
	int64		days = (int64) iv->month * DAYS_PER_MONTH + iv->day;

	if (days > PG_INT64_MAX / USECS_PER_DAY / 2 || days < PG_INT64_MIN / USECS_PER_DAY / 2)
		return false;
	return !pg_add_s64_overflow(days * USECS_PER_DAY, iv->time, usec);
}

/*
 * A duration argument (timeout or max_duration) in the time's unit: an
 * interval, or a bigint for integer time.  NULL gives 0 when allowed.
 */
static int64
duration_arg(const char *fn, const char *what, Datum d, bool isnull, bool bigint_time,
			 bool null_ok)
{
	int64		v;
	char	   *shown;

	if (isnull)
	{
		if (null_ok)
			return 0;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s %s must not be NULL", fn, what),
				 errhint("Pass a positive %s, such as %s.", what,
						 bigint_time ? "1800" : "interval '30 minutes'")));
	}
	if (bigint_time)
	{
		v = DatumGetInt64(d);
		shown = psprintf(INT64_FORMAT, v);
	}
	else
	{
		shown = DatumGetCString(DirectFunctionCall1(interval_out, d));
		if (!interval_usec(DatumGetIntervalP(d), &v))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s %s \"%s\" is out of range", fn, what, shown)));
	}
	if (v <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s %s must be positive, not \"%s\"", fn, what, shown),
				 errhint("Pass a positive %s, such as %s%s.", what,
						 bigint_time ? "1800" : "interval '30 minutes'",
						 null_ok ? ", or NULL for none" : "")));
	return v;
}

/* The zone of a day_boundary argument; errors for an unknown name. */
static pg_tz *
zone_lookup(const char *fn, const char *name)
{
	pg_tz	   *zone = pg_tzset(name);

	if (zone == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s day_boundary \"%s\" is not a known time zone", fn, name),
				 errhint("Pass a time zone name such as 'UTC' or 'Europe/Paris', or NULL for no day boundary.")));
	return zone;
}

/* ---- window functions ---- */

/* Time types of the session functions. */
typedef enum SessionTime
{
	ST_TIMESTAMPTZ,
	ST_TIMESTAMP,				/* day_boundary is a boolean: its own dates */
	ST_BIGINT					/* no day boundary */
} SessionTime;

static SessionTime
session_time_type(FunctionCallInfo fcinfo, int argno)
{
	Oid			t = get_fn_expr_argtype(fcinfo->flinfo, argno);

	if (t == INT8OID)
		return ST_BIGINT;
	if (t == TIMESTAMPOID)
		return ST_TIMESTAMP;
	if (t == TIMESTAMPTZOID)
		return ST_TIMESTAMPTZ;
	elog(ERROR, "session function called with an argument of type %u", t);
}

/* The partition's state of sessionize and session_start. */
typedef struct SessionWindow
{
	bool		ready;			/* rules read (from the first row) */
	SessionTime kind;
	int			nargs;
	int64		pos;			/* last row evaluated */
	SessionRules rules;
	char	   *zone_name;		/* the day_boundary text (timestamptz) */
	bool		day_boundary;	/* timestamp: split at midnight */
	SessionCursor cur;
	bool		have_row;		/* a non-NULL time seen */
} SessionWindow;

/* Read the window's rules from the current row (every row must repeat them). */
static void
window_read_rules(WindowObject winobj, SessionWindow *w, const char *fn)
{
	SessionRules r = {0};
	bool		isnull;
	Datum		d;
	bool		bigint_time = (w->kind == ST_BIGINT);
	char	   *zone_name = NULL;
	bool		day_boundary = false;

	d = WinGetFuncArgCurrent(winobj, 1, &isnull);
	r.timeout = duration_arg(fn, "timeout", d, isnull, bigint_time, false);
	if (w->nargs > 2)
	{
		d = WinGetFuncArgCurrent(winobj, 2, &isnull);
		r.max_duration = duration_arg(fn, "max_duration", d, isnull, bigint_time, true);
	}
	if (w->nargs > 4)
	{
		d = WinGetFuncArgCurrent(winobj, 3, &isnull);
		if (!isnull && w->kind == ST_TIMESTAMPTZ)
			zone_name = TextDatumGetCString(d);
		else if (!isnull)
			day_boundary = DatumGetBool(d);
	}
	if (!w->ready)
	{
		w->rules = r;
		w->day_boundary = day_boundary;
		if (zone_name != NULL)
		{
			w->rules.zone = zone_lookup(fn, zone_name);
			w->zone_name = MemoryContextStrdup(GetMemoryChunkContext(w), zone_name);
		}
		else if (day_boundary)
			w->rules.zone = zone_lookup(fn, "UTC");
		w->ready = true;
		return;
	}
	if (r.timeout != w->rules.timeout || r.max_duration != w->rules.max_duration ||
		day_boundary != w->day_boundary ||
		(zone_name == NULL) != (w->zone_name == NULL) ||
		(zone_name != NULL && strcmp(zone_name, w->zone_name) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s timeout, max_duration and day_boundary must be the same for every row", fn),
				 errhint("Pass constants.")));
}

/* A row's time as int64, or false for NULL. */
static bool
window_time(WindowObject winobj, SessionWindow *w, int relpos, int64 *t)
{
	bool		isnull,
				isout;
	Datum		d;

	d = WinGetFuncArgInPartition(winobj, 0, relpos, WINDOW_SEEK_CURRENT, false,
								 &isnull, &isout);
	if (isout || isnull)
		return false;
	*t = DatumGetInt64(d);
	if (w->kind != ST_BIGINT)
		cj_check_time(*t);
	return true;
}

/*
 * Does some row of the instant t that begins at the current row ask for a
 * new session?  Rows with a NULL time among them are passed over.
 */
static bool
window_instant_flag(WindowObject winobj, SessionWindow *w, int64 t)
{
	int			relpos;

	if (w->nargs != 4 && w->nargs != 5)
		return false;
	for (relpos = 0;; relpos++)
	{
		bool		isnull,
					isout;
		Datum		d;
		int64		u;

		d = WinGetFuncArgInPartition(winobj, 0, relpos, WINDOW_SEEK_CURRENT, false,
									 &isnull, &isout);
		if (isout)
			return false;
		if (isnull)
			continue;
		u = DatumGetInt64(d);
		if (u != t)
			return false;
		d = WinGetFuncArgInPartition(winobj, w->nargs - 1, relpos, WINDOW_SEEK_CURRENT,
									 false, &isnull, &isout);
		if (!isnull && DatumGetBool(d))
			return true;
		if (relpos == PG_INT32_MAX)
			return false;
	}
}

/*
 * Advance the partition's walk to the current row; false when the row has
 * a NULL time (it belongs to no session).
 */
static bool
window_advance(FunctionCallInfo fcinfo, const char *fn, SessionWindow **wp)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	SessionWindow *w = WinGetPartitionLocalMemory(winobj, sizeof(SessionWindow));
	int64		pos = WinGetCurrentPosition(winobj);
	int64		t;

	*wp = w;
	if (!w->ready)
	{
		w->kind = session_time_type(fcinfo, 0);
		w->nargs = PG_NARGS();
		w->pos = -1;
	}
	/* rows are evaluated once each, in order (nodeWindowAgg.c) */
	if (pos != w->pos + 1)
		elog(ERROR, "%s evaluated out of order (row " INT64_FORMAT " after " INT64_FORMAT ")",
			 fn, pos, w->pos);
	w->pos = pos;
	window_read_rules(winobj, w, fn);
	WinSetMarkPosition(winobj, pos);
	if (!window_time(winobj, w, 0, &t))
		return false;
	if (w->have_row && t < w->cur.prev)
	{
		bool		bigint_time = (w->kind == ST_BIGINT);
		Datum		(*out) (PG_FUNCTION_ARGS) = (w->kind == ST_TIMESTAMP) ? timestamp_out : timestamptz_out;

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs its window ordered by occurred_at", fn),
				 errdetail("A row at %s follows a row at %s.",
						   bigint_time ? psprintf(INT64_FORMAT, t)
						   : DatumGetCString(DirectFunctionCall1(out, Int64GetDatum(t))),
						   bigint_time ? psprintf(INT64_FORMAT, w->cur.prev)
						   : DatumGetCString(DirectFunctionCall1(out, Int64GetDatum(w->cur.prev)))),
				 errhint("Use OVER (PARTITION BY customer ORDER BY occurred_at).")));
	}
	/* the first row of an instant decides its session */
	if (!w->have_row || t != w->cur.prev)
		(void) session_rule_step(&w->rules, &w->cur, t, window_instant_flag(winobj, w, t));
	w->have_row = true;
	return true;
}

/*
 * sessionize(occurred_at, timeout [, max_duration, day_boundary,
 * new_session]) OVER (PARTITION BY ... ORDER BY occurred_at): the row's
 * session number, 1, 2, ... per partition; NULL for a NULL time.
 */
Datum
sessionize(PG_FUNCTION_ARGS)
{
	SessionWindow *w;

	if (!window_advance(fcinfo, "sessionize", &w))
		PG_RETURN_NULL();
	PG_RETURN_INT64(w->cur.session);
}

/* session_start(...) OVER (...): the time of the first row of the row's session. */
Datum
session_start(PG_FUNCTION_ARGS)
{
	SessionWindow *w;

	if (!window_advance(fcinfo, "session_start", &w))
		PG_RETURN_NULL();
	PG_RETURN_INT64(w->cur.start);
}

/* ---- session_count: the aggregate ---- */

#define SESSION_STATE_VERSION	1
#define SESSION_WIRE_BIGINT		0x02	/* integer time */
#define SESSION_WIRE_ZONE		0x04	/* a day boundary zone follows */

/* What every row of one group must repeat. */
typedef struct SessionParams
{
	int64		timeout;
	int64		max_duration;	/* 0 = none */
	char	   *zone;			/* zone name of the day boundary, or NULL */
	bool		bigint_time;
} SessionParams;

static bool
session_params_equal(const void *a, const void *b)
{
	const SessionParams *x = a;
	const SessionParams *y = b;

	return x->timeout == y->timeout && x->max_duration == y->max_duration &&
		x->bigint_time == y->bigint_time &&
		(x->zone == NULL) == (y->zone == NULL) &&
		(x->zone == NULL || strcmp(x->zone, y->zone) == 0);
}

static void
session_params_copy(MemoryContext mcxt, void *dst, const void *src)
{
	SessionParams *d = dst;

	*d = *(const SessionParams *) src;
	if (d->zone != NULL)
		d->zone = MemoryContextStrdup(mcxt, d->zone);
}

static uint8
session_params_flags(const void *p)
{
	const SessionParams *s = p;

	return (s->bigint_time ? SESSION_WIRE_BIGINT : 0) | (s->zone ? SESSION_WIRE_ZONE : 0);
}

static void
session_params_write(StringInfo buf, const void *p)
{
	const SessionParams *s = p;

	pq_sendint64(buf, s->timeout);
	pq_sendint64(buf, s->max_duration);
	if (s->zone != NULL)
		wire_put_text(buf, s->zone, strlen(s->zone), WIRE_INTERNAL);
}

static void
session_params_read(WireReader *w, uint8 flags, void *p)
{
	SessionParams *s = p;
	int			len;

	s->timeout = wire_int64(w);
	s->max_duration = wire_int64(w);
	s->bigint_time = (flags & SESSION_WIRE_BIGINT) != 0;
	s->zone = (flags & SESSION_WIRE_ZONE) ? wire_text(w, WIRE_INTERNAL, &len) : NULL;
	if (s->timeout <= 0 || s->max_duration < 0 || (s->zone && s->bigint_time) ||
		(s->zone && (len == 0 || len > TZ_STRLEN_MAX)))
		wire_error(w, "The session parameters are invalid.");
}

pg_attribute_noreturn()
static void
session_params_mismatch(const void *a, const void *b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("session_count timeout, max_duration and day_boundary must be the same for every row"),
			 errhint("Pass constants.")));
}

static const AggOps session_ops = {
	.state_name = "session_count state",
	.version = SESSION_STATE_VERSION,
	.stages = NULL,
	.params_size = sizeof(SessionParams),
	.param_bits = SESSION_WIRE_BIGINT | SESSION_WIRE_ZONE,
	.params_equal = session_params_equal,
	.params_copy = session_params_copy,
	.params_flags = session_params_flags,
	.params_write = session_params_write,
	.params_read = session_params_read,
	.params_mismatch = session_params_mismatch,
};

/* The zone of the last day boundary this query looked up. */
typedef struct ZoneCache
{
	char	   *name;
	pg_tz	   *zone;
} ZoneCache;

static pg_tz *
cached_zone(FunctionCallInfo fcinfo, const char *name)
{
	AggCache   *cache = agg_cache(fcinfo);
	ZoneCache  *zc = cache->args;

	if (zc == NULL)
		cache->args = zc = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ZoneCache));
	if (zc->name == NULL || strcmp(zc->name, name) != 0)
	{
		zc->zone = zone_lookup("session_count", name);
		zc->name = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, name);
	}
	return zc->zone;
}

/*
 * session_count(occurred_at, timeout [, max_duration, day_boundary,
 * new_session]): add one row.  Arguments after the state: time, timeout,
 * then max_duration, day_boundary (timestamptz: a zone name; timestamp: a
 * boolean; absent for bigint) and new_session in the long forms.
 */
Datum
session_count_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo, "session_count_transfn");
	CustomerState *state;
	SessionParams params = {0};
	SessionTime kind = session_time_type(fcinfo, 1);
	int			nargs = PG_NARGS();
	bool		flag = false;
	int64		t;

	params.bigint_time = (kind == ST_BIGINT);
	params.timeout = duration_arg("session_count", "timeout", PG_GETARG_DATUM(2),
								  PG_ARGISNULL(2), params.bigint_time, false);
	if (nargs > 3)
	{
		params.max_duration = duration_arg("session_count", "max_duration", PG_GETARG_DATUM(3),
										   PG_ARGISNULL(3), params.bigint_time, true);
		flag = !PG_ARGISNULL(nargs - 1) && PG_GETARG_BOOL(nargs - 1);
	}
	if (nargs > 5 && !PG_ARGISNULL(4))
	{
		if (kind == ST_TIMESTAMPTZ)
		{
			params.zone = text_to_cstring(PG_GETARG_TEXT_PP(4));
			(void) cached_zone(fcinfo, params.zone);
		}
		else if (PG_GETARG_BOOL(4))
			params.zone = "UTC";
	}
	state = agg_state_arg(fcinfo, &session_ops, true);
	agg_state_set_params(state, aggcxt, &params);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	t = PG_GETARG_INT64(1);
	if (!params.bigint_time)
		cj_check_time(t);
	else if (t >= SESSION_MAX_BIGINT_TIME || t <= -SESSION_MAX_BIGINT_TIME)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("session_count time " INT64_FORMAT " is out of range", t),
				 errdetail("Integer times must lie strictly between -2^62 and 2^62.")));
	touchtimes_append(&state->times, TOUCH_PACK(t, flag));
	PG_RETURN_POINTER(state);
}

Datum
session_count_combine(PG_FUNCTION_ARGS)
{
	return agg_state_combine(fcinfo, &session_ops);
}

Datum
session_count_serialize(PG_FUNCTION_ARGS)
{
	return agg_state_serialize(fcinfo);
}

Datum
session_count_deserialize(PG_FUNCTION_ARGS)
{
	return agg_state_deserialize(fcinfo, &session_ops);
}

/* the number of sessions of the group; 0 when no row has a time */
Datum
session_count_finalfn(PG_FUNCTION_ARGS)
{
	CustomerState *state = agg_state_final(fcinfo, "session_count_finalfn");
	SessionParams *p;
	SessionRules r = {0};

	if (state == NULL)
		PG_RETURN_INT64(0);
	p = AGG_PARAMS(state);
	r.timeout = p->timeout;
	r.max_duration = p->max_duration;
	r.zone = p->zone ? cached_zone(fcinfo, p->zone) : NULL;
	touchtimes_sort(&state->times);
	PG_RETURN_INT64(session_walk(&r, state->times.touch, state->times.n, NULL));
}

/* ---- stored journeys ---- */

/*
 * A journey argument's touches as packed times in journey order, a touch
 * whose event label equals start_event flagged; the rules from arguments
 * 1 (timeout), 2 (max_duration), 3 (day_boundary).  Returns the number of
 * touches; *sessionp gets each touch's session.
 */
static int32
journey_session_walk(FunctionCallInfo fcinfo, const char *fn, JourneyView *v,
					 int64 **sessionp, int64 *nsessions)
{
	SessionRules r = {0};
	int32		start_label = -1;
	int64	   *touch;
	int32		i;

	r.timeout = duration_arg(fn, "timeout", PG_GETARG_DATUM(1), PG_ARGISNULL(1), false, false);
	r.max_duration = duration_arg(fn, "max_duration", PG_GETARG_DATUM(2), PG_ARGISNULL(2),
								  false, true);
	if (!PG_ARGISNULL(3))
		r.zone = zone_lookup(fn, text_to_cstring(PG_GETARG_TEXT_PP(3)));
	jview_init(v, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0)), "journey");
	if (!PG_ARGISNULL(4))
	{
		text	   *ev = PG_GETARG_TEXT_PP(4);

		for (i = 0; i < v->nlabels; i++)
			if (v->label_len[i] == VARSIZE_ANY_EXHDR(ev) &&
				memcmp(v->label[i], VARDATA_ANY(ev), v->label_len[i]) == 0)
				start_label = i;
	}
	touch = palloc(Max(v->ntouches, 1) * sizeof(int64));
	for (i = 0; i < v->ntouches; i++)
	{
		JTouch		t;

		jview_touch(v, i, &t);
		touch[i] = TOUCH_PACK(t.ts, start_label >= 0 && t.event == start_label);
	}
	*sessionp = palloc(Max(v->ntouches, 1) * sizeof(int64));
	*nsessions = session_walk(&r, touch, v->ntouches, *sessionp);
	pfree(touch);
	return v->ntouches;
}

static Datum
usec_interval(int64 usec)
{
	Interval   *iv = palloc0(sizeof(Interval));

	iv->day = (int32) (usec / USECS_PER_DAY);
	iv->time = usec % USECS_PER_DAY;
	return IntervalPGetDatum(iv);
}

/*
 * journey_sessions(journey, timeout [, max_duration, day_boundary,
 * start_event]): one row per session (session, started_at, ended_at,
 * touches, duration).
 */
Datum
journey_sessions(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = cj_srf_begin(fcinfo, &tupdesc);
	JourneyView v;
	int64	   *session,
				nsessions;
	int32		n,
				i = 0;

	if (PG_ARGISNULL(0))
		return (Datum) 0;
	n = journey_session_walk(fcinfo, "journey_sessions", &v, &session, &nsessions);
	while (i < n)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		int32		j;
		TimestampTz first = jview_time(&v, i),
					last;

		for (j = i; j < n && session[j] == session[i]; j++)
			;
		last = jview_time(&v, j - 1);
		values[0] = Int32GetDatum((int32) session[i]);
		values[1] = TimestampTzGetDatum(first);
		values[2] = TimestampTzGetDatum(last);
		values[3] = Int32GetDatum(j - i);
		values[4] = usec_interval(last - first);
		tuplestore_putvalues(store, tupdesc, values, nulls);
		i = j;
	}
	return (Datum) 0;
}

/*
 * journey_sessionize(journey, timeout [, max_duration, day_boundary,
 * start_event]): each session as a journey, in time order.
 */
Datum
journey_sessionize(PG_FUNCTION_ARGS)
{
	JourneyView v;
	int64	   *session,
				nsessions;
	int32		n,
				i = 0,
				k = 0;
	Datum	   *elems;
	LabelDict  *dict;
	Oid			elemtype;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	elemtype = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	if (!OidIsValid(elemtype))
		elog(ERROR, "journey_sessionize must return an array");
	n = journey_session_walk(fcinfo, "journey_sessionize", &v, &session, &nsessions);
	elems = palloc(Max(nsessions, 1) * sizeof(Datum));
	dict = labeldict_create(CurrentMemoryContext);
	while (i < n)
	{
		int32		j;

		for (j = i; j < n && session[j] == session[i]; j++)
			;
		elems[k++] = PointerGetDatum(journey_encode(jview_to_buffer(&v, CurrentMemoryContext,
																	dict, i, j)));
		i = j;
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, k, elemtype, -1, false, TYPALIGN_DOUBLE));
}
