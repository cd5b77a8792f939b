# cjourney: PGXS build.  `make`, `make install`, `make installcheck`.
# Quick start: ./scripts/demo.sh (demo) and ./scripts/test.sh (all suites).

EXTENSION = cjourney
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" cjourney.control)

MODULE_big = cjourney
OBJS = \
	src/cjourney.o \
	src/agg.o \
	src/stage.o \
	src/stage_text.o \
	src/labels.o \
	src/wire.o \
	src/event_buffer.o \
	src/event_buffer_state.o \
	src/touch_times.o \
	src/key_sort.o \
	src/journey_format.o \
	src/journey_text.o \
	src/journey_step.o \
	src/touchpoint.o \
	src/journey.o \
	src/journey_agg.o \
	src/stage_time.o \
	src/funnel_walk.o \
	src/funnel.o \
	src/funnel_options.o \
	src/retention.o \
	src/retention_long.o \
	src/funnel_report.o \
	src/stats.o \
	src/response.o \
	src/response_variants.o \
	src/conversion.o \
	src/attribution_spec.o \
	src/attribution.o \
	src/attribution_text.o \
	src/attribution_walk.o \
	src/attribution_markov.o \
	src/attribution_shapley.o \
	src/attribution_agg.o \
	src/session.o \
	src/path.o \
	src/path_report.o \
	src/path_flows.o \
	src/sequence_match.o \
	src/sequence.o \
	src/next_node.o

DATA = cjourney--0.1.0.sql cjourney--0.1.0--0.2.0.sql cjourney--0.2.0--0.3.0.sql

REGRESS = stage touchpoint journey journey_agg journey_errors stage_time funnel response conversion attribution session path crm_output sequence journey_store readme
REGRESS_OPTS = --load-extension=cjourney --encoding=UTF8

EXTRA_CLEAN = results regression.diffs regression.out log tmp_check

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Header dependencies.  PGXS tracks them only when the server was configured
# with --enable-depend (Debian's is not); without them a changed header (a
# struct in agg.h, say) leaves objects and JIT bitcode compiled against the
# old one, and the module crashes.  GCC and clang (GCC = yes) write them
# while they compile; the .bc of each file depends on the same headers.
ifneq ($(autodepend),yes)
ifeq ($(GCC),yes)
%.o: %.c
	@mkdir -p $(dir .deps/$*)
	$(CC) $(CFLAGS) $(CPPFLAGS) -c -o $@ $< -MMD -MP -MF .deps/$*.Po -MT $@ -MT $(@:.o=.bc)
-include $(wildcard .deps/src/*.Po)
endif
endif
EXTRA_CLEAN += .deps

# PGXN distribution: cjourney-<version>.zip of the committed tree (HEAD), one
# top directory cjourney-<version>/, META.json at its root.
DISTFILE ?= $(EXTENSION)-$(EXTVERSION).zip
.PHONY: dist
dist:
	git archive --format zip --prefix=$(EXTENSION)-$(EXTVERSION)/ --output $(DISTFILE) HEAD
