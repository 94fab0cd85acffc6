# mk/fuzz.mk: libFuzzer build of the parser (included by the Makefile).
#
#   make fuzz                 build build/fuzz/fuzz_parse and run it for
#                             FUZZ_SECONDS (default 60) on tests/fuzz/corpus
#   make fuzz-build           only build it
#
# New inputs go to build/fuzz/corpus (tests/fuzz/corpus is only read);
# crashes are written as build/fuzz/crash-*: turn each into a corpus file
# or fixture and fix the parser.

FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_DIR     := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS   = $(call once,FUZZ_CFLAGS,-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
                $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
                -DPLANQ_PARSE_INTERNAL -Ilib -Iparse \
                $(call pkg_cflags,$(PKGS_PARSE) $(PKGS_COMMON)))
FUZZ_OBJS    := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(PARSE_SRC) lib/sbuf.c) \
                $(FUZZ_DIR)/gen/parse_orgs.o

.PHONY: fuzz fuzz-build

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_DIR)/gen/parse_orgs.o: $(FUZZ_DIR)/gen/parse_orgs.c
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/fuzz_parse: tests/fuzz/fuzz_parse.c tests/fuzz/fuzz_ctype.h \
    $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ \
	    tests/fuzz/fuzz_parse.c $(FUZZ_OBJS) $(LIBS_PARSE)

fuzz-build: $(FUZZ_DIR)/fuzz_parse

fuzz: $(FUZZ_DIR)/fuzz_parse
	@mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/fuzz_parse -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    -timeout=10 -rss_limit_mb=4096 -artifact_prefix=$(FUZZ_DIR)/ \
	    -print_final_stats=1 $(FUZZ_DIR)/corpus tests/fuzz/corpus

-include $(wildcard $(FUZZ_DIR)/obj/parse/*.d $(FUZZ_DIR)/obj/lib/*.d)
