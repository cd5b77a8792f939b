-- schema.sql
--		Tables of the cjourney sample data set (see gen_touchpoints.c).
--
-- Used by data/load.sh, which drops and recreates them in schema public
-- before loading the generator's CSV output.

CREATE TABLE public.customers (
	customer_id		bigint PRIMARY KEY,
	signed_up_at	timestamptz NOT NULL,
	segment			text NOT NULL,		-- consumer | smb | mid_market | enterprise
	region			text NOT NULL,		-- na | emea | apac | latam
	campaign_group	text NOT NULL,		-- treatment | control
	ab_variant		text NOT NULL		-- control | variant_a | variant_b
);

CREATE TABLE public.touchpoints (
	customer_id		bigint NOT NULL,
	occurred_at		timestamptz NOT NULL,
	stage			text NOT NULL,		-- awareness .. advocacy
	channel			text NOT NULL,
	event			text,
	campaign		text,				-- NULL = organic
	revenue			numeric(12,2)		-- only for purchase / renewal
);
