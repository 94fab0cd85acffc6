# mk/lint.mk: static analysis (included by the Makefile).
#   make check   cppcheck over the C sources (rule in the Makefile)
#   make tidy    clang-tidy with the checked-in .clang-tidy over every .c
# Both exit non-zero on any finding; CI runs both.

TIDY_SRC := $(LIB_SRC) $(PARSE_SRC) $(DAEMON_SRC) $(ROWS_SRC) $(WORKER_SRC) $(TOOLS_SRC)
TIDY_FLAGS = $(call once,TIDY_FLAGS,$(CSTD) -DPLANQ_PARSE_INTERNAL -Ilib -Irows -Iworkers -Iparse -Itools \
              $(call pkg_cflags,$(ALL_PKGS) libmicrohttpd libseccomp))

.PHONY: tidy
tidy:
	@rc=0; for f in $(TIDY_SRC); do \
	  clang-tidy --quiet "$$f" -- $(TIDY_FLAGS) 2>/dev/null || rc=1; \
	done; \
	if [ $$rc -ne 0 ]; then echo "clang-tidy: findings above"; exit 1; fi; \
	echo "clang-tidy: clean ($(words $(TIDY_SRC)) files)"
