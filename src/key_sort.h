/*-------------------------------------------------------------------------
 *
 * key_sort.h
 *		Sorting arrays of records by integer keys in bulk (radix sort).
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJOURNEY_KEY_SORT_H
#define CJOURNEY_KEY_SORT_H

#include "cjourney.h"

/* One integer key of a record: where it lies, its width and sign. */
typedef struct KeySortKey
{
	uint16		offset;			/* bytes from the record's start */
	uint8		width;			/* 4 or 8 */
	bool		is_signed;
} KeySortKey;

/*
 * Sort n records of size bytes (8, 16 or 32 for the fast paths; any
 * multiple of 4 up to 64) by their keys, the first most significant;
 * records with equal keys keep no particular order.
 */
extern void key_sort_records(void *base, Size n, Size size, const KeySortKey *keys,
							 int nkeys);

/* Sort n int64 values in ascending order. */
extern void key_sort_int64(int64 *v, Size n);

/*
 * Sort n elements of two int64s each (a key, then a payload that moves with
 * it) by ascending key; the order of equal keys is unspecified.
 */
extern void key_sort_keyed_pairs(int64 *v, Size n);

#endif							/* CJOURNEY_KEY_SORT_H */
