/*-------------------------------------------------------------------------
 *
 * key_sort.h
 *		Sorting arrays of int64 keys in bulk (radix sort).
 *
 *-------------------------------------------------------------------------
 */
#ifndef CJOURNEY_KEY_SORT_H
#define CJOURNEY_KEY_SORT_H

#include "cjourney.h"

/* Sort n int64 values in ascending order. */
extern void key_sort_int64(int64 *v, Size n);

/*
 * Sort n elements of two int64s each (a key, then a payload that moves with
 * it) by ascending key; the order of equal keys is unspecified.
 */
extern void key_sort_keyed_pairs(int64 *v, Size n);

#endif							/* CJOURNEY_KEY_SORT_H */
