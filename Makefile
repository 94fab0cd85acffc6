# planq: build, test and run.
#
#   make            bin/planqd, bin/planq-worker, bin/planq
#   make test       unit + integration tests against a private PostgreSQL
#   make run        private cluster under ./var/, daemon, sample plans, report
#   make asan       the same binaries with ASan+UBSan under build/asan/bin
#   make check      cppcheck over the sources
#
# Every library comes from pkg-config.  Object files live under $(BUILDDIR),
# binaries under $(BINDIR); both can be overridden so that a sanitizer build
# or a second checkout never tramples the default one.

BUILD    ?= release
BUILDDIR ?= build/$(BUILD)
BINDIR   ?= $(if $(filter release,$(BUILD)),bin,$(BUILDDIR)/bin)
CC       ?= cc
PKG_CONFIG ?= pkg-config

PKGS_COMMON := jansson libcrypto
PKGS_ZMQ    := libczmq libzmq
PKGS_PARSE  := libutf8proc uchardet libxml-2.0
PKGS_PQ     := libpq
PKGS_DAEMON := libsystemd zlib libmicrohttpd

# pkg-config runs when a rule first needs a package's flags, never while
# the Makefile is read: `make run` and `make test` install the -dev
# packages first (deps), then build in a second make that sees them.  A
# missing package stops the build with what to do, not a link error.
pkg_query  = $(shell $(PKG_CONFIG) $(1) $(2) 2>/dev/null || echo @missing@)
pkg_check  = $(if $(findstring @missing@,$(1)),$(error pkg-config finds no \
             $(2) (or no pkg-config): the build needs Debian's -dev \
             packages; run `make deps` (deploy/install-deps.sh) first),$(1))
pkg_cflags = $(call pkg_check,$(call pkg_query,--cflags,$(1)),$(1))
pkg_libs   = $(call pkg_check,$(call pkg_query,--libs,$(1)),$(1))
# $(call once,VAR,VALUE): VAR is VALUE, computed on first use and kept
once       = $(eval $(1) := $(2))$($(1))

WARN     := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wno-format-nonliteral
HARDEN   := -fstack-protector-strong -fstack-clash-protection -fPIE \
            -D_FORTIFY_SOURCE=2 -fcf-protection
CSTD     := -std=c11 -D_GNU_SOURCE
OPT      := -O2 -g

ifeq ($(BUILD),asan)
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=undefined
HARDEN   := -fPIE
SAN_LD   := -fsanitize=address,undefined
endif
ifeq ($(BUILD),testhooks)
# test-only build: compiles the poison-document trigger into the worker
CSTD     += -DPLANQ_TEST_HOOKS=1
endif
# the version every binary reports: the nearest tag, or the commit
PLANQ_VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0)
CSTD     += -DPLANQ_VERSION='"$(PLANQ_VERSION)"' $(EXTRA_CFLAGS)

ALL_PKGS := $(PKGS_COMMON) $(PKGS_ZMQ) $(PKGS_PARSE) $(PKGS_PQ) $(PKGS_DAEMON)
CFLAGS_BASE = $(CSTD) $(OPT) $(WARN) $(HARDEN)
LDFLAGS_ALL := -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(SAN_LD)

# ---- layers --------------------------------------------------------------
# Each part compiles with the include paths of what it may use and no
# others, so a wrong arrow fails the build (docs/ARCHITECTURE.md):
#   lib/      lib/                         jansson, libcrypto
#   parse/    parse/ lib/                  + utf8proc, uchardet, libxml2
#   daemon/   daemon/ lib/                 + czmq, systemd, zlib, microhttpd
#   workers/  workers/ parse/ lib/         + czmq, libpq, libseccomp
#   tools/    tools/ parse/ lib/           + czmq, libpq
# No libpq or parser for the daemon, no libpq or ZeroMQ paths for the
# parser, no workers/ for tools/.  Outside parse/ only parse.h can be
# included: the stage headers need PLANQ_PARSE_INTERNAL (parse/internal.h),
# which only the parser and its white-box tests define.  mk/layers.sh
# checks what include paths cannot: "../" includes and headers that sit
# in /usr/include itself (zmq.h, czmq.h).
PKGCF_COMMON = $(call once,PKGCF_COMMON,$(call pkg_cflags,$(PKGS_COMMON)))
PKGCF_PARSE  = $(call once,PKGCF_PARSE,$(call pkg_cflags,$(PKGS_PARSE)))
PKGCF_ZMQ    = $(call once,PKGCF_ZMQ,$(call pkg_cflags,$(PKGS_ZMQ)))
PKGCF_PQ     = $(call once,PKGCF_PQ,$(call pkg_cflags,$(PKGS_PQ)))
PKGCF_DAEMON = $(call once,PKGCF_DAEMON,$(call pkg_cflags,$(PKGS_DAEMON)))
PKGCF_SECCOMP = $(call once,PKGCF_SECCOMP,$(call pkg_cflags,libseccomp))

LAYER_LIB     = -Ilib $(PKGCF_COMMON)
LAYER_PARSE   = -DPLANQ_PARSE_INTERNAL -Iparse -Ilib $(PKGCF_PARSE) \
                $(PKGCF_COMMON)
LAYER_DAEMON  = -Idaemon -Ilib $(PKGCF_ZMQ) $(PKGCF_DAEMON) $(PKGCF_COMMON)
LAYER_ROWS    = -Irows -Ilib $(PKGCF_PQ) $(PKGCF_COMMON)
LAYER_WORKERS = -Iworkers -Irows -Iparse -Ilib $(PKGCF_ZMQ) $(PKGCF_PQ) \
                $(PKGCF_SECCOMP) $(PKGCF_COMMON)
LAYER_TOOLS   = -Itools -Irows -Iparse -Ilib $(PKGCF_ZMQ) $(PKGCF_PQ) \
                $(PKGCF_COMMON)
# tests look inside what they test: the parser's stages, the worker
LAYER_TESTS   = -DPLANQ_PARSE_INTERNAL -Itests/unit -Iworkers -Irows -Iparse -Ilib \
                $(PKGCF_PARSE) $(PKGCF_ZMQ) $(PKGCF_PQ) $(PKGCF_COMMON)
# the daemon's unit tests: its modules, nothing of workers or the parser
LAYER_DTESTS  = -Itests/unit -Idaemon -Ilib $(PKGCF_ZMQ) $(PKGCF_DAEMON) \
                $(PKGCF_COMMON)
LAYER_TTOOLS  = -Ilib $(PKGCF_ZMQ) $(PKGCF_COMMON)

LIB_SRC    := $(sort $(wildcard lib/*.c))
PARSE_SRC  := $(sort $(wildcard parse/*.c))
DAEMON_SRC := $(sort $(wildcard daemon/*.c))
ROWS_SRC   := $(sort $(wildcard rows/*.c))
WORKER_SRC := $(sort $(wildcard workers/*.c))
TOOLS_SRC  := $(sort $(wildcard tools/*.c))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
# the daemon's modules alone, without sockets or processes
DUNIT_SRC  := $(sort $(wildcard tests/unit/daemon/test_*.c))
TTOOL_SRC  := $(sort $(wildcard tests/tools/*.c))

obj = $(patsubst %.c,$(BUILDDIR)/obj/%.o,$(1))

LIB_A    := $(BUILDDIR)/libplanq.a
PARSE_A  := $(BUILDDIR)/libplanqparse.a
ROWS_A   := $(BUILDDIR)/libplanqrows.a
WORKER_A := $(BUILDDIR)/libplanqworker.a
DAEMON_A := $(BUILDDIR)/libplanqd.a

LIBS_COMMON = $(call once,LIBS_COMMON,$(call pkg_libs,$(PKGS_COMMON)))
LIBS_DAEMON = $(call once,LIBS_DAEMON,$(call pkg_libs,$(PKGS_ZMQ) $(PKGS_DAEMON)) $(LIBS_COMMON))
LIBS_PARSE  = $(call once,LIBS_PARSE,$(call pkg_libs,$(PKGS_PARSE)) $(LIBS_COMMON))
LIBS_WORKER = $(call once,LIBS_WORKER,$(call pkg_libs,$(PKGS_ZMQ) $(PKGS_PQ) libseccomp) $(LIBS_PARSE))
LIBS_TOOLS  = $(call once,LIBS_TOOLS,$(call pkg_libs,$(PKGS_ZMQ) $(PKGS_PQ)) $(LIBS_PARSE))

BINS := $(BINDIR)/planqd $(BINDIR)/planq-worker $(BINDIR)/planq
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILDDIR)/tests/%,$(UNIT_SRC)) \
             $(patsubst tests/unit/daemon/%.c,$(BUILDDIR)/tests/%,$(DUNIT_SRC))
TTOOL_BINS := $(patsubst tests/tools/%.c,$(BUILDDIR)/tests/tools/%,$(TTOOL_SRC))

.PHONY: all clean test test-bins unit integration run asan asan-test check \
        deps parse-lib valgrind-test
all: $(BINS)

$(BUILDDIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(LAYER_FLAGS) -MMD -MP -c $< -o $@

$(BUILDDIR)/obj/lib/%.o:         LAYER_FLAGS = $(LAYER_LIB)
$(BUILDDIR)/obj/parse/%.o:       LAYER_FLAGS = $(LAYER_PARSE)
$(BUILDDIR)/obj/daemon/%.o:      LAYER_FLAGS = $(LAYER_DAEMON)
$(BUILDDIR)/obj/rows/%.o:        LAYER_FLAGS = $(LAYER_ROWS)
$(BUILDDIR)/obj/workers/%.o:     LAYER_FLAGS = $(LAYER_WORKERS)
$(BUILDDIR)/obj/tools/%.o:       LAYER_FLAGS = $(LAYER_TOOLS)
$(BUILDDIR)/obj/tests/unit/%.o:  LAYER_FLAGS = $(LAYER_TESTS)
$(BUILDDIR)/obj/tests/unit/daemon/%.o: LAYER_FLAGS = $(LAYER_DTESTS)
$(BUILDDIR)/obj/tests/tools/%.o: LAYER_FLAGS = $(LAYER_TTOOLS)
# the migrate engine's test driver links tools/' objects: tools' layer
$(BUILDDIR)/obj/tests/tools/migrate_files.o: LAYER_FLAGS = $(LAYER_TOOLS)

$(LIB_A): $(call obj,$(LIB_SRC))
	@rm -f $@; ar rcs $@ $^
$(PARSE_A): $(call obj,$(PARSE_SRC))
	@rm -f $@; ar rcs $@ $^
# the worker's pieces other than main(), so unit tests can link them
$(ROWS_A): $(call obj,$(ROWS_SRC))
	@rm -f $@; ar rcs $@ $^
$(WORKER_A): $(call obj,$(filter-out workers/main.c,$(WORKER_SRC)))
	@rm -f $@; ar rcs $@ $^

parse-lib: $(PARSE_A) $(LIB_A)

# the daemon's modules other than main(), so unit tests can link them
$(DAEMON_A): $(call obj,$(filter-out daemon/main.c,$(DAEMON_SRC)))
	@rm -f $@; ar rcs $@ $^

$(BINDIR)/planqd: $(call obj,daemon/main.c) $(DAEMON_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_DAEMON)

$(BUILDDIR)/tests/%: $(call obj,tests/unit/daemon/%.c) $(DAEMON_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_DAEMON)
$(BINDIR)/planq-worker: $(call obj,workers/main.c) $(WORKER_A) $(ROWS_A) $(PARSE_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_WORKER)
$(BINDIR)/planq: $(call obj,$(TOOLS_SRC)) $(ROWS_A) $(PARSE_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_TOOLS)

$(BUILDDIR)/tests/%: $(call obj,tests/unit/%.c) $(WORKER_A) $(ROWS_A) $(PARSE_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_TOOLS)

# tools the integration tests drive (raw ZeroMQ client, …)
$(BUILDDIR)/tests/tools/%: $(call obj,tests/tools/%.c) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_TOOLS)

# ---- tests ---------------------------------------------------------------
unit: $(UNIT_BINS)
integration: all $(TTOOL_BINS)

TEST_ENV = PLANQ_BIN=$(abspath $(BINDIR)) PLANQ_UNIT=$(abspath $(BUILDDIR)/tests) \
	   PLANQ_TOOLS=$(abspath $(BUILDDIR)/tests/tools)
# deps first, then the build in a make that reads the Makefile again
test:
	@bash deploy/install-deps.sh test
	@$(MAKE) --no-print-directory test-bins
	$(TEST_ENV) bash tests/run.sh
test-bins: all $(UNIT_BINS) $(TTOOL_BINS)

asan:
	$(MAKE) BUILD=asan all unit integration
asan-test:
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(MAKE) BUILD=asan test
valgrind-test: all $(UNIT_BINS) $(TTOOL_BINS)
	PLANQ_VALGRIND=1 $(TEST_ENV) bash tests/run.sh

check:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem --std=c11 \
	  -DPLANQ_PARSE_INTERNAL -Ilib -Iparse -Idaemon -Irows -Iworkers -Itools \
	  lib parse daemon rows workers tools bench
	sh mk/layers.sh

deps:
	@bash deploy/install-deps.sh

# ---- make run ------------------------------------------------------------
run:
	@bash deploy/install-deps.sh run
	@$(MAKE) --no-print-directory all
	bash deploy/run-local.sh

clean:
	rm -rf build bin

-include mk/*.mk
-include $(shell find $(BUILDDIR) -name '*.d' 2>/dev/null)
