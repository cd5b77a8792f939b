/*-------------------------------------------------------------------------
 *
 * key_sort.c
 *		Sorting arrays of int64 keys in bulk: the durations behind
 *		journey_stage_stats' exact percentiles, the (duration, count) pairs
 *		of a funnel report.
 *
 * Those arrays hold a value per customer (hundreds of thousands at a
 * time), and qsort with a comparison function was a quarter of
 * journey_stage_stats.  A customer's touch times (touches_before_each_conversion,
 * session_count) are sorted here too.  A least-significant-digit radix sort reads the
 * keys once for the histograms of all its digits, then moves every element
 * once per digit; only the bits in which the keys differ are sorted on (a
 * month of microsecond durations spans 42 bits: four passes of 11 bits).
 * It needs a second array as large as the first, so an array of more than
 * KEY_SORT_RADIX_MAX_BYTES, or one whose second array cannot be had, is
 * sorted in place by qsort instead; short arrays by insertion.  The radix
 * loops check for interrupts every CJ_CHECK_STRIDE + 1 elements and qsort's
 * comparator as often; the insertion sort sees at most
 * KEY_SORT_INSERTION_MAX elements, and the final copy of a radix sort (at
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

/* signed to unsigned, order kept: the sign bit flipped */
static inline uint64
key_bits(int64 k)
{
	return (uint64) k ^ (UINT64CONST(1) << 63);
}

static int
cmp_first_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	CJ_SORT_TICK();
	return (x > y) - (x < y);
}

/* width: int64s per element (1 or 2); the key is the first */
static pg_attribute_always_inline void
insertion_sort(int64 *v, Size n, int width)
{
	Size		i;

	for (i = 1; i < n; i++)
	{
		int64		key = v[i * width];
		int64		payload = width == 2 ? v[i * width + 1] : 0;
		Size		j = i;

		while (j > 0 && v[(j - 1) * width] > key)
		{
			v[j * width] = v[(j - 1) * width];
			if (width == 2)
				v[j * width + 1] = v[(j - 1) * width + 1];
			j--;
		}
		v[j * width] = key;
		if (width == 2)
			v[j * width + 1] = payload;
	}
}

static pg_attribute_always_inline void
radix_sort(int64 *v, Size n, int width)
{
	Size		bytes = n * width * sizeof(int64);
	Size	   *count;
	int64	   *tmp,
			   *src,
			   *dst;
	uint64		lo = PG_UINT64_MAX,
				hi = 0,
				range;
	int			npasses = 0,
				p;
	Size		i;

	if (n <= KEY_SORT_INSERTION_MAX)
	{
		insertion_sort(v, n, width);
		return;
	}
	for (i = 0; i < n; i++)
	{
		uint64		k = key_bits(v[i * width]);

		CJ_CHECK_EVERY(i);
		lo = Min(lo, k);
		hi = Max(hi, k);
	}
	range = hi - lo;
	if (range == 0)
		return;
	while (npasses < RADIX_PASSES && (range >> (npasses * RADIX_BITS)) != 0)
		npasses++;

	count = palloc0(npasses * RADIX_BUCKETS * sizeof(Size));
	tmp = bytes <= KEY_SORT_RADIX_MAX_BYTES
		? palloc_extended(bytes, MCXT_ALLOC_NO_OOM) : NULL;
	if (tmp == NULL)
	{
		pfree(count);
		qsort(v, n, width * sizeof(int64), cmp_first_int64);
		return;
	}

	/* one read of the keys for every digit's histogram */
	for (i = 0; i < n; i++)
	{
		uint64		k = key_bits(v[i * width]) - lo;

		CJ_CHECK_EVERY(i);
		for (p = 0; p < npasses; p++)
			count[p * RADIX_BUCKETS + ((k >> (p * RADIX_BITS)) & (RADIX_BUCKETS - 1))]++;
	}

	src = v;
	dst = tmp;
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
			uint64		k = key_bits(src[i * width]) - lo;
			Size		at = pos[(k >> shift) & (RADIX_BUCKETS - 1)]++;

			CJ_CHECK_EVERY(i);
			dst[at * width] = src[i * width];
			if (width == 2)
				dst[at * width + 1] = src[i * width + 1];
		}
		{
			int64	   *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != v)
		memcpy(v, src, bytes);
	pfree(count);
	pfree(tmp);
}

void
key_sort_int64(int64 *v, Size n)
{
	radix_sort(v, n, 1);
}

void
key_sort_keyed_pairs(int64 *v, Size n)
{
	radix_sort(v, n, 2);
}
