# mk/sql.mk: embeds the SQL files of sql/ into bin/planq (generated C
# source, built under $(BUILDDIR)/gen) so `planq db migrate` works from any
# directory: the numbered migrations, the repeatable functions and views in
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
	$(CC) $(CFLAGS_ALL) -Itools -c $< -o $@

$(BINDIR)/planq: $(SQL_GEN_O)
