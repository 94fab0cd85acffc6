# mk/bench.mk: `make bench` (bench/run.sh): planq's acknowledged throughput,
# latency, CPU and memory against PostgreSQL's own loading methods (COPY,
# INSERTs, pipelined INSERTs: bench/refload) on the same rows, and a Python
# peer (bench/peer.py) on the same corpus (bench/RESULTS.md).  Installs what
# it needs first (deploy/install-deps.sh bench).
#   make bench                 5,000 documents
#   make bench BENCH_DOCS=20000
#   make bench-views           only the views phase (bench/views.sh): a full
#                              read of every view at BENCH_VIEW_DOCS (20,000)
#   make bench-callgrind       instructions per document in one backend,
#                              planq_ingest_rows against COPY of the same
#                              rows (bench/callgrind.sh)

BENCH_DIR  := $(BUILDDIR)/bench
BENCH_BINS := $(BENCH_DIR)/driver $(BENCH_DIR)/parsebench $(BENCH_DIR)/refload
BENCH_DOCS ?= 5000

.PHONY: bench bench-bins bench-views bench-callgrind
bench-bins: $(BENCH_BINS)

$(BENCH_DIR)/driver: bench/driver.c $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -Ilib $(PKGCF_ZMQ) $(PKGCF_COMMON) $(LDFLAGS_ALL) -o $@ $^ $(call pkg_libs,libzmq jansson)

$(BENCH_DIR)/refload: bench/refload.c $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -Ilib $(PKGCF_PQ) $(LDFLAGS_ALL) -pthread -o $@ $^ $(call pkg_libs,libpq)

$(BENCH_DIR)/parsebench: bench/parsebench.c $(ROWS_A) $(PARSE_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -Iparse -Irows -Ilib $(PKGCF_COMMON) \
	    $(LDFLAGS_ALL) -o $@ $^ $(LIBS_PARSE)

# deps first, then the build in a make that reads the Makefile again
bench:
	@bash deploy/install-deps.sh bench
	@$(MAKE) --no-print-directory all bench-bins
	BENCH_DOCS=$(BENCH_DOCS) PLANQ_BIN=$(abspath $(BINDIR)) \
	  BENCH_BIN=$(abspath $(BENCH_DIR)) bash bench/run.sh

bench-views: all $(BENCH_DIR)/driver
	PLANQ_BIN=$(abspath $(BINDIR)) BENCH_BIN=$(abspath $(BENCH_DIR)) bash bench/views.sh

# ---- the parser's output, byte for byte (tests/unit/test_parse_identity.c)
#   make parse-identity        rewrites tests/fixtures/parse-identity.txt: a
#                              hash of everything the worker stores for each
#                              fixture, sample and fuzz-corpus file, which
#                              `make test` then holds every build to
#   make parse-identity-gen PARSE_IDENTITY_REF=DIR/test_parse_identity
#                              the same over a generated corpus
#                              (bench/gen.py, PARSE_IDENTITY_DOCS documents,
#                              seed PARSE_IDENTITY_SEED), compared with the
#                              lines a reference build prints (e.g. one of
#                              main: git worktree add --detach /tmp/ref main)
PARSE_IDENTITY_DOCS ?= 600
PARSE_IDENTITY_SEED ?= 17
PARSE_IDENTITY_BIN  := $(BUILDDIR)/tests/test_parse_identity

.PHONY: parse-identity parse-identity-gen
parse-identity: $(PARSE_IDENTITY_BIN)
	{ find tests/fixtures/layouts tests/fixtures/parser samples -type f \
	    ! -name '*.json' ! -name '*.ctype' ! -name README.md | \
	    LC_ALL=C sort | $(PARSE_IDENTITY_BIN) --dump && \
	  find tests/fuzz/corpus -type f | LC_ALL=C sort | \
	    $(PARSE_IDENTITY_BIN) --dump --fuzz; } >tests/fixtures/parse-identity.txt.new
	mv tests/fixtures/parse-identity.txt.new tests/fixtures/parse-identity.txt
	@git diff --stat -- tests/fixtures/parse-identity.txt 2>/dev/null || true

parse-identity-gen: $(PARSE_IDENTITY_BIN)
	@test -n "$(PARSE_IDENTITY_REF)" || { echo "set PARSE_IDENTITY_REF"; exit 2; }
	@d=$$(mktemp -d) && \
	  /usr/bin/python3 bench/gen.py --out $$d/c --docs $(PARSE_IDENTITY_DOCS) \
	    --seed $(PARSE_IDENTITY_SEED) --prefix i >/dev/null && \
	  find $$d/c -type f ! -name '*.tsv' | LC_ALL=C sort >$$d/list && \
	  $(PARSE_IDENTITY_REF) --dump <$$d/list >$$d/ref && \
	  $(PARSE_IDENTITY_BIN) --dump <$$d/list >$$d/new && \
	  PARSEDUMP_TREE=1 $(PARSE_IDENTITY_BIN) --dump <$$d/list >$$d/tree && \
	  if cmp -s $$d/ref $$d/new && cmp -s $$d/ref $$d/tree; then \
	    echo "parse-identity-gen: $$(wc -l <$$d/list) generated documents: same bytes"; \
	    rm -rf $$d; \
	  else \
	    echo "parse-identity-gen: outputs differ (kept in $$d):"; \
	    diff $$d/ref $$d/new | head -20; diff $$d/ref $$d/tree | head -20; \
	    exit 1; \
	  fi

bench-callgrind: all $(BENCH_DIR)/driver
	PLANQ_BIN=$(abspath $(BINDIR)) BENCH_BIN=$(abspath $(BENCH_DIR)) bash bench/callgrind.sh
