# mk/sql.mk: embeds sql/*.sql into bin/planq (generated C source, built
# under $(BUILDDIR)/gen) so `planq db migrate` works from any directory.

SQL_FILES := $(sort $(wildcard sql/[0-9][0-9][0-9]_*.sql)) $(wildcard sql/roles.sql)
SQL_GEN_C := $(BUILDDIR)/gen/sql_embedded.c
SQL_GEN_O := $(BUILDDIR)/gen/sql_embedded.o

$(SQL_GEN_C): $(SQL_FILES) mk/embed-sql.sh mk/sql.mk
	@mkdir -p $(dir $@)
	sh mk/embed-sql.sh $(SQL_FILES) > $@.tmp && mv $@.tmp $@

$(SQL_GEN_O): $(SQL_GEN_C) tools/sql_embedded.h
	$(CC) $(CFLAGS_BASE) $(LAYER_TOOLS) -c $< -o $@

$(BINDIR)/planq: $(SQL_GEN_O)
