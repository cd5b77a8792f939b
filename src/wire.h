/*-------------------------------------------------------------------------
 *
 * wire.h
 *		Checked reading and writing of cjourney's binary formats.
 *
 * Every binary format (send/recv of the types, the aggregates'
 * serialize/deserialize) is read through a WireReader, which turns any
 * truncation, bad count or bad label into a 22P03 error naming the type,
 * and any size beyond a documented limit into a 54000 error.
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
	const char *type_name;
} WireReader;

extern void wire_reader_init(WireReader *w, StringInfo msg, const char *type_name);
pg_attribute_noreturn()
extern void wire_error(WireReader *w, const char *detail);
pg_attribute_noreturn()
extern void wire_limit(WireReader *w, const char *detail);
extern void wire_need(WireReader *w, int64 n);
extern uint8 wire_byte(WireReader *w);
extern void wire_version(WireReader *w, uint8 expected);
extern void wire_end(WireReader *w);
extern int32 wire_int32(WireReader *w);
extern int64 wire_int64(WireReader *w);
extern double wire_float8(WireReader *w);
extern char *wire_text(WireReader *w, int flavour, int *lenp);
extern void wire_put_text(StringInfo buf, const char *s, int len, int flavour);

#endif							/* CJ_WIRE_H */
