# mk/bench.mk: `make bench` (bench/run.sh): planq's acknowledged throughput,
# latency, CPU and memory against PostgreSQL's own loading methods (COPY,
# INSERTs, pipelined INSERTs: bench/refload) on the same rows, and a Python
# peer (bench/peer.py) on the same corpus (bench/RESULTS.md).  Installs what
# it needs first (deploy/install-deps.sh bench).
#   make bench                 5,000 documents
#   make bench BENCH_DOCS=20000
#   make bench-views           only the views phase (bench/views.sh): a full
#                              read of every view at BENCH_VIEW_DOCS (20,000)

BENCH_DIR  := $(BUILDDIR)/bench
BENCH_BINS := $(BENCH_DIR)/driver $(BENCH_DIR)/parsebench $(BENCH_DIR)/refload
BENCH_DOCS ?= 5000

.PHONY: bench bench-bins bench-views
bench-bins: $(BENCH_BINS)

$(BENCH_DIR)/driver: bench/driver.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(PKGCF_ZMQ) $(PKGCF_COMMON) $(LDFLAGS_ALL) -o $@ $< $(call pkg_libs,libzmq jansson)

$(BENCH_DIR)/refload: bench/refload.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(PKGCF_PQ) $(LDFLAGS_ALL) -pthread -o $@ $< $(call pkg_libs,libpq)

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
