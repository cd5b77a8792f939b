/*-------------------------------------------------------------------------
 *
 * wire.h
 *		Checked reading and writing of cjourney's binary formats.
 *
 * Every binary format (send/recv of the types, the aggregates'
 * serialize/deserialize) is read through a WireReader, which turns any
 * truncation, bad count or bad label into a 22P03 error naming the type,
 * and any size beyond a documented limit into a 54000 error.  Nothing
 * but wire.c should call pq_getmsg*: a reader never runs past its message.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_WIRE_H
#define CJ_WIRE_H

#include "cjourney.h"

#include "lib/stringinfo.h"

/* wire-format flavours */
#define WIRE_INTERNAL	0		/* aggregate state between backends */
#define WIRE_CLIENT		1		/* send/recv: labels in client encoding */

typedef struct WireReader
{
	StringInfo	msg;
	const char *type_name;		/* for error messages */
} WireReader;

extern void wire_reader_init(WireReader *w, StringInfo msg, const char *type_name);

/* 22P03 "invalid binary representation of type %s", detail a sentence */
pg_attribute_noreturn()
extern void wire_error(WireReader *w, const char *detail);

/* 54000: a count or size beyond a documented limit, quoted in the detail */
pg_attribute_noreturn()
extern void wire_limit(WireReader *w, const char *detail);

/* Bytes left to read. */
extern int	wire_remaining(const WireReader *w);

/* Error out ("The value is truncated.") unless n more bytes are there. */
extern void wire_need(WireReader *w, int64 n);

extern void wire_put_varint(StringInfo buf, uint64 x);
extern uint64 wire_varint_long(WireReader *w, uint64 limit, const char *what);

/*
 * A varint written by wire_put_varint, at most limit: truncation, a value
 * past 64 bits and a value above limit are errors (22P03); a non-minimal
 * encoding reads as its value (nothing here depends on unique bytes).  Inline for one
 * byte, the common case: every field of every record of a parallel
 * aggregate's states.
 */
static inline uint64
wire_varint(WireReader *w, uint64 limit, const char *what)
{
	StringInfo	m = w->msg;

	if (likely(m->cursor < m->len))
	{
		uint8		c = (uint8) m->data[m->cursor];

		if (c < 0x80 && c <= limit)
		{
			m->cursor++;
			return c;
		}
	}
	return wire_varint_long(w, limit, what);
}
extern uint8 wire_byte(WireReader *w);
extern int16 wire_int16(WireReader *w);
extern int32 wire_int32(WireReader *w);
extern int64 wire_int64(WireReader *w);
extern double wire_float8(WireReader *w);
extern const char *wire_bytes(WireReader *w, int n);

/* Read the version byte; "Unknown format version." unless it is expected. */
extern void wire_version(WireReader *w, int expected);

/* Error out ("The value has trailing bytes.") unless all was read. */
extern void wire_end(WireReader *w);

/* A length-prefixed label, checked and in the server encoding. */
extern char *wire_text(WireReader *w, int flavour, int *lenp);

/* Like wire_text, but a length of -1 stands for none: NULL. */
extern char *wire_opt_text(WireReader *w, int flavour, int *lenp);

extern void wire_put_text(StringInfo buf, const char *s, int len, int flavour);

#endif							/* CJ_WIRE_H */
