# mk/sql.mk: embeds the SQL files of sql/ into bin/planq (generated C
# source, built under $(BUILDDIR)/gen) so `planq db migrate` works from any
# directory: the baseline, the numbered migrations, the repeatable functions and views in
# the order of sql/repeatable.list (mk/sql-files.sh), and roles.sql.

SQL_FILES := $(wildcard sql/*.sql sql/functions/*.sql sql/views/*.sql) \
	     sql/repeatable.list
SQL_GEN_C := $(BUILDDIR)/gen/sql_embedded.c
SQL_GEN_O := $(BUILDDIR)/gen/sql_embedded.o

$(SQL_GEN_C): $(SQL_FILES) mk/sql-files.sh mk/embed-sql.sh mk/sql.mk
	@mkdir -p $(dir $@)
	files=$$(sh mk/sql-files.sh sql) && \
	  sh mk/embed-sql.sh $$files > $@.tmp && mv $@.tmp $@

$(SQL_GEN_O): $(SQL_GEN_C) tools/sql_embedded.h
	$(CC) $(CFLAGS_BASE) $(LAYER_TOOLS) -c $< -o $@

$(BINDIR)/planq: $(SQL_GEN_O)

# tests/tools/migrate_files: the same engine as `planq db migrate` over SQL
# files named on its command line (tests/integration/test_sql_repeatable.sh)
MIGRATE_OBJS := $(call obj,tools/migrate.c tools/migrate_repeat.c \
		tools/migrate_step.c tools/dbconn.c)
$(BUILDDIR)/tests/tools/migrate_files: $(call obj,tests/tools/migrate_files.c) \
		$(MIGRATE_OBJS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_TOOLS)
