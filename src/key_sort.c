/*-------------------------------------------------------------------------
 *
 * key_sort.c
 *		Sorting arrays of records by integer keys in bulk: the durations
 *		behind journey_stage_stats' exact percentiles, the (duration, count)
 *		pairs of a funnel report, a customer's touch times
 *		(touches_before_each_conversion, session_count), and the records of
 *		an aggregate state that carry no labels (event_buffer.c).
 *
 * Those arrays hold a value per customer (hundreds of thousands at a
 * time), and qsort with a comparison function was a quarter of
 * journey_stage_stats, and of its parallel workers' time a third (sorting
 * their states' records to serialize them).  A least-significant-digit
 * radix sort reads a key once for the histograms of all its digits, then
 * moves every record once per digit; only the bits in which the keys
 * differ are sorted on (a month of microsecond durations spans 42 bits:
 * four passes of 11 bits), less significant keys first, each pass stable.
 * It needs a second array as large as the first, so an array of more than
 * KEY_SORT_RADIX_MAX_BYTES, or one whose second array cannot be had, is
 * sorted in place by qsort instead; short arrays by insertion.  The radix
 * loops check for interrupts every CJ_CHECK_STRIDE + 1 records and qsort's
 * comparator as often; the insertion sort sees at most
 * KEY_SORT_INSERTION_MAX records, and the final copy of a radix sort (at
 * most KEY_SORT_RADIX_MAX_BYTES, some 25 ms) none.
 *
 *-------------------------------------------------------------------------
 */
#include "cjourney.h"
#include "key_sort.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#define RADIX_BITS		11
#define RADIX_BUCKETS	(1 << RADIX_BITS)
#define RADIX_PASSES	((64 + RADIX_BITS - 1) / RADIX_BITS)

/* below this many elements, insertion sort */
#define KEY_SORT_INSERTION_MAX	48

/* the largest array sorted with a second array beside it (a plain chunk) */
#define KEY_SORT_RADIX_MAX_BYTES	((Size) 256 * 1024 * 1024)
StaticAssertDecl(KEY_SORT_RADIX_MAX_BYTES <= MaxAllocSize,
				 "the second array of a radix sort is no huge allocation");

/* a key as an unsigned integer in the same order (a sign bit flipped) */
static pg_attribute_always_inline uint64
key_of(const char *rec, const KeySortKey *k)
{
	if (k->width == 8)
	{
		uint64		x;

		memcpy(&x, rec + k->offset, 8);
		return k->is_signed ? x ^ (UINT64CONST(1) << 63) : x;
	}
	else
	{
		uint32		x;

		memcpy(&x, rec + k->offset, 4);
		return k->is_signed ? (uint64) (x ^ 0x80000000U) : (uint64) x;
	}
}

typedef struct KeySortArgs
{
	const KeySortKey *keys;
	int			nkeys;
} KeySortArgs;

static inline int
records_cmp(const char *a, const char *b, const KeySortKey *keys, int nkeys)
{
	int			k;

	for (k = 0; k < nkeys; k++)
	{
		uint64		x = key_of(a, &keys[k]);
		uint64		y = key_of(b, &keys[k]);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

static int
records_qsort_cmp(const void *a, const void *b, void *arg)
{
	const KeySortArgs *args = arg;

	CJ_SORT_TICK();
	return records_cmp(a, b, args->keys, args->nkeys);
}

/* the largest record (an insertion sort holds one aside) */
#define KEY_SORT_MAX_RECORD		64

static pg_attribute_always_inline void
insertion_sort(char *v, Size n, const Size size, const KeySortKey *keys, int nkeys)
{
	char		held[KEY_SORT_MAX_RECORD];
	Size		i;

	for (i = 1; i < n; i++)
	{
		Size		j = i;

		memcpy(held, v + i * size, size);
		while (j > 0 && records_cmp(v + (j - 1) * size, held, keys, nkeys) > 0)
		{
			memcpy(v + j * size, v + (j - 1) * size, size);
			j--;
		}
		memcpy(v + j * size, held, size);
	}
}

/*
 * Least significant key first, each key by its 11-bit digits, least
 * significant first: every pass is a stable counting sort, so the last
 * leaves the records in the order of all keys.
 */
static pg_attribute_always_inline void
radix_sort(char *v, Size n, const Size size, const KeySortKey *keys, int nkeys)
{
	Size		bytes = n * size;
	Size	   *count;
	char	   *tmp,
			   *src,
			   *dst;
	int			k;

	if (n <= KEY_SORT_INSERTION_MAX)
	{
		insertion_sort(v, n, size, keys, nkeys);
		return;
	}
	tmp = bytes <= KEY_SORT_RADIX_MAX_BYTES ? palloc_extended(bytes, MCXT_ALLOC_NO_OOM) : NULL;
	if (tmp == NULL)
	{
		KeySortArgs args = {keys, nkeys};

		qsort_arg(v, n, size, records_qsort_cmp, &args);
		return;
	}
	count = palloc(RADIX_PASSES * RADIX_BUCKETS * sizeof(Size));
	src = v;
	dst = tmp;
	for (k = nkeys - 1; k >= 0; k--)
	{
		const KeySortKey *key = &keys[k];
		uint64		lo = PG_UINT64_MAX,
					hi = 0,
					range;
		int			npasses = 0,
					p;
		Size		i;

		for (i = 0; i < n; i++)
		{
			uint64		x = key_of(src + i * size, key);

			CJ_CHECK_EVERY(i);
			lo = Min(lo, x);
			hi = Max(hi, x);
		}
		range = hi - lo;
		while (npasses < RADIX_PASSES && (range >> (npasses * RADIX_BITS)) != 0)
			npasses++;
		if (npasses == 0)
			continue;			/* one value of this key: nothing moves */

		/* one read of the keys for every digit's histogram */
		memset(count, 0, npasses * RADIX_BUCKETS * sizeof(Size));
		for (i = 0; i < n; i++)
		{
			uint64		x = key_of(src + i * size, key) - lo;

			CJ_CHECK_EVERY(i);
			for (p = 0; p < npasses; p++)
				count[p * RADIX_BUCKETS + ((x >> (p * RADIX_BITS)) & (RADIX_BUCKETS - 1))]++;
		}
		for (p = 0; p < npasses; p++)
		{
			Size	   *pos = &count[p * RADIX_BUCKETS];
			Size		sum = 0;
			int			shift = p * RADIX_BITS;
			int			d;

			/* a digit all keys share moves nothing */
			for (d = 0; d < RADIX_BUCKETS; d++)
				if (pos[d] == n)
					break;
			if (d < RADIX_BUCKETS)
				continue;
			for (d = 0; d < RADIX_BUCKETS; d++)
			{
				Size		c = pos[d];

				pos[d] = sum;
				sum += c;
			}
			for (i = 0; i < n; i++)
			{
				uint64		x = key_of(src + i * size, key) - lo;
				Size		at = pos[(x >> shift) & (RADIX_BUCKETS - 1)]++;

				CJ_CHECK_EVERY(i);
				memcpy(dst + at * size, src + i * size, size);
			}
			{
				char	   *t = src;

				src = dst;
				dst = t;
			}
		}
	}
	if (src != v)
		memcpy(v, src, bytes);
	pfree(count);
	pfree(tmp);
}

void
key_sort_records(void *base, Size n, Size size, const KeySortKey *keys, int nkeys)
{
	/* the insertion sort holds a record on its stack: not an assertion alone */
	if (size == 0 || size % 4 != 0 || size > KEY_SORT_MAX_RECORD || nkeys <= 0)
		elog(ERROR, "key_sort_records cannot sort records of %zu bytes by %d keys", size, nkeys);
	/* constant sizes, so that each record moves in a few instructions */
	switch (size)
	{
		case 8:
			radix_sort(base, n, 8, keys, nkeys);
			break;
		case 16:
			radix_sort(base, n, 16, keys, nkeys);
			break;
		case 32:
			radix_sort(base, n, 32, keys, nkeys);
			break;
		default:
			radix_sort(base, n, size, keys, nkeys);
			break;
	}
}

static const KeySortKey first_int64 = {0, 8, true};

void
key_sort_int64(int64 *v, Size n)
{
	key_sort_records(v, n, sizeof(int64), &first_int64, 1);
}

void
key_sort_keyed_pairs(int64 *v, Size n)
{
	key_sort_records(v, n, 2 * sizeof(int64), &first_int64, 1);
}
