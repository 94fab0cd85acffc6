# mk/fuzz.mk: libFuzzer targets over every reader of outside bytes
# (included by the Makefile).  One target per reader, tests/fuzz/fuzz_<r>.c:
#
#   parse       the parser (parse_bytes), corpus tests/fuzz/corpus
#   front       front_check: a crawler's frames, envelope, body size
#   spool       a spool segment left by an earlier run: open, repair, replay
#   config      planqd.conf's reader (config_read_text)
#   workerlink  planqd's check of what a worker says (workerlink_decode)
#   jobmsg      the worker's reading of a JOB message (jobmsg_read_job)
#
#   make fuzz                 build every target and run each for
#                             FUZZ_SECONDS (default 60) on its corpus;
#                             make -j2 fuzz runs two at a time
#   make fuzz-<r>             one of them (make fuzz-spool FUZZ_SECONDS=600)
#   make fuzz-build           only build them
#
# Each run's output goes to build/fuzz/<r>.log (tail -f it to watch); make
# prints the final numbers, or the log's end when the fuzzer found
# something.
#
# Corpora: tests/fuzz/corpus_<r>/ (tests/fuzz/corpus for the parser) is only
# read; new inputs go to build/fuzz/corpus_<r>.  A crash is written as
# build/fuzz/<r>-crash-*: fix the bug and add the input to the corpus, where
# `make test` replays it (test_fuzz_<r>: the same entry point linked with
# tests/fuzz/replay.c by the normal toolchain; test_fuzz_corpus for the
# parser).

FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_DIR     := build/fuzz
FUZZ_TARGETS ?= parse front spool config workerlink jobmsg
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_BASE     = -std=c11 -D_GNU_SOURCE -DPLANQ_VERSION='"fuzz"' -g -O1 \
                -fno-omit-frame-pointer $(WARN) $(FUZZ_SAN) \
                -fsanitize=fuzzer-no-link
fuzz_obj      = $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(1))

FUZZ_LIB_OBJS    := $(call fuzz_obj,$(LIB_SRC))
# the parser with its generated table of organisations (mk/orgs.mk)
FUZZ_PARSE_OBJS  := $(call fuzz_obj,$(PARSE_SRC)) $(FUZZ_DIR)/gen/parse_orgs.o
FUZZ_ROWS_OBJS   := $(call fuzz_obj,$(ROWS_SRC))
FUZZ_DAEMON_OBJS := $(call fuzz_obj,$(filter-out daemon/main.c,$(DAEMON_SRC)))
# the worker without its main() and without the sandbox (seccomp would
# stop libFuzzer itself)
FUZZ_WORKER_OBJS := $(call fuzz_obj,$(filter-out workers/main.c \
                    workers/sandbox.c,$(WORKER_SRC)))
FUZZ_DAEMON_TARGETS := front spool config workerlink
FUZZ_REPLAYS := $(patsubst %,$(BUILDDIR)/tests/test_fuzz_%,\
                $(FUZZ_DAEMON_TARGETS) jobmsg)

.PHONY: fuzz fuzz-build $(addprefix fuzz-,$(FUZZ_TARGETS))

# each part with its own layer's include paths (Makefile, "layers")
$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_BASE) $(FUZZ_LAYER) -MMD -MP -c $< -o $@

$(FUZZ_DIR)/gen/parse_orgs.o: $(FUZZ_DIR)/gen/parse_orgs.c
	$(FUZZ_CC) $(FUZZ_BASE) $(LAYER_PARSE) -c $< -o $@

$(FUZZ_DIR)/obj/lib/%.o:     FUZZ_LAYER = $(LAYER_LIB)
$(FUZZ_DIR)/obj/parse/%.o:   FUZZ_LAYER = $(LAYER_PARSE)
$(FUZZ_DIR)/obj/daemon/%.o:  FUZZ_LAYER = $(LAYER_DAEMON)
$(FUZZ_DIR)/obj/rows/%.o:    FUZZ_LAYER = $(LAYER_ROWS)
$(FUZZ_DIR)/obj/workers/%.o: FUZZ_LAYER = $(LAYER_WORKERS)
$(FUZZ_DIR)/obj/tests/fuzz/fuzz_parse.o: FUZZ_LAYER = $(LAYER_PARSE)
$(patsubst %,$(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o,$(FUZZ_DAEMON_TARGETS)): \
    FUZZ_LAYER = $(LAYER_DAEMON)
$(FUZZ_DIR)/obj/tests/fuzz/fuzz_jobmsg.o: FUZZ_LAYER = $(LAYER_WORKERS)

# the parser and the parts of lib/ it uses (its records, their JSON text)
$(FUZZ_DIR)/fuzz_parse: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_parse.o \
    $(FUZZ_PARSE_OBJS) $(call fuzz_obj,lib/sbuf.c lib/plandoc.c lib/jsontext.c)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS_PARSE)

$(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_DAEMON_TARGETS)): $(FUZZ_DIR)/fuzz_%: \
    $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_DAEMON_OBJS) $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS_DAEMON)

$(FUZZ_DIR)/fuzz_jobmsg: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_jobmsg.o \
    $(FUZZ_WORKER_OBJS) $(FUZZ_ROWS_OBJS) $(FUZZ_PARSE_OBJS) $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS_WORKER)

fuzz-build: $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))

# the most bytes one input may have, by target
FUZZ_MAXLEN_parse      := 65536
FUZZ_MAXLEN_front      := 16384
FUZZ_MAXLEN_spool      := 16384
FUZZ_MAXLEN_config     := 8192
FUZZ_MAXLEN_workerlink := 4096
FUZZ_MAXLEN_jobmsg     := 16384
# the parser's fuzzing also starts from every fixture (tests/fixtures/*/:
# the pages and their expected JSON), which test_parse_fixtures replays
fuzz_corpus = $(if $(filter parse,$(1)),tests/fuzz/corpus $(wildcard tests/fixtures/*/),tests/fuzz/corpus_$(1))

$(addprefix fuzz-,$(FUZZ_TARGETS)): fuzz-%: $(FUZZ_DIR)/fuzz_%
	@mkdir -p $(FUZZ_DIR)/corpus_$*
	@echo "fuzz-$*: $(FUZZ_SECONDS) s, log in $(FUZZ_DIR)/$*.log"
	@if $(FUZZ_DIR)/fuzz_$* -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=$(FUZZ_MAXLEN_$*) -timeout=10 -rss_limit_mb=2048 \
	    $(if $(wildcard tests/fuzz/$*.dict),-dict=tests/fuzz/$*.dict) \
	    -artifact_prefix=$(FUZZ_DIR)/$*- -print_final_stats=1 \
	    $(FUZZ_DIR)/corpus_$* $(call fuzz_corpus,$*) >$(FUZZ_DIR)/$*.log 2>&1; \
	then \
	  echo "fuzz-$*: $$(grep -a '^Done' $(FUZZ_DIR)/$*.log)," \
	    "$$(grep -a -o 'cov: [0-9]* ft: [0-9]*' $(FUZZ_DIR)/$*.log | tail -n 1)," \
	    "$$(grep -a 'average_exec_per_sec' $(FUZZ_DIR)/$*.log | tr -s ' ')"; \
	else \
	  tail -n 40 $(FUZZ_DIR)/$*.log; \
	  echo "fuzz-$*: the fuzzer found something: $(FUZZ_DIR)/$*-crash-* (log above)"; \
	  exit 1; \
	fi

fuzz: $(addprefix fuzz-,$(FUZZ_TARGETS))

# ---- the corpora replayed by `make test`, with the normal toolchain ------
$(BUILDDIR)/obj/tests/fuzz/replay.o: LAYER_FLAGS =
$(patsubst %,$(BUILDDIR)/obj/tests/fuzz/fuzz_%.o,$(FUZZ_DAEMON_TARGETS)): \
    LAYER_FLAGS = $(LAYER_DAEMON)
$(BUILDDIR)/obj/tests/fuzz/fuzz_jobmsg.o: LAYER_FLAGS = $(LAYER_WORKERS)

$(patsubst %,$(BUILDDIR)/tests/test_fuzz_%,$(FUZZ_DAEMON_TARGETS)): \
    $(BUILDDIR)/tests/test_fuzz_%: $(BUILDDIR)/obj/tests/fuzz/fuzz_%.o \
    $(BUILDDIR)/obj/tests/fuzz/replay.o $(DAEMON_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_DAEMON)

$(BUILDDIR)/tests/test_fuzz_jobmsg: $(BUILDDIR)/obj/tests/fuzz/fuzz_jobmsg.o \
    $(BUILDDIR)/obj/tests/fuzz/replay.o $(WORKER_A) $(ROWS_A) $(PARSE_A) \
    $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_WORKER)

unit test-bins: $(FUZZ_REPLAYS)

-include $(shell find $(FUZZ_DIR)/obj $(FUZZ_DIR)/gen -name '*.d' 2>/dev/null)
