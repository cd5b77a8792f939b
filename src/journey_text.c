/*-------------------------------------------------------------------------
 *
 * journey_text.c
 *		Parse and print the text form of touchpoints and journeys.
 *
 * Grammar (whitespace between tokens is free; labels are bare words or
 * double-quoted with backslash escapes):
 *
 *	touchpoint := [ '[' stagelist ']' ] touch
 *	journey    := [ '[' stagelist ']' ] '{' [ touch { ';' touch } ] '}'
 *	stage_time := [ '[' stagelist ']' ] '{' [ time stage { ';' time stage } ] '}'
 *	stagelist  := label { '<' label }
 *	touch      := time stage channel event [ value ]
 *
 * time is ISO 8601 with a zone ("2025-03-01T09:00:00Z", "...+02:00"); the
 * stage is a label of the stage list; channel and event are labels or
 * NULL; value is a finite number.  Without a stage list the built-in
 * lifecycle is meant, and output omits it in that case.  Output is
 * canonical: times in UTC, touches in canonical order, labels quoted only
 * when needed, so x::text::type = x.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "journey_text.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

typedef struct Parser
{
	const char *input;
	const char *p;
	const char *type_name;
	StringInfoData tok;			/* current token, unescaped */
	bool		tok_quoted;
} Parser;

/* The input for error messages, shortened when long. */
static char *
shown_input(const Parser *ps)
{
	size_t		len = strlen(ps->input);

	if (len <= 120)
		return (char *) ps->input;
	return psprintf("%.*s...", pg_mbcliplen(ps->input, len, 100), ps->input);
}

pg_attribute_noreturn()
static void
syntax_error(const Parser *ps, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"",
					ps->type_name, shown_input(ps)),
			 errdetail("%s at character %d.", detail,
					   (int) (ps->p - ps->input) + 1)));
}

static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline bool
is_special(char c)
{
	return is_space(c) || c == '"' || c == ';' || c == '{' || c == '}' ||
		c == '[' || c == ']' || c == '<' || c == '\\';
}

static void
skip_space(Parser *ps)
{
	while (is_space(*ps->p))
		ps->p++;
}

/* Read a bare or quoted token into ps->tok; false if none is here. */
static bool
read_token(Parser *ps)
{
	resetStringInfo(&ps->tok);
	ps->tok_quoted = false;
	skip_space(ps);
	if (*ps->p == '"')
	{
		ps->p++;
		ps->tok_quoted = true;
		for (;;)
		{
			if (*ps->p == '\0')
				syntax_error(ps, "Unterminated quoted label");
			if (*ps->p == '"')
			{
				ps->p++;
				break;
			}
			if (*ps->p == '\\')
			{
				ps->p++;
				if (*ps->p == '\0')
					syntax_error(ps, "Unterminated quoted label");
			}
			appendStringInfoChar(&ps->tok, *ps->p++);
		}
		return true;
	}
	while (*ps->p != '\0' && !is_special(*ps->p))
		appendStringInfoChar(&ps->tok, *ps->p++);
	return ps->tok.len > 0;
}

static bool
tok_is_null(const Parser *ps)
{
	return !ps->tok_quoted && pg_strcasecmp(ps->tok.data, "NULL") == 0;
}

static void
expect_char(Parser *ps, char c, const char *what)
{
	skip_space(ps);
	if (*ps->p != c)
		syntax_error(ps, what);
	ps->p++;
}

static int
digits(const char **pp, int n)
{
	int			v = 0;

	while (n-- > 0)
	{
		if (**pp < '0' || **pp > '9')
			return -1;
		v = v * 10 + (*(*pp)++ - '0');
	}
	return v;
}

/*
 * ISO 8601 time with a zone: YYYY-MM-DD(T| )HH:MM:SS[.ffffff](Z|+HH[:MM]).
 * Returns false on bad syntax; out-of-range values raise 22008.
 */
static bool
parse_time(Parser *ps, const char *s, TimestampTz *result)
{
	const char *p = s;
	int			y,
				mo,
				d,
				h,
				mi,
				sec,
				usec = 0,
				off = 0;
	int64		days;

	if ((y = digits(&p, 4)) < 0 || *p++ != '-' ||
		(mo = digits(&p, 2)) < 0 || *p++ != '-' ||
		(d = digits(&p, 2)) < 0 || (*p != 'T' && *p != 't' && *p != ' '))
		return false;
	p++;
	if ((h = digits(&p, 2)) < 0 || *p++ != ':' ||
		(mi = digits(&p, 2)) < 0 || *p++ != ':' ||
		(sec = digits(&p, 2)) < 0)
		return false;
	if (*p == '.')
	{
		int			n = 0;

		p++;
		while (*p >= '0' && *p <= '9')
		{
			if (++n > 6)
				syntax_error(ps, "Touch times have at most 6 fractional digits");
			usec = usec * 10 + (*p++ - '0');
		}
		if (n == 0)
			return false;
		while (n++ < 6)
			usec *= 10;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-')
	{
		int			sign = (*p++ == '-') ? -1 : 1;
		int			oh,
					om = 0;

		if ((oh = digits(&p, 2)) < 0)
			return false;
		if (*p == ':')
			p++;
		if (*p != '\0' && (om = digits(&p, 2)) < 0)
			return false;
		if (oh > 15 || om > 59)
			return false;
		off = sign * (oh * 3600 + om * 60);
	}
	else
		syntax_error(ps, "A touch time needs a time zone, such as Z or +02:00");
	if (*p != '\0')
		return false;
	/* year 0 passes here: an offset may bring it into year 1 */
	if (mo < 1 || mo > 12 || d < 1 || d > day_tab[isleap(y)][mo - 1] ||
		h > 23 || mi > 59 || sec > 59)
		return false;

	days = date2j(y, mo, d) - POSTGRES_EPOCH_JDATE;
	*result = days * USECS_PER_DAY +
		((int64) ((h * 60 + mi) * 60 + sec) - off) * USECS_PER_SEC + usec;
	if (!CJ_TIME_IN_RANGE(*result))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("touch time out of range in value of type %s: \"%s\"",
						ps->type_name, shown_input(ps)),
				 errdetail("Touch times must lie in the years 1 to 9999 (UTC).")));
	return true;
}

/* A finite decimal number: [+-](d+[.d*]|.d+)([eE][+-]d+) */
static bool
is_number(const char *s)
{
	const char *p = s;
	bool		any = false;

	if (*p == '+' || *p == '-')
		p++;
	while (*p >= '0' && *p <= '9')
		p++, any = true;
	if (*p == '.')
	{
		p++;
		while (*p >= '0' && *p <= '9')
			p++, any = true;
	}
	if (!any)
		return false;
	if (*p == 'e' || *p == 'E')
	{
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

static void
parse_stage_list(Parser *ps, StageList *sl)
{
	sl->n = 0;
	for (;;)
	{
		if (!read_token(ps))
			syntax_error(ps, "Expected a stage label");
		/* the token buffer is reused: the list keeps a copy */
		switch (stagelist_add_label(sl, pstrdup(ps->tok.data), ps->tok.len))
		{
			case STAGE_LABEL_OK:
				break;
			case STAGE_LABEL_TOO_LONG:
				syntax_error(ps, psprintf("Stage labels have at most %d bytes", NAMEDATALEN - 1));
			case STAGE_LABEL_EMPTY:
				syntax_error(ps, "Stage labels cannot be empty");
			case STAGE_LABEL_DUPLICATE:
				syntax_error(ps, psprintf("Stage \"%s\" appears twice in the stage list",
										  ps->tok.data));
			case STAGE_LABEL_TOO_MANY:
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("too many stages in value of type %s", ps->type_name),
						 errdetail("A stage list holds at most %d stages.", CJ_MAX_STAGES)));
		}
		skip_space(ps);
		if (*ps->p == ']')
		{
			ps->p++;
			break;
		}
		if (*ps->p != '<')
			syntax_error(ps, "Expected \"<\" or \"]\" in the stage list");
		ps->p++;
	}
	stagelist_finish(sl);
}

static int32
parse_label_or_null(Parser *ps, LabelDict *dict, const char *what)
{
	if (!read_token(ps))
		syntax_error(ps, psprintf("Expected %s label or NULL", what));
	if (tok_is_null(ps))
		return -1;
	label_check(ps->tok.data, ps->tok.len, true);
	return labeldict_intern(dict, ps->tok.data, ps->tok.len);
}

static void
parse_touch(Parser *ps, EventBuffer *b, bool stage_only)
{
	TimestampTz ts;
	int			stage;
	int32		channel,
				event;
	Datum		value = (Datum) 0;
	bool		has_value = false;

	if (!read_token(ps))
		syntax_error(ps, "Expected a touch time");
	if (!parse_time(ps, ps->tok.data, &ts))
		syntax_error(ps, psprintf("\"%s\" is not a touch time like 2025-03-01T09:00:00Z",
								  ps->tok.data));
	if (!read_token(ps))
		syntax_error(ps, "Expected a stage label");
	stage = stagelist_find(b->stages, ps->tok.data, ps->tok.len);
	if (stage < 0)
		syntax_error(ps, psprintf("Stage \"%s\" is not in the stage list (%s)",
								  ps->tok.data, stagelist_describe(b->stages)));
	if (stage_only)
	{
		evbuf_append(b, ts, 0, stage, -1, -1, (Datum) 0, false);
		return;
	}
	channel = parse_label_or_null(ps, b->dict, "a channel");
	event = parse_label_or_null(ps, b->dict, "an event");
	skip_space(ps);
	if (*ps->p != '\0' && *ps->p != ';' && *ps->p != '}')
	{
		if (!read_token(ps) || ps->tok_quoted || !is_number(ps->tok.data))
			syntax_error(ps, "A touch value must be a finite number");
		value = DirectFunctionCall3(numeric_in, CStringGetDatum(ps->tok.data),
									ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
		has_value = true;
	}
	evbuf_append(b, ts, 0, stage, channel, event, value, has_value);
}

/*
 * Parse a journey (or, with one_touch, a touchpoint) into a sorted buffer
 * in the current memory context.
 */
EventBuffer *
journey_parse(const char *str, TextShape shape, const char *type_name)
{
	Parser		ps;
	StageList  *sl;
	EventBuffer *b;

	ps.input = str;
	ps.p = str;
	ps.type_name = type_name;
	initStringInfo(&ps.tok);

	skip_space(&ps);
	if (*ps.p == '[')
	{
		ps.p++;
		sl = palloc0(sizeof(StageList));
		parse_stage_list(&ps, sl);
	}
	else
		sl = (StageList *) stagelist_default();
	b = evbuf_create(CurrentMemoryContext, sl, labeldict_create(CurrentMemoryContext));

	if (shape == TEXT_TOUCHPOINT)
		parse_touch(&ps, b, false);
	else
	{
		expect_char(&ps, '{', "Expected \"{\" to open the list of touches");
		skip_space(&ps);
		if (*ps.p == '}')
			ps.p++;
		else
			for (;;)
			{
				parse_touch(&ps, b, shape == TEXT_STAGE_TIME);
				skip_space(&ps);
				if (*ps.p == '}')
				{
					ps.p++;
					break;
				}
				if (*ps.p != ';')
					syntax_error(&ps, "Expected \";\" or \"}\" after a touch");
				ps.p++;
				if ((b->n & 0x3FF) == 0)
					CHECK_FOR_INTERRUPTS();
			}
	}
	skip_space(&ps);
	if (*ps.p != '\0')
		syntax_error(&ps, "Unexpected text after the value");
	evbuf_sort(b);
	return b;
}

/* ISO 8601 in UTC, fractional seconds only when present. */
void
cj_append_time(StringInfo buf, TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	appendStringInfo(buf, "%04d-%02d-%02dT%02d:%02d:%02d",
					 tm.tm_year, tm.tm_mon, tm.tm_mday,
					 tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (fsec != 0)
	{
		char		frac[8];
		int			n = 6;

		snprintf(frac, sizeof(frac), "%06d", (int) fsec);
		while (n > 0 && frac[n - 1] == '0')
			n--;
		frac[n] = '\0';
		appendStringInfo(buf, ".%s", frac);
	}
	appendStringInfoChar(buf, 'Z');
}

static void
append_label(StringInfo buf, const char *s, int len)
{
	bool		quote = (len == 0) || (len == 4 && pg_strncasecmp(s, "NULL", 4) == 0);
	int			i;

	for (i = 0; i < len && !quote; i++)
		if (is_special(s[i]))
			quote = true;
	if (quote)
		label_append_quoted(buf, s, len);
	else
		appendBinaryStringInfo(buf, s, len);
}

static void
append_touch(StringInfo buf, const JourneyView *v, int32 i)
{
	JTouch		t;

	jview_touch(v, i, &t);
	cj_append_time(buf, t.ts);
	appendStringInfoChar(buf, ' ');
	append_label(buf, v->stages.label[t.stage], v->stages.len[t.stage]);
	if (v->flags & JF_NO_LABELS)
		return;
	appendStringInfoChar(buf, ' ');
	if (t.channel < 0)
		appendStringInfoString(buf, "NULL");
	else
		append_label(buf, v->label[t.channel], v->label_len[t.channel]);
	appendStringInfoChar(buf, ' ');
	if (t.event < 0)
		appendStringInfoString(buf, "NULL");
	else
		append_label(buf, v->label[t.event], v->label_len[t.event]);
	if (t.value >= 0)
	{
		appendStringInfoChar(buf, ' ');
		appendStringInfoString(buf, DatumGetCString(DirectFunctionCall1(numeric_out,
																		jview_value(v, t.value))));
	}
}

/* The canonical text of a touchpoint, journey or stage_time. */
char *
journey_print(const JourneyView *v, TextShape shape)
{
	StringInfoData buf;
	int32		i;

	initStringInfo(&buf);
	if (!v->stages.is_default)
	{
		appendStringInfoChar(&buf, '[');
		for (i = 0; i < v->stages.n; i++)
		{
			if (i > 0)
				appendStringInfoChar(&buf, '<');
			append_label(&buf, v->stages.label[i], v->stages.len[i]);
		}
		appendStringInfoString(&buf, "] ");
	}
	if (shape == TEXT_TOUCHPOINT)
		append_touch(&buf, v, 0);
	else
	{
		appendStringInfoChar(&buf, '{');
		for (i = 0; i < v->ntouches; i++)
		{
			if (i > 0)
				appendStringInfoString(&buf, "; ");
			append_touch(&buf, v, i);
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		appendStringInfoChar(&buf, '}');
	}
	return buf.data;
}

static void
append_json_label(StringInfo buf, const char *s, int len)
{
	char	   *z = pnstrdup(s, len);

	escape_json(buf, z);
	pfree(z);
}

/* "occurred_at": ..., "stage": ..., ... of touch i, for the jsonb casts. */
void
cj_append_touch_jsonb_fields(StringInfo buf, const JourneyView *v, int32 i)
{
	JTouch		t;

	jview_touch(v, i, &t);
	appendStringInfoString(buf, "\"occurred_at\": \"");
	cj_append_time(buf, t.ts);
	appendStringInfoString(buf, "\", \"stage\": ");
	append_json_label(buf, v->stages.label[t.stage], v->stages.len[t.stage]);
	appendStringInfoString(buf, ", \"channel\": ");
	if (t.channel < 0)
		appendStringInfoString(buf, "null");
	else
		append_json_label(buf, v->label[t.channel], v->label_len[t.channel]);
	appendStringInfoString(buf, ", \"event\": ");
	if (t.event < 0)
		appendStringInfoString(buf, "null");
	else
		append_json_label(buf, v->label[t.event], v->label_len[t.event]);
	appendStringInfoString(buf, ", \"value\": ");
	if (t.value < 0)
		appendStringInfoString(buf, "null");
	else
		appendStringInfoString(buf, DatumGetCString(DirectFunctionCall1(numeric_out,
																		jview_value(v, t.value))));
}

/* jsonb of a JSON text, as jsonb_in reads it */
static Jsonb *
jsonb_of_text(StringInfo buf)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf->data)));
}

/* Pad buf to a multiple of 4 bytes (jsonb containers are int-aligned); returns the padding. */
static int
jsonb_pad(StringInfo buf)
{
	int			pad = INTALIGN(buf->len) - buf->len;

	appendBinaryStringInfo(buf, "\0\0\0", pad);
	return pad;
}

/* Append a child container (the root of jb) to buf; returns its JEntry length. */
static uint32
jsonb_put_container(StringInfo buf, Jsonb *jb)
{
	int			pad = jsonb_pad(buf);
	Size		len = VARSIZE(jb) - VARHDRSZ;

	if (buf->len + len > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey is too large for jsonb"),
				 errdetail("A jsonb value holds at most %u bytes of elements.", JENTRY_OFFLENMASK)));
	appendBinaryStringInfo(buf, (const char *) &jb->root, len);
	return pad + len;
}

/*
 * jsonb of a touchpoint: {"occurred_at", "stage", "channel", "event",
 * "value", "stages"}; of a journey: {"stages": [...], "touches": [...]}.
 *
 * A journey's value is assembled here from one jsonb per touch, in the
 * layout convertJsonbObject and convertJsonbArray write (keys sorted by
 * length, every JB_OFFSET_STRIDE'th entry an end offset, containers
 * int-aligned), so that building a million touches stays interruptible:
 * jsonb_in over the whole text spends seconds in one call.
 */
Datum
journey_view_to_jsonb(const JourneyView *v, bool one_touch)
{
	StringInfoData buf,
				out;
	int32		i;
	uint32		header,
				totallen,
				len;
	JEntry		root[4];
	int			root_entries,
				base;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	for (i = 0; i < v->stages.n; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		append_json_label(&buf, v->stages.label[i], v->stages.len[i]);
	}
	appendStringInfoChar(&buf, ']');
	if (one_touch)
	{
		char	   *stages = pstrdup(buf.data);

		resetStringInfo(&buf);
		appendStringInfo(&buf, "{\"stages\": %s, ", stages);
		cj_append_touch_jsonb_fields(&buf, v, 0);
		appendStringInfoChar(&buf, '}');
		return JsonbPGetDatum(jsonb_of_text(&buf));
	}

	/* the root object: header, JEntries of "stages", "touches" and their values */
	initStringInfo(&out);
	appendBinaryStringInfo(&out, "\0\0\0\0", VARHDRSZ);
	header = 2 | JB_FOBJECT;
	appendBinaryStringInfo(&out, (const char *) &header, sizeof(header));
	root_entries = out.len;
	appendBinaryStringInfo(&out, (const char *) root, sizeof(root));
	appendBinaryStringInfo(&out, "stages", 6);
	root[0] = 6 | JENTRY_HAS_OFF;
	appendBinaryStringInfo(&out, "touches", 7);
	root[1] = 7;
	root[2] = JENTRY_ISCONTAINER | jsonb_put_container(&out, jsonb_of_text(&buf));

	/* the touches array */
	base = out.len;
	(void) jsonb_pad(&out);
	header = (uint32) v->ntouches | JB_FARRAY;
	appendBinaryStringInfo(&out, (const char *) &header, sizeof(header));
	{
		int			entries = out.len;
		MemoryContext touch_cxt = AllocSetContextCreate(CurrentMemoryContext,
														"journey jsonb touch",
														ALLOCSET_DEFAULT_SIZES);
		MemoryContext old = CurrentMemoryContext;

		enlargeStringInfo(&out, v->ntouches * sizeof(JEntry));
		out.len += v->ntouches * sizeof(JEntry);
		totallen = 0;
		for (i = 0; i < v->ntouches; i++)
		{
			JEntry		e;
			StringInfoData text;
			Jsonb	   *touch;

			CJ_CHECK_EVERY(i);
			/* each touch's text and parse in a context of its own */
			MemoryContextSwitchTo(touch_cxt);
			initStringInfo(&text);
			appendStringInfoChar(&text, '{');
			cj_append_touch_jsonb_fields(&text, v, i);
			appendStringInfoChar(&text, '}');
			touch = jsonb_of_text(&text);
			MemoryContextSwitchTo(old);
			len = jsonb_put_container(&out, touch);
			MemoryContextReset(touch_cxt);
			totallen += len;
			e = (i % JB_OFFSET_STRIDE == 0)
				? JENTRY_ISCONTAINER | JENTRY_HAS_OFF | totallen
				: JENTRY_ISCONTAINER | len;
			memcpy(out.data + entries + i * sizeof(JEntry), &e, sizeof(JEntry));
		}
		MemoryContextDelete(touch_cxt);
	}
	root[3] = JENTRY_ISCONTAINER | (uint32) (out.len - base);
	memcpy(out.data + root_entries, root, sizeof(root));
	SET_VARSIZE(out.data, out.len);
	return PointerGetDatum(out.data);
}
