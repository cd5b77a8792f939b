/*-------------------------------------------------------------------------
 *
 * gen_touchpoints.c
 *		Deterministic generator of synthetic CRM customer-journey data used
 *		by the cjourney tests and benchmarks.
 *
 * Writes CSV (no header) for one of two tables to stdout:
 *
 *	customers(customer_id, signed_up_at, segment, region, campaign_group,
 *			  ab_variant)
 *	touchpoints(customer_id, occurred_at, stage, channel, event, campaign,
 *				revenue)
 *
 * Every customer gets its own PRNG stream seeded from (seed, customer_id),
 * so customer k's rows never depend on how many customers are generated:
 * the output for --customers 1000 is exactly the subset of customers
 * 1..1000 of any larger data set with the same seed.  Touchpoints are
 * written sorted by (occurred_at, customer_id, row order within the
 * customer), like an append-ordered CRM event table.
 *
 * Timestamps have whole-second resolution, are in UTC and lie between
 * 2025-01-01 00:00:00 and 2025-12-31 23:59:59; journeys that would run
 * past the end of the year are cut off there, as in a real extract.
 *
 * Usage: gen_touchpoints [--customers N] [--seed S]
 *						  [--table customers|touchpoints]
 *
 * Standalone C99: no PostgreSQL headers, no network.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* length of 2025 in seconds; timestamps are offsets from 2025-01-01 UTC */
#define YEAR_SECONDS	(365 * 86400)
#define DAY_SECONDS		86400

/* first day (0-based day of 2025) of the seasonal campaigns */
#define SPRING_FIRST_DAY	59	/* March 1 */
#define SUMMER_FIRST_DAY	151 /* June 1 */
#define SUMMER_END_DAY		243 /* September 1, exclusive */

/* probability that a touch shares the previous touch's exact second */
#define P_SAME_SECOND		0.040
/* ... and the same for the first touch of a new stage */
#define P_SAME_SECOND_STAGE 0.10
/* probability of going back to an earlier stage after a stage block */
#define P_REVISIT			0.10
/* share of non-revenue events that are NULL */
#define P_NULL_EVENT		0.031

/* upper bound on the touches of a single stage block */
#define MAX_BLOCK_TOUCHES	400

typedef enum Stage
{
	ST_AWARENESS,
	ST_CONSIDERATION,
	ST_DECISION,
	ST_RETENTION,
	ST_ADVOCACY,
	NUM_STAGES
} Stage;

static const char *const stage_names[NUM_STAGES] = {
	"awareness", "consideration", "decision", "retention", "advocacy"
};

typedef enum Channel
{
	CH_PAID_SEARCH,
	CH_SOCIAL,
	CH_DISPLAY,
	CH_EMAIL,
	CH_WEB,
	CH_DIRECT,
	CH_STORE,
	CH_SUPPORT,
	CH_REFERRAL,
	CH_REVIEW,
	NUM_CHANNELS
} Channel;

static const char *const channel_names[NUM_CHANNELS] = {
	"paid_search", "social", "display", "email", "web", "direct", "store",
	"support", "referral", "review"
};

typedef enum Event
{
	EV_AD_IMPRESSION,
	EV_AD_CLICK,
	EV_PAGE_VIEW,
	EV_EMAIL_OPEN,
	EV_EMAIL_CLICK,
	EV_WEBINAR,
	EV_DEMO_REQUEST,
	EV_SIGNUP,
	EV_TRIAL_START,
	EV_ADD_TO_CART,
	EV_QUOTE,
	EV_PURCHASE,
	EV_RENEWAL,
	EV_SUPPORT_TICKET,
	EV_LOGIN,
	EV_REVIEW,
	EV_REFERRAL,
	NUM_EVENTS,
	EV_NULL = 255
} Event;

static const char *const event_names[NUM_EVENTS] = {
	"ad_impression", "ad_click", "page_view", "email_open", "email_click",
	"webinar", "demo_request", "signup", "trial_start", "add_to_cart",
	"quote", "purchase", "renewal", "support_ticket", "login", "review",
	"referral"
};

typedef enum Campaign
{
	CP_NONE,
	CP_SPRING_SALE,
	CP_SUMMER_PROMO,
	CP_NEWSLETTER,
	CP_RETARGETING,
	NUM_CAMPAIGNS
} Campaign;

static const char *const campaign_names[NUM_CAMPAIGNS] = {
	"", "spring_sale", "summer_promo", "newsletter", "retargeting"
};

typedef enum Segment
{
	SEG_CONSUMER,
	SEG_SMB,
	SEG_MID_MARKET,
	SEG_ENTERPRISE,
	NUM_SEGMENTS
} Segment;

static const char *const segment_names[NUM_SEGMENTS] = {
	"consumer", "smb", "mid_market", "enterprise"
};
static const double segment_weights[NUM_SEGMENTS] = {50, 25, 15, 10};

#define NUM_REGIONS 4
static const char *const region_names[NUM_REGIONS] = {
	"na", "emea", "apac", "latam"
};
static const double region_weights[NUM_REGIONS] = {40, 30, 20, 10};

#define NUM_VARIANTS 3
#define VAR_CONTROL		0
#define VAR_A			1
#define VAR_B			2
static const char *const variant_names[NUM_VARIANTS] = {
	"control", "variant_a", "variant_b"
};

/*
 * Per-segment journey parameters.  The reach probabilities are conditional
 * on reaching the previous stage and are set a little above the target
 * overall reach, because journeys cut off at the end of the year lose some.
 */
typedef struct SegmentParams
{
	double		p_consideration;	/* P(consideration | awareness) */
	double		p_decision;		/* P(decision | consideration) */
	double		p_retention;	/* P(retention | purchased) */
	double		p_advocacy;		/* P(advocacy | retention) */
	double		price_lo;		/* purchase amount range, dollars */
	double		price_hi;
	double		w_repeat_purchase;	/* retention event weights */
	double		w_renewal;
} SegmentParams;

static const SegmentParams segment_params[NUM_SEGMENTS] = {
	/* consumer */
	{0.56, 0.57, 0.74, 0.55, 9.99, 250.0, 16, 3},
	/* smb */
	{0.62, 0.61, 0.78, 0.50, 49.0, 800.0, 7, 12},
	/* mid_market */
	{0.66, 0.63, 0.82, 0.48, 200.0, 1500.0, 5, 14},
	/* enterprise */
	{0.70, 0.65, 0.86, 0.46, 500.0, 2000.0, 4, 15},
};

/* mean touches per stage block (before the engagement multiplier) */
static const double stage_mean_touches[NUM_STAGES] = {
	4.8, 7.0, 4.0, 16.0, 3.0
};

/* mean gap in days between "slow" touches within a stage */
static const double stage_gap_days[NUM_STAGES] = {3.0, 3.5, 2.5, 7.0, 9.0};

/*
 * Event weights per stage for ordinary draws.  Purchases in the decision
 * stage are added explicitly at the end of the block; retention purchase
 * and renewal weights come from the segment parameters.
 */
static const double stage_event_weights[NUM_STAGES][NUM_EVENTS] = {
	/* awareness: ad_impression, ad_click, page_view */
	[ST_AWARENESS] = {
		[EV_AD_IMPRESSION] = 45,[EV_AD_CLICK] = 20,[EV_PAGE_VIEW] = 35
	},
	[ST_CONSIDERATION] = {
		[EV_PAGE_VIEW] = 36,[EV_EMAIL_OPEN] = 22,[EV_EMAIL_CLICK] = 12,
		[EV_WEBINAR] = 6,[EV_DEMO_REQUEST] = 7,[EV_SIGNUP] = 9
	},
	[ST_DECISION] = {
		[EV_TRIAL_START] = 25,[EV_ADD_TO_CART] = 40,[EV_QUOTE] = 22
	},
	[ST_RETENTION] = {
		[EV_LOGIN] = 45,[EV_SUPPORT_TICKET] = 16,[EV_EMAIL_OPEN] = 14
	},
	[ST_ADVOCACY] = {
		[EV_REVIEW] = 55,[EV_REFERRAL] = 45
	},
};

/* channel weights per event (page_view in awareness is special-cased) */
static const double event_channel_weights[NUM_EVENTS][NUM_CHANNELS] = {
	[EV_AD_IMPRESSION] = {[CH_DISPLAY] = 50,[CH_SOCIAL] = 35,
	[CH_PAID_SEARCH] = 15},
	[EV_AD_CLICK] = {[CH_PAID_SEARCH] = 45,[CH_SOCIAL] = 30,[CH_DISPLAY] = 25},
	[EV_PAGE_VIEW] = {[CH_WEB] = 50,[CH_DIRECT] = 22,[CH_EMAIL] = 10,
	[CH_PAID_SEARCH] = 10,[CH_SOCIAL] = 8},
	[EV_EMAIL_OPEN] = {[CH_EMAIL] = 1},
	[EV_EMAIL_CLICK] = {[CH_EMAIL] = 1},
	[EV_WEBINAR] = {[CH_WEB] = 80,[CH_EMAIL] = 20},
	[EV_DEMO_REQUEST] = {[CH_WEB] = 70,[CH_DIRECT] = 30},
	[EV_SIGNUP] = {[CH_WEB] = 80,[CH_STORE] = 20},
	[EV_TRIAL_START] = {[CH_WEB] = 1},
	[EV_ADD_TO_CART] = {[CH_WEB] = 80,[CH_STORE] = 20},
	[EV_QUOTE] = {[CH_DIRECT] = 50,[CH_EMAIL] = 30,[CH_STORE] = 20},
	[EV_PURCHASE] = {[CH_WEB] = 55,[CH_STORE] = 30,[CH_DIRECT] = 15},
	[EV_RENEWAL] = {[CH_WEB] = 50,[CH_EMAIL] = 30,[CH_DIRECT] = 20},
	[EV_SUPPORT_TICKET] = {[CH_SUPPORT] = 1},
	[EV_LOGIN] = {[CH_WEB] = 70,[CH_DIRECT] = 30},
	[EV_REVIEW] = {[CH_REVIEW] = 1},
	[EV_REFERRAL] = {[CH_REFERRAL] = 1},
};

/* where awareness-stage page views come from */
static const double awareness_page_view_channels[NUM_CHANNELS] = {
	[CH_PAID_SEARCH] = 25,[CH_SOCIAL] = 20,[CH_WEB] = 15,[CH_DIRECT] = 15,
	[CH_REFERRAL] = 15,[CH_REVIEW] = 10
};

/* xoshiro256** state */
typedef struct Rng
{
	uint64_t	s[4];
} Rng;

/* one output row of the touchpoints table */
typedef struct Row
{
	int64_t		customer_id;
	uint32_t	ts;				/* seconds since 2025-01-01 00:00:00 UTC */
	uint32_t	seq;			/* row order within the customer */
	int32_t		revenue_cents;	/* -1 means NULL */
	uint8_t		stage;
	uint8_t		channel;
	uint8_t		event;			/* EV_NULL means NULL */
	uint8_t		campaign;		/* CP_NONE means NULL */
} Row;

/* growable array of rows */
typedef struct RowBuf
{
	Row		   *rows;
	size_t		len;
	size_t		cap;
} RowBuf;

/* a customer's attributes plus the state of its journey walk */
typedef struct Customer
{
	int64_t		id;
	int			segment;
	int			region;
	bool		treated;
	int			variant;
	double		engagement;		/* heavy-tailed activity multiplier */
	int64_t		signup;			/* seconds since 2025-01-01 */

	/* journey state */
	int64_t		t;				/* time of the next touch */
	bool		done;			/* walked past the end of the year */
	uint32_t	seq;
	int			last_event;
	int			last_channel;
	int			last_campaign;
	int64_t		last_campaign_t;
	int32_t		price_cents;	/* subscription price, set at purchase */
} Customer;

/* splitmix64 step, used to seed xoshiro and to mix seed material */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z = (*x += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* rotate left */
static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* seed a customer's private stream from (seed, customer_id) */
static void
rng_seed(Rng *r, uint64_t seed, uint64_t customer_id)
{
	uint64_t	a = seed;
	uint64_t	b = customer_id ^ UINT64_C(0x6A09E667F3BCC909);
	uint64_t	x = splitmix64(&a) ^ rotl(splitmix64(&b), 17);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

/* next 64 random bits (xoshiro256**) */
static uint64_t
rng_next(Rng *r)
{
	uint64_t   *s = r->s;
	uint64_t	result = rotl(s[1] * 5, 7) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* uniform double in [0, 1) */
static double
rng_uniform(Rng *r)
{
	return (double) (rng_next(r) >> 11) * 0x1.0p-53;
}

/* true with probability p */
static bool
rng_chance(Rng *r, double p)
{
	return rng_uniform(r) < p;
}

/* uniform integer in [lo, hi] */
static int64_t
rng_range(Rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t) (rng_uniform(r) * (double) (hi - lo + 1));
}

/* exponentially distributed value with the given mean */
static double
rng_exponential(Rng *r, double mean)
{
	return -mean * log(1.0 - rng_uniform(r));
}

/* index drawn with probability proportional to weights[i] */
static int
rng_pick(Rng *r, const double *weights, int n)
{
	double		total = 0.0;
	double		x;

	for (int i = 0; i < n; i++)
		total += weights[i];
	x = rng_uniform(r) * total;
	for (int i = 0; i < n; i++)
	{
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	/* rounding: return the last index with non-zero weight */
	for (int i = n - 1; i > 0; i--)
		if (weights[i] > 0)
			return i;
	return 0;
}

/* append a row, growing the buffer as needed */
static void
rowbuf_push(RowBuf *buf, const Row *row)
{
	if (buf->len == buf->cap)
	{
		size_t		newcap = buf->cap ? buf->cap * 2 : 1 << 16;
		Row		   *p = realloc(buf->rows, newcap * sizeof(Row));

		if (p == NULL)
		{
			fprintf(stderr, "gen_touchpoints: out of memory\n");
			exit(1);
		}
		buf->rows = p;
		buf->cap = newcap;
	}
	buf->rows[buf->len++] = *row;
}

/* qsort comparator: (ts, customer_id, seq) */
static int
row_cmp(const void *a, const void *b)
{
	const Row  *x = a;
	const Row  *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->customer_id != y->customer_id)
		return x->customer_id < y->customer_id ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

/*
 * Draw the customer's attributes.  These are the first draws of the
 * customer's stream, so the customers table needs no journey walk.
 */
static void
customer_init(Customer *c, Rng *r, uint64_t seed, int64_t id)
{
	int64_t		day;
	int64_t		sec_of_day;

	memset(c, 0, sizeof(*c));
	rng_seed(r, seed, (uint64_t) id);
	c->id = id;
	c->segment = rng_pick(r, segment_weights, NUM_SEGMENTS);
	c->region = rng_pick(r, region_weights, NUM_REGIONS);
	c->treated = rng_chance(r, 0.80);
	c->variant = (int) rng_range(r, 0, NUM_VARIANTS - 1);

	/* Pareto(alpha = 2.6) with mean 1, capped */
	c->engagement = (1.6 / 2.6) / pow(1.0 - rng_uniform(r), 1.0 / 2.6);
	if (c->engagement > 25.0)
		c->engagement = 25.0;

	/* sign-up day uniform over the year, mostly during waking hours */
	day = rng_range(r, 0, 364);
	if (rng_chance(r, 0.85))
		sec_of_day = rng_range(r, 7 * 3600, 23 * 3600 - 1);
	else
		sec_of_day = rng_range(r, 0, DAY_SECONDS - 1);
	c->signup = day * DAY_SECONDS + sec_of_day;
	c->t = c->signup;
	c->last_event = -1;
	c->last_channel = -1;
	c->last_campaign = CP_NONE;
}

/* 0 outside the seasonal campaigns, else CP_SPRING_SALE / CP_SUMMER_PROMO */
static int
season_at(int64_t t)
{
	int64_t		day = t / DAY_SECONDS;

	if (day >= SPRING_FIRST_DAY && day < SUMMER_FIRST_DAY)
		return CP_SPRING_SALE;
	if (day >= SUMMER_FIRST_DAY && day < SUMMER_END_DAY)
		return CP_SUMMER_PROMO;
	return CP_NONE;
}

/*
 * Campaign attribution of a touch.  The control group is held out of all
 * promotions and only receives the newsletter.
 */
static int
choose_campaign(Customer *c, Rng *r, int channel, int event)
{
	int			season = season_at(c->t);

	if (!c->treated)
	{
		if (channel == CH_EMAIL && rng_chance(r, 0.90))
			return CP_NEWSLETTER;
		return CP_NONE;
	}

	if (event == EV_PURCHASE && season == CP_SPRING_SALE &&
		rng_chance(r, 0.85))
		return CP_SPRING_SALE;

	switch (channel)
	{
		case CH_EMAIL:
			if (season != CP_NONE && rng_chance(r, 0.55))
				return season;
			return rng_chance(r, 0.85) ? CP_NEWSLETTER : CP_RETARGETING;
		case CH_DISPLAY:
		case CH_SOCIAL:
		case CH_PAID_SEARCH:
			{
				double		u = rng_uniform(r);

				if (season != CP_NONE)
					return u < 0.55 ? season :
						u < 0.90 ? CP_RETARGETING : CP_NONE;
				return u < 0.75 ? CP_RETARGETING : CP_NONE;
			}
		case CH_WEB:
		case CH_DIRECT:
		case CH_STORE:
			/* carry a recent campaign over to the visit it caused */
			if (c->last_campaign != CP_NONE &&
				c->t - c->last_campaign_t < 21 * DAY_SECONDS &&
				(c->last_campaign == season ||
				 c->last_campaign == CP_NEWSLETTER ||
				 c->last_campaign == CP_RETARGETING) &&
				rng_chance(r, 0.80))
				return c->last_campaign;
			return CP_NONE;
		default:
			return CP_NONE;
	}
}

/* purchase amount in cents, segment dependent (log-triangular) */
static int32_t
draw_price(Customer *c, Rng *r)
{
	const SegmentParams *sp = &segment_params[c->segment];
	double		lo = log(sp->price_lo);
	double		hi = log(sp->price_hi);
	double		u = (rng_uniform(r) + rng_uniform(r)) / 2.0;
	double		x = exp(lo + (hi - lo) * u);
	int64_t		cents;

	if (c->segment == SEG_CONSUMER || c->segment == SEG_SMB)
		cents = (int64_t) floor(x + 0.5) * 100 - 1;	/* 49.99 */
	else
		cents = (int64_t) floor(x / 10.0 + 0.5) * 1000;	/* 740.00 */
	if (cents < 999)
		cents = 999;
	if (cents > 200000)
		cents = 200000;
	return (int32_t) cents;
}

/*
 * Draw an event for an ordinary touch of the given stage.  Revenue events
 * are only drawn in the retention stage and only if allow_revenue.
 */
static int
draw_event(Customer *c, Rng *r, int stage, bool allow_revenue)
{
	double		w[NUM_EVENTS];

	memcpy(w, stage_event_weights[stage], sizeof(w));
	switch (c->segment)
	{
		case SEG_CONSUMER:
			w[EV_ADD_TO_CART] *= 1.5;
			w[EV_QUOTE] *= 0.3;
			w[EV_DEMO_REQUEST] *= 0.3;
			break;
		case SEG_MID_MARKET:
		case SEG_ENTERPRISE:
			w[EV_ADD_TO_CART] *= 0.4;
			w[EV_QUOTE] *= 2.0;
			w[EV_DEMO_REQUEST] *= 2.5;
			w[EV_WEBINAR] *= 1.5;
			break;
		default:
			break;
	}
	if (stage == ST_RETENTION && allow_revenue)
	{
		w[EV_PURCHASE] = segment_params[c->segment].w_repeat_purchase;
		w[EV_RENEWAL] = segment_params[c->segment].w_renewal;
	}
	return rng_pick(r, w, NUM_EVENTS);
}

/* channel of a touch with the given stage and event */
static int
draw_channel(Rng *r, int stage, int event)
{
	if (event == EV_PAGE_VIEW && stage == ST_AWARENESS)
		return rng_pick(r, awareness_page_view_channels, NUM_CHANNELS);
	return rng_pick(r, event_channel_weights[event], NUM_CHANNELS);
}

/* follow-up event logged in the same second as prev, or -1 if none */
static int
same_second_followup(int prev)
{
	switch (prev)
	{
		case EV_AD_IMPRESSION:
			return EV_AD_CLICK;
		case EV_EMAIL_OPEN:
			return EV_EMAIL_CLICK;
		case EV_AD_CLICK:
		case EV_EMAIL_CLICK:
			return EV_PAGE_VIEW;
		case EV_TRIAL_START:
		case EV_LOGIN:
			return EV_PAGE_VIEW;
		default:
			return -1;
	}
}

/*
 * Record one touch at the current time.  Sets c->done instead when the
 * current time is past the end of the year.
 */
static void
emit(Customer *c, Rng *r, RowBuf *out, int stage, int event, int channel)
{
	Row			row;

	if (c->t >= YEAR_SECONDS)
	{
		c->done = true;
		return;
	}
	if (channel < 0)
		channel = draw_channel(r, stage, event);

	row.customer_id = c->id;
	row.ts = (uint32_t) c->t;
	row.seq = c->seq++;
	row.stage = (uint8_t) stage;
	row.channel = (uint8_t) channel;
	row.campaign = (uint8_t) choose_campaign(c, r, channel, event);
	row.event = (uint8_t) event;
	row.revenue_cents = -1;

	if (event == EV_PURCHASE)
	{
		int32_t		price = draw_price(c, r);

		if (c->price_cents == 0)
			c->price_cents = price;
		row.revenue_cents = price;
	}
	else if (event == EV_RENEWAL)
	{
		if (c->price_cents == 0)
			c->price_cents = draw_price(c, r);
		row.revenue_cents = c->price_cents;
	}
	else if (rng_chance(r, P_NULL_EVENT))
		row.event = EV_NULL;	/* lost by the tracking pipeline */

	/* remember campaigns that reached the customer, not carried ones */
	if (row.campaign != CP_NONE &&
		channel != CH_WEB && channel != CH_DIRECT && channel != CH_STORE)
	{
		c->last_campaign = row.campaign;
		c->last_campaign_t = c->t;
	}
	c->last_event = event;
	c->last_channel = channel;
	rowbuf_push(out, &row);
}

/* advance the clock by a gap between two touches of the same stage */
static bool
advance_within_stage(Customer *c, Rng *r, int stage)
{
	double		u = rng_uniform(r);

	if (u < P_SAME_SECOND)
		return true;			/* same second as the previous touch */
	if (u < 0.35)
		c->t += 1 + (int64_t) rng_exponential(r, 20.0 * 60.0);
	else
	{
		/* engaged customers come back more often */
		double		mean = stage_gap_days[stage] * DAY_SECONDS /
			sqrt(c->engagement);

		c->t += 1 + (int64_t) rng_exponential(r, mean);
	}
	return false;
}

/* advance the clock by the gap before the first touch of a new stage */
static void
advance_to_stage(Customer *c, Rng *r)
{
	double		u = rng_uniform(r);

	if (u < P_SAME_SECOND_STAGE)
		return;					/* e.g. ad_click and landing page_view */
	if (u < 0.30)
		c->t += 1 + (int64_t) rng_exponential(r, 45.0 * 60.0);
	else
		c->t += 1 + (int64_t) rng_exponential(r, 6.0 * DAY_SECONDS);
}

/* number of touches in a stage block */
static int
block_touches(Customer *c, Rng *r, int stage)
{
	double		mean = stage_mean_touches[stage] * c->engagement;
	int64_t		n;

	if (mean < 1.01)
		mean = 1.01;
	n = 1 + (int64_t) rng_exponential(r, mean - 1.0);

	return n > MAX_BLOCK_TOUCHES ? MAX_BLOCK_TOUCHES : (int) n;
}

/*
 * Emit a block of n touches of one stage.  The first touch happens at the
 * current time; later ones after within-stage gaps.  Revenue events are
 * only drawn if allow_revenue.
 */
static void
stage_block(Customer *c, Rng *r, RowBuf *out, int stage, int n,
			bool allow_revenue)
{
	for (int i = 0; i < n && !c->done; i++)
	{
		int			event = -1;
		int			channel = -1;

		if (i > 0 && advance_within_stage(c, r, stage))
		{
			/* same second: a follow-up event of the previous touch */
			if (c->last_event >= 0)
				event = same_second_followup(c->last_event);
			if (event == EV_AD_CLICK || event == EV_EMAIL_CLICK)
				channel = c->last_channel;
		}
		if (event < 0 || stage_event_weights[stage][event] <= 0)
		{
			event = draw_event(c, r, stage, allow_revenue);
			channel = -1;
		}
		emit(c, r, out, stage, event, channel);
	}
}

/*
 * Maybe go back to an earlier stage after a block of stage cur.  If
 * must_return, the journey afterwards continues at cur (a few touches);
 * otherwise it may end at the earlier stage.
 */
static void
maybe_revisit(Customer *c, Rng *r, RowBuf *out, int cur, bool must_return)
{
	int			back;

	if (cur < ST_CONSIDERATION || c->done || !rng_chance(r, P_REVISIT))
		return;
	back = cur - 1;
	if (cur >= ST_DECISION && rng_chance(r, 0.3))
		back = cur - 2;

	advance_to_stage(c, r);
	stage_block(c, r, out, back, (int) rng_range(r, 1, 3), false);
	if (must_return || rng_chance(r, 0.5))
	{
		advance_to_stage(c, r);
		stage_block(c, r, out, cur, (int) rng_range(r, 1, 2), false);
	}
}

/* conversion probability when a customer reaches the purchase step */
static double
conversion_probability(Customer *c)
{
	double		p;

	if (!c->treated)
		p = 0.64;
	else if (season_at(c->t) == CP_SPRING_SALE)
		p = 0.90;
	else
		p = 0.77;
	if (c->variant == VAR_A)
		p += 0.06;
	return p > 0.98 ? 0.98 : p;
}

/*
 * Decision block: trials, carts and quotes, then a purchase if the
 * customer converts.  Returns true if the customer purchased.
 */
static bool
decision_block(Customer *c, Rng *r, RowBuf *out)
{
	int			n = block_touches(c, r, ST_DECISION);

	stage_block(c, r, out, ST_DECISION, n, false);
	if (c->done)
		return false;

	/* checkout right after adding to the cart is often the same second */
	if (c->last_event != EV_ADD_TO_CART || !rng_chance(r, 0.25))
		advance_within_stage(c, r, ST_DECISION);

	if (!rng_chance(r, conversion_probability(c)))
		return false;
	emit(c, r, out, ST_DECISION, EV_PURCHASE,
		 c->last_event == EV_ADD_TO_CART ? c->last_channel : -1);
	return !c->done;
}

/* walk one customer's journey and append its touches to out */
static void
generate_journey(Customer *c, Rng *r, RowBuf *out)
{
	const SegmentParams *sp = &segment_params[c->segment];
	double		p_dec = sp->p_decision + (c->treated ? 0.03 : 0.0);
	int			top = ST_AWARENESS;

	/* planned furthest stage, ignoring whether the customer converts */
	if (rng_chance(r, sp->p_consideration))
	{
		top = ST_CONSIDERATION;
		if (rng_chance(r, p_dec))
		{
			top = ST_DECISION;
			if (rng_chance(r, sp->p_retention))
			{
				top = ST_RETENTION;
				if (rng_chance(r, sp->p_advocacy))
					top = ST_ADVOCACY;
			}
		}
	}

	/* the first touch is the sign-up itself */
	stage_block(c, r, out, ST_AWARENESS, block_touches(c, r, ST_AWARENESS),
				false);
	for (int s = ST_CONSIDERATION; s <= top && !c->done; s++)
	{
		maybe_revisit(c, r, out, s - 1, true);
		if (c->done)
			break;
		advance_to_stage(c, r);
		if (s == ST_DECISION)
		{
			if (!decision_block(c, r, out))
			{
				top = ST_DECISION;
				break;
			}
		}
		else
			stage_block(c, r, out, s, block_touches(c, r, s), true);
	}
	maybe_revisit(c, r, out, top, false);
}

/* format seconds since 2025-01-01 as "2025-MM-DD HH:MM:SS+00" */
static void
format_ts(char *buf, int64_t t)
{
	static const int month_days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int			day = (int) (t / DAY_SECONDS);
	int			sod = (int) (t % DAY_SECONDS);
	int			month = 0;

	while (month < 11 && day >= month_days[month])
		day -= month_days[month++];
	sprintf(buf, "2025-%02d-%02d %02d:%02d:%02d+00", month + 1, day + 1,
			sod / 3600, sod / 60 % 60, sod % 60);
}

/* write the customers table */
static void
write_customers(int64_t ncustomers, uint64_t seed)
{
	char		ts[32];

	for (int64_t id = 1; id <= ncustomers; id++)
	{
		Customer	c;
		Rng			r;

		customer_init(&c, &r, seed, id);
		format_ts(ts, c.signup);
		printf("%" PRId64 ",%s,%s,%s,%s,%s\n", c.id, ts,
			   segment_names[c.segment], region_names[c.region],
			   c.treated ? "treatment" : "control",
			   variant_names[c.variant]);
	}
}

/* write the touchpoints table, sorted by (occurred_at, customer, seq) */
static void
write_touchpoints(int64_t ncustomers, uint64_t seed)
{
	RowBuf		buf = {NULL, 0, 0};
	char		ts[32];

	for (int64_t id = 1; id <= ncustomers; id++)
	{
		Customer	c;
		Rng			r;

		customer_init(&c, &r, seed, id);
		generate_journey(&c, &r, &buf);
	}
	qsort(buf.rows, buf.len, sizeof(Row), row_cmp);

	for (size_t i = 0; i < buf.len; i++)
	{
		const Row  *row = &buf.rows[i];

		format_ts(ts, row->ts);
		printf("%" PRId64 ",%s,%s,%s,%s,%s,", row->customer_id, ts,
			   stage_names[row->stage], channel_names[row->channel],
			   row->event == EV_NULL ? "" : event_names[row->event],
			   campaign_names[row->campaign]);
		if (row->revenue_cents >= 0)
			printf("%d.%02d\n", row->revenue_cents / 100,
				   row->revenue_cents % 100);
		else
			putchar('\n');
	}
	free(buf.rows);
}

/* print usage and exit with the given status */
static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
			"Usage: gen_touchpoints [--customers N] [--seed S] "
			"[--table customers|touchpoints]\n"
			"Writes deterministic CSV (no header) to stdout.\n"
			"Defaults: --customers 100000 --seed 42 --table touchpoints\n");
	exit(status);
}

/* parse a non-negative integer argument or exit */
static uint64_t
parse_uint(const char *opt, const char *s, uint64_t max)
{
	char	   *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > max)
	{
		fprintf(stderr, "gen_touchpoints: invalid value for %s: \"%s\"\n",
				opt, s);
		exit(2);
	}
	return (uint64_t) v;
}

/* entry point: parse options and write the chosen table */
int
main(int argc, char **argv)
{
	int64_t		ncustomers = 100000;
	uint64_t	seed = 42;
	bool		customers_table = false;
	static char outbuf[1 << 16];

	for (int i = 1; i < argc; i++)
	{
		const char *opt = argv[i];

		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0)
			usage(0);
		if (i + 1 >= argc)
			usage(2);
		if (strcmp(opt, "--customers") == 0)
			ncustomers = (int64_t) parse_uint(opt, argv[++i], 100000000);
		else if (strcmp(opt, "--seed") == 0)
			seed = parse_uint(opt, argv[++i], UINT64_MAX);
		else if (strcmp(opt, "--table") == 0)
		{
			const char *t = argv[++i];

			if (strcmp(t, "customers") == 0)
				customers_table = true;
			else if (strcmp(t, "touchpoints") == 0)
				customers_table = false;
			else
				usage(2);
		}
		else
			usage(2);
	}

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (customers_table)
		write_customers(ncustomers, seed);
	else
		write_touchpoints(ncustomers, seed);
	if (fflush(stdout) != 0 || ferror(stdout))
	{
		fprintf(stderr, "gen_touchpoints: write error\n");
		return 1;
	}
	return 0;
}
