/*-------------------------------------------------------------------------
 *
 * journey_text.h
 *		Text form of touchpoints and journeys: parser and printer.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJ_JOURNEY_TEXT_H
#define CJ_JOURNEY_TEXT_H

#include "cjourney.h"
#include "event_buffer.h"
#include "journey_format.h"

#include "lib/stringinfo.h"

/* which of the types sharing the stored form a text is for */
typedef enum TextShape
{
	TEXT_TOUCHPOINT,			/* one touch, no braces */
	TEXT_JOURNEY,				/* {touch; ...} */
	TEXT_STAGE_TIME				/* {time stage; ...} */
} TextShape;

extern EventBuffer *journey_parse(const char *str, TextShape shape,
								  const char *type_name);
extern char *journey_print(const JourneyView *v, TextShape shape);
extern void cj_append_time(StringInfo buf, TimestampTz t);
extern void cj_append_touch_jsonb_fields(StringInfo buf, const JourneyView *v,
										 int32 i);
extern Datum journey_view_to_jsonb(const JourneyView *v, bool one_touch);

#endif							/* CJ_JOURNEY_TEXT_H */
