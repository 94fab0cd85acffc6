# mk/chaos.mk: the seeded fault campaign (included by the Makefile).
#
#   make chaos                      180 s of faults, a seed drawn and printed
#   make chaos CHAOS_SECONDS=1800 CHAOS_SEED=4242    a given run, replayed
#   make chaos CHAOS_FAILOVER=1     the database is a primary with a
#                                   synchronous standby, and failovers are
#                                   among the faults
#
# tests/chaos/chaos.sh runs it against a private PostgreSQL and the
# binaries of $(BINDIR) (`make chaos BUILD=asan` for the sanitizer build);
# the run's logs are kept in build/chaos/seed-SEED/.  It needs root only to
# mount a tmpfs for the spool (else a full spool is RLIMIT_FSIZE on planqd)
# and Debian's python3-zmq for the sender (deploy/install-deps.sh test).

CHAOS_SECONDS ?= 180

.PHONY: chaos
chaos:
	@bash deploy/install-deps.sh test
	@$(MAKE) --no-print-directory all $(TTOOL_BINS)
	$(TEST_ENV) CHAOS_SECONDS=$(CHAOS_SECONDS) \
	    $(if $(CHAOS_SEED),CHAOS_SEED=$(CHAOS_SEED)) \
	    $(if $(CHAOS_MEAN_GAP),CHAOS_MEAN_GAP=$(CHAOS_MEAN_GAP)) \
	    $(if $(CHAOS_RATE),CHAOS_RATE=$(CHAOS_RATE)) \
	    $(if $(CHAOS_FULL),CHAOS_FULL=$(CHAOS_FULL)) \
	    $(if $(CHAOS_FAILOVER),CHAOS_FAILOVER=$(CHAOS_FAILOVER)) \
	    bash tests/chaos/chaos.sh
