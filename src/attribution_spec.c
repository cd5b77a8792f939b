/*-------------------------------------------------------------------------
 *
 * attribution_spec.c
 *		Attribution model names and options: parsing, checking, printing,
 *		and the binary form of a spec.
 *
 * A model is named by one text argument; its parameters come in a second,
 * ts_headline-style: 'half_life=7 days, lookback=30 days'.  Every option
 * is checked against the model it is given to, so a misspelt or
 * meaningless option is an error rather than silently ignored.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "attribution_spec.h"
#include "labels.h"

#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include <math.h>

/* version byte of the binary form */
#define ATTR_VERSION	1

static const char *const kind_names[ATTR_NKINDS] = {
	"first_touch", "last_touch", "last_non_direct", "linear", "time_decay",
	"position_based", "w_shaped", "markov", "shapley"
};

#define MODEL_LIST	"first_touch, last_touch, last_non_direct, linear, time_decay, " \
					"position_based, w_shaped, markov, shapley"

const char *
attr_kind_name(AttrKind kind)
{
	return kind_names[kind];
}

int
attr_kind_from_name(const char *s, int len)
{
	int			k;

	for (k = 0; k < ATTR_NKINDS; k++)
		if ((int) strlen(kind_names[k]) == len && memcmp(kind_names[k], s, len) == 0)
			return k;
	return -1;
}

static int
weight_count(AttrKind kind)
{
	return kind == ATTR_POSITION_BASED ? 3 : kind == ATTR_W_SHAPED ? 4 : 0;
}

static void
set_default_weights(AttrSpec *spec)
{
	memset(spec->w, 0, sizeof(spec->w));
	if (spec->kind == ATTR_POSITION_BASED)
	{
		spec->w[0] = 0.4;
		spec->w[1] = 0.2;
		spec->w[2] = 0.4;
	}
	else if (spec->kind == ATTR_W_SHAPED)
	{
		spec->w[0] = spec->w[1] = spec->w[2] = 0.3;
		spec->w[3] = 0.1;
	}
}

pg_attribute_noreturn()
static void
bad_option(const char *option, const char *model, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid attribution option \"%s\" for model %s", option, model),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0));
}

/*
 * Check a complete spec (from options, from text input or from a binary
 * value): parameters in range and only those the model uses.
 */
void
attr_spec_check(const AttrSpec *spec)
{
	const char *model = kind_names[spec->kind];
	int			nw = weight_count(spec->kind);
	double		sum = 0;
	int			i;

	if (spec->lookback < 0)
		bad_option("lookback", model, "The lookback window is negative.",
				   "Pass a positive interval such as '30 days', or leave it out for no limit.");
	if ((spec->kind == ATTR_TIME_DECAY) != (spec->half_life != 0) || spec->half_life < 0)
		bad_option("half_life", model,
				   spec->kind == ATTR_TIME_DECAY ? "The half-life must be positive."
				   : "Only the time_decay model has a half-life.",
				   "time_decay takes half_life=<interval> greater than zero, such as '7 days'.");
	for (i = 0; i < 4; i++)
	{
		if (i >= nw ? spec->w[i] != 0 : !(spec->w[i] >= 0 && spec->w[i] <= 1))
			bad_option("weights", model,
					   i >= nw ? (nw == 0 ? "This model takes no weights."
								  : "Too many weights.")
					   : "Each weight must be between 0 and 1.",
					   "position_based takes weights=first/middle/last (default 0.4/0.2/0.4); "
					   "w_shaped takes weights=first/lead/opportunity/others (default 0.3/0.3/0.3/0.1); "
					   "the weights sum to 1.");
		sum += spec->w[i];
	}
	if (nw > 0 && fabs(sum - 1.0) > 1e-9)
		bad_option("weights", model, psprintf("The weights sum to %.17g.", sum),
				   "The weights must sum to 1.");
	if ((spec->direct != NULL) != (spec->kind == ATTR_LAST_NON_DIRECT))
		bad_option("direct", model, "Only the last_non_direct model has a direct channel.", NULL);
	if ((spec->lead_stage || spec->opp_stage) && spec->kind != ATTR_W_SHAPED)
		bad_option(spec->lead_stage ? "lead_stage" : "opportunity_stage", model,
				   "Only the w_shaped model has milestone stages.", NULL);
	if (spec->lookback != 0 && ATTR_DATA_DRIVEN(spec->kind))
		bad_option("lookback", model,
				   "The data-driven models use whole paths.",
				   "Cut the rows with a WHERE clause instead.");
}

/*
 * microseconds of a positive interval (months are 30 days).  The value must
 * name its unit ('7 days', '12 hours', 'P7D') or be a clock time
 * ('01:30:00'): interval input reads a bare number as seconds, so
 * 'half_life=7' would silently be seven seconds.
 */
static int64
option_usec(const char *option, const char *model, const char *value)
{
	const char *c;
	bool		has_unit = false;
	Interval   *iv;
	int64		days;

	for (c = value; *c; c++)
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == ':')
			has_unit = true;
	if (!has_unit)
		bad_option(option, model,
				   psprintf("The value \"%s\" has no unit; %s takes an interval.", value, option),
				   psprintf("Name the unit, for example '%s=%s days' (a bare number would be read as seconds).",
							option, value[0] ? value : "7"));
	iv = DatumGetIntervalP(DirectFunctionCall3(interval_in,
														   CStringGetDatum(value),
														   ObjectIdGetDatum(InvalidOid),
														   Int32GetDatum(-1)));
	days = (int64) iv->month * DAYS_PER_MONTH + iv->day;
	if (days > PG_INT64_MAX / USECS_PER_DAY / 2 || days < -(PG_INT64_MAX / USECS_PER_DAY / 2) ||
		days * USECS_PER_DAY + iv->time <= 0)
		bad_option(option, model, psprintf("The interval \"%s\" is not positive or is out of range.", value),
				   "Pass a positive interval such as '7 days'.");
	return days * USECS_PER_DAY + iv->time;
}

static void
parse_weights(AttrSpec *spec, const char *model, const char *value)
{
	int			nw = weight_count(spec->kind);
	int			i = 0;
	const char *p = value;

	if (nw == 0)
		bad_option("weights", model, "This model takes no weights.", NULL);
	memset(spec->w, 0, sizeof(spec->w));
	for (;;)
	{
		char	   *end;
		double		d;

		while (*p == ' ')
			p++;
		d = strtod(p, &end);
		if (end == p || i >= nw || !isfinite(d))
			bad_option("weights", model,
					   psprintf("\"%s\" is not %d numbers separated by \"/\".", value, nw),
					   nw == 3 ? "Pass weights=first/middle/last, such as 0.4/0.2/0.4."
					   : "Pass weights=first/lead/opportunity/others, such as 0.3/0.3/0.3/0.1.");
		spec->w[i++] = d;
		p = end;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p != '/')
			bad_option("weights", model, psprintf("Unexpected \"%c\" in \"%s\".", *p, value), NULL);
		p++;
	}
	if (i != nw)
		bad_option("weights", model, psprintf("%d weights were given; this model takes %d.", i, nw),
				   NULL);
}

/*
 * Parse the model name and the options string.  journey: the stage
 * milestone options of w_shaped are allowed (journey input).
 */
void
attr_spec_parse(AttrSpec *spec, text *model, text *options, bool journey)
{
	char	   *name = text_to_cstring(model);
	char	   *opts = options ? text_to_cstring(options) : pstrdup("");
	char	   *p = opts;
	int			kind = attr_kind_from_name(name, strlen(name));

	memset(spec, 0, sizeof(*spec));
	if (kind < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown attribution model \"%s\"", name),
				 errhint("The models are %s.", MODEL_LIST)));
	spec->kind = (AttrKind) kind;
	set_default_weights(spec);
	if (kind == ATTR_TIME_DECAY)
		spec->half_life = 7 * USECS_PER_DAY;
	if (kind == ATTR_LAST_NON_DIRECT)
		spec->direct = pstrdup("direct");

	while (*p)
	{
		char	   *key,
				   *value;
		StringInfoData v;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		key = p;
		while ((*p >= 'a' && *p <= 'z') || *p == '_')
			p++;
		value = p;
		while (*p == ' ')
			p++;
		if (*p != '=' || value == key)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid attribution options \"%s\"", opts),
					 errdetail("Options are key=value pairs separated by commas."),
					 errhint("For example 'half_life=7 days, lookback=30 days'.")));
		*value = '\0';
		p++;
		while (*p == ' ')
			p++;
		initStringInfo(&v);
		if (*p == '"')
		{
			/* quoted: "" stands for one double quote */
			for (p++;; p++)
			{
				if (*p == '\0')
					bad_option(key, name, "The quoted value is not closed.", NULL);
				if (*p == '"' && p[1] == '"')
					p++;
				else if (*p == '"')
				{
					p++;
					break;
				}
				appendStringInfoChar(&v, *p);
			}
			while (*p == ' ')
				p++;
			if (*p != ',' && *p != '\0')
				bad_option(key, name, "Unexpected text after the quoted value.", NULL);
		}
		else
		{
			while (*p && *p != ',')
				appendStringInfoChar(&v, *p++);
			while (v.len > 0 && v.data[v.len - 1] == ' ')
				v.data[--v.len] = '\0';
		}

		if (strcmp(key, "lookback") == 0)
		{
			spec->lookback = option_usec(key, name, v.data);
		}
		else if (strcmp(key, "half_life") == 0)
		{
			if (kind != ATTR_TIME_DECAY)
				bad_option(key, name, "Only the time_decay model has a half-life.", NULL);
			spec->half_life = option_usec(key, name, v.data);
		}
		else if (strcmp(key, "weights") == 0)
			parse_weights(spec, name, v.data);
		else if (strcmp(key, "direct") == 0)
		{
			if (kind != ATTR_LAST_NON_DIRECT)
				bad_option(key, name, "Only the last_non_direct model has a direct channel.", NULL);
			label_check(v.data, v.len, true);
			spec->direct = pstrdup(v.data);
		}
		else if (strcmp(key, "lead_stage") == 0 || strcmp(key, "opportunity_stage") == 0)
		{
			if (kind != ATTR_W_SHAPED || !journey)
				bad_option(key, name, "Milestone stages apply to the w_shaped model on journeys.",
						   "On rows, pass the lead and opportunity milestones as boolean arguments.");
			if (v.len < 1 || v.len >= NAMEDATALEN)
				bad_option(key, name, "A stage label has 1 to 63 bytes.", NULL);
			if (key[0] == 'l')
				spec->lead_stage = pstrdup(v.data);
			else
				spec->opp_stage = pstrdup(v.data);
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown attribution option \"%s\"", key),
					 errhint("The options are lookback, half_life (time_decay), direct (last_non_direct), "
							 "weights (position_based, w_shaped), lead_stage and opportunity_stage "
							 "(w_shaped on journeys).")));
		if (*p == ',')
			p++;
	}
	attr_spec_check(spec);
}

static bool
str_equal(const char *a, const char *b)
{
	return (a == NULL) ? b == NULL : (b != NULL && strcmp(a, b) == 0);
}

bool
attr_spec_equal(const AttrSpec *a, const AttrSpec *b)
{
	return a->kind == b->kind && a->lookback == b->lookback &&
		a->half_life == b->half_life && memcmp(a->w, b->w, sizeof(a->w)) == 0 &&
		str_equal(a->direct, b->direct) && str_equal(a->lead_stage, b->lead_stage) &&
		str_equal(a->opp_stage, b->opp_stage);
}

static char *
copy_str(MemoryContext mcxt, const char *s)
{
	return s ? MemoryContextStrdup(mcxt, s) : NULL;
}

void
attr_spec_copy(MemoryContext mcxt, AttrSpec *dst, const AttrSpec *src)
{
	*dst = *src;
	dst->direct = copy_str(mcxt, src->direct);
	dst->lead_stage = copy_str(mcxt, src->lead_stage);
	dst->opp_stage = copy_str(mcxt, src->opp_stage);
}

/*
 * The canonical text of a spec, independent of every setting: the model
 * name, then its parameters, times in microseconds, weights as shortest
 * exact decimals.  It is the first part of an attribution's text form.
 */
void
attr_spec_text(StringInfo buf, const AttrSpec *spec)
{
	int			nw = weight_count(spec->kind);
	int			i;

	appendStringInfoString(buf, kind_names[spec->kind]);
	if (spec->lookback)
		appendStringInfo(buf, " lookback=" INT64_FORMAT, spec->lookback);
	if (spec->half_life)
		appendStringInfo(buf, " half_life=" INT64_FORMAT, spec->half_life);
	if (spec->direct)
	{
		appendStringInfoString(buf, " direct=");
		label_append_quoted(buf, spec->direct, strlen(spec->direct));
	}
	for (i = 0; i < nw; i++)
	{
		char		num[DOUBLE_SHORTEST_DECIMAL_LEN];

		double_to_shortest_decimal_buf(spec->w[i], num);
		appendStringInfo(buf, "%s%s", i == 0 ? " weights=" : "/", num);
	}
	if (spec->lead_stage)
	{
		appendStringInfoString(buf, " lead_stage=");
		label_append_quoted(buf, spec->lead_stage, strlen(spec->lead_stage));
	}
	if (spec->opp_stage)
	{
		appendStringInfoString(buf, " opportunity_stage=");
		label_append_quoted(buf, spec->opp_stage, strlen(spec->opp_stage));
	}
}

/* ---- binary form ---- */

static void
put_opt_text(StringInfo buf, const char *s, int flavour)
{
	if (s == NULL)
		pq_sendint32(buf, -1);
	else
		wire_put_text(buf, s, strlen(s), flavour);
}

/*
 * uint8 version, uint8 kind, int64 lookback, int64 half_life, float8 w[4],
 * then direct, lead_stage and opportunity_stage as texts (int32 length,
 * -1 for none, then bytes).
 */
void
attr_spec_write(StringInfo buf, const AttrSpec *spec, int flavour)
{
	int			i;

	pq_sendbyte(buf, ATTR_VERSION);
	pq_sendbyte(buf, (uint8) spec->kind);
	pq_sendint64(buf, spec->lookback);
	pq_sendint64(buf, spec->half_life);
	for (i = 0; i < 4; i++)
		pq_sendfloat8(buf, spec->w[i]);
	put_opt_text(buf, spec->direct, flavour);
	put_opt_text(buf, spec->lead_stage, flavour);
	put_opt_text(buf, spec->opp_stage, flavour);
}

static char *
read_opt_text(WireReader *w, int flavour)
{
	int			len;
	char	   *s = wire_opt_text(w, flavour, &len);

	if (s != NULL)
		label_check(s, len, true);
	return s;
}

/* a spec written by attr_spec_write, checked */
void
attr_spec_read(WireReader *w, int flavour, AttrSpec *spec)
{
	int			kind,
				i;

	wire_version(w, ATTR_VERSION);
	kind = wire_byte(w);
	if (kind >= ATTR_NKINDS)
		wire_error(w, "Unknown model.");
	memset(spec, 0, sizeof(*spec));
	spec->kind = (AttrKind) kind;
	spec->lookback = wire_int64(w);
	spec->half_life = wire_int64(w);
	for (i = 0; i < 4; i++)
		spec->w[i] = wire_float8(w);
	spec->direct = read_opt_text(w, flavour);
	spec->lead_stage = read_opt_text(w, flavour);
	spec->opp_stage = read_opt_text(w, flavour);
	attr_spec_check(spec);
}

/* The error for two states of different specs. */
pg_attribute_noreturn()
void
attr_spec_mismatch(const AttrSpec *a, const AttrSpec *b)
{
	StringInfoData x,
				y;

	initStringInfo(&x);
	initStringInfo(&y);
	attr_spec_text(&x, a);
	attr_spec_text(&y, b);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot combine attribution states of different models"),
			 errdetail("One is \"%s\", the other \"%s\".", x.data, y.data),
			 errhint("Pass the same model and options for every row and every state rolled up.")));
}
