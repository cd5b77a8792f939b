/*-------------------------------------------------------------------------
 *
 * wire.c
 *		Checked reading and writing of cjourney's binary formats.
 *
 * The only module that reads a message with pq_getmsg*: each read checks
 * first that the bytes are there.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "wire.h"

#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"

#include <math.h>

/* A label, converted to the client encoding for send. */
void
wire_put_text(StringInfo buf, const char *s, int len, int flavour)
{
	if (flavour == WIRE_CLIENT)
	{
		char	   *p = pg_server_to_client(s, len);
		int			plen = (p == s) ? len : (int) strlen(p);

		pq_sendint32(buf, plen);
		pq_sendbytes(buf, p, plen);
		if (p != s)
			pfree(p);
	}
	else
	{
		pq_sendint32(buf, len);
		pq_sendbytes(buf, s, len);
	}
}

/* A reader of msg from its cursor on; type_name is named in errors. */
void
wire_reader_init(WireReader *w, StringInfo msg, const char *type_name)
{
	w->msg = msg;
	w->type_name = type_name;
}

pg_attribute_noreturn()
void
wire_error(WireReader *w, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary representation of type %s", w->type_name),
			 errdetail_internal("%s", detail)));
}

pg_attribute_noreturn()
void
wire_limit(WireReader *w, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("binary value of type %s exceeds a limit", w->type_name),
			 errdetail_internal("%s", detail)));
}

int
wire_remaining(const WireReader *w)
{
	return w->msg->len - w->msg->cursor;
}

void
wire_need(WireReader *w, int64 n)
{
	if (n < 0 || n > (int64) wire_remaining(w))
		wire_error(w, "The value is truncated.");
}

/* Unsigned LEB128: 7 bits a byte, low first, the high bit says "more". */
void
wire_put_varint(StringInfo buf, uint64 x)
{
	char		tmp[10];
	int			n = 0;

	while (x >= 0x80)
	{
		tmp[n++] = (char) ((x & 0x7F) | 0x80);
		x >>= 7;
	}
	tmp[n++] = (char) x;
	appendBinaryStringInfo(buf, tmp, n);
}

/* wire_varint beyond its inline one-byte case */
uint64
wire_varint_long(WireReader *w, uint64 limit, const char *what)
{
	StringInfo	m = w->msg;
	uint64		x = 0;
	int			shift = 0;

	for (;;)
	{
		uint8		c;

		if (m->cursor >= m->len)
			wire_error(w, "The value is truncated.");
		if (shift > 63)
			wire_error(w, psprintf("The %s field is too long.", what));
		c = (uint8) m->data[m->cursor++];
		if (shift == 63 && (c & 0x7E) != 0)
			wire_error(w, psprintf("The %s is out of range.", what));
		x |= (uint64) (c & 0x7F) << shift;
		if ((c & 0x80) == 0)
			break;
		shift += 7;
	}
	if (x > limit)
		wire_error(w, psprintf("The %s is out of range.", what));
	return x;
}

uint8
wire_byte(WireReader *w)
{
	wire_need(w, 1);
	return (uint8) pq_getmsgbyte(w->msg);
}

int16
wire_int16(WireReader *w)
{
	wire_need(w, 2);
	return (int16) pq_getmsgint(w->msg, 2);
}

int32
wire_int32(WireReader *w)
{
	wire_need(w, 4);
	return (int32) pq_getmsgint(w->msg, 4);
}

int64
wire_int64(WireReader *w)
{
	wire_need(w, 8);
	return pq_getmsgint64(w->msg);
}

/* A float8 that must be finite; zero is normalized to +0. */
double
wire_float8(WireReader *w)
{
	double		d;

	wire_need(w, 8);
	d = pq_getmsgfloat8(w->msg);
	if (!isfinite(d))
		wire_error(w, "A number is not finite.");
	/* -0 reads as 0, the only zero the text forms produce */
	return d == 0 ? 0.0 : d;
}

/* The next n bytes, in place (not NUL-terminated). */
const char *
wire_bytes(WireReader *w, int n)
{
	wire_need(w, n);
	return pq_getmsgbytes(w->msg, n);
}

void
wire_version(WireReader *w, int expected)
{
	if (wire_byte(w) != expected)
		wire_error(w, "Unknown format version.");
}

void
wire_end(WireReader *w)
{
	if (wire_remaining(w) != 0)
		wire_error(w, "The value has trailing bytes.");
}

/* The len bytes of a label, converted to the server encoding and checked. */
static char *
read_label(WireReader *w, int32 len, int flavour, int *lenp)
{
	const char *raw;
	char	   *s;

	if (len < 0)
		wire_error(w, "A label has a negative length.");
	raw = wire_bytes(w, len);
	if (memchr(raw, '\0', len) != NULL)
		wire_error(w, "A label contains a zero byte.");
	if (flavour == WIRE_CLIENT)
	{
		if (!pg_verify_mbstr(pg_get_client_encoding(), raw, len, true))
			wire_error(w, "A label is not valid in the client encoding.");
		s = pg_client_to_server(raw, len);
	}
	else
	{
		if (!pg_verify_mbstr(GetDatabaseEncoding(), raw, len, true))
			wire_error(w, "A label is not valid in the database encoding.");
		s = (char *) raw;
	}
	if (s == raw)
	{
		s = palloc(len + 1);
		memcpy(s, raw, len);
		s[len] = '\0';
	}
	*lenp = (int) strlen(s);
	return s;
}

char *
wire_text(WireReader *w, int flavour, int *lenp)
{
	return read_label(w, wire_int32(w), flavour, lenp);
}

char *
wire_opt_text(WireReader *w, int flavour, int *lenp)
{
	int32		len = wire_int32(w);

	if (len == -1)
	{
		*lenp = 0;
		return NULL;
	}
	return read_label(w, len, flavour, lenp);
}
