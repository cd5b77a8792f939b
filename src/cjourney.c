/*-------------------------------------------------------------------------
 *
 * cjourney.c
 *		Module magic and small helpers used across the extension.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"

#include "fmgr.h"
#include "utils/numeric.h"

PG_MODULE_MAGIC;

/* Error out (22008) unless t is a valid touch time. */
void
cj_check_time(TimestampTz t)
{
	if (!CJ_TIME_IN_RANGE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("touch time out of range"),
				 errdetail("Touch times must lie in the years 1 to 9999 (UTC); infinity is not allowed.")));
}

/* Not NaN and (PostgreSQL 14+) not infinite. */
bool
cj_numeric_is_finite(Datum numeric)
{
	Numeric		n = DatumGetNumeric(numeric);
	bool		finite = !numeric_is_nan(n);

#if PG_VERSION_NUM >= 140000
	finite = finite && !numeric_is_inf(n);
#endif
	return finite;
}

/* Error out (22023) unless a touch value is a finite number. */
void
cj_check_value(Datum numeric)
{
	if (!cj_numeric_is_finite(numeric))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("touch value must be a finite number"),
				 errhint("Use NULL for a touch without a value.")));
}
