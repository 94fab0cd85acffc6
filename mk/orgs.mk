# mk/orgs.mk: the parser's table of Osaka City's organisations, generated
# from parse/orgs.tsv (the one reference list; mk/orgs-table.sh) under
# $(BUILDDIR)/gen and archived into the parser library.

ORGS_GEN_C := $(BUILDDIR)/gen/parse_orgs.c
ORGS_GEN_O := $(BUILDDIR)/gen/parse_orgs.o

%/gen/parse_orgs.c: parse/orgs.tsv mk/orgs-table.sh
	@mkdir -p $(dir $@)
	sh mk/orgs-table.sh parse/orgs.tsv > $@.tmp && mv $@.tmp $@

$(ORGS_GEN_O): $(ORGS_GEN_C)
	$(CC) $(CFLAGS_BASE) $(LAYER_PARSE) -MMD -MP -c $< -o $@

$(PARSE_A): $(ORGS_GEN_O)
