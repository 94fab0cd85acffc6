# mk/install.mk: `make install` and `make deb` (included by the Makefile).
#
#   make install [PREFIX=/usr/local] [DESTDIR=…]   binaries, man pages, the
#       systemd unit, sysusers.d and tmpfiles.d entries, sql/ (migrations,
#       functions/, views/, repeatable.list, roles.sql) and
#       setup-database.sh under share/planq, docs and the example config
#   make install-python [PREFIX=…] [DESTDIR=…]   the Python client
#       planq_client into $(pythondir) (PREFIX/lib/python3/dist-packages,
#       Debian's directory for modules of every python3 version)
#   make uninstall [PREFIX=…] [DESTDIR=…]
#   make deb        dpkg-buildpackage -us -uc -b in a scratch copy of the
#                   tree; the .deb lands in build/deb/
#
# All three programs go to $(bindir): planqd finds planq-worker next to
# itself.  The unit's ExecStart= is rewritten to $(bindir)/planqd.

PREFIX         ?= /usr/local
DESTDIR        ?=
bindir         ?= $(PREFIX)/bin
datadir        ?= $(PREFIX)/share
mandir         ?= $(datadir)/man
docdir         ?= $(datadir)/doc/planq
sqldir         ?= $(datadir)/planq/sql
systemdunitdir ?= $(PREFIX)/lib/systemd/system
sysusersdir    ?= $(PREFIX)/lib/sysusers.d
tmpfilesdir    ?= $(PREFIX)/lib/tmpfiles.d
pythondir      ?= $(PREFIX)/lib/python3/dist-packages
INSTALL        ?= install

DOC_FILES := README.md $(wildcard docs/*.md) deploy/planqd.conf.example
SQL_INST  := $(wildcard sql/*.sql) sql/repeatable.list
SQL_FUNCS := $(wildcard sql/functions/*.sql)
SQL_VIEWS := $(wildcard sql/views/*.sql)
PY_INST   := $(wildcard clients/python/planq_client/*.py) \
             clients/python/planq_client/py.typed

.PHONY: install install-python uninstall deb

install: all
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1 \
	    $(DESTDIR)$(mandir)/man5 $(DESTDIR)$(mandir)/man8 \
	    $(DESTDIR)$(docdir) $(DESTDIR)$(sqldir) \
	    $(DESTDIR)$(sqldir)/functions $(DESTDIR)$(sqldir)/views \
	    $(DESTDIR)$(systemdunitdir) $(DESTDIR)$(sysusersdir) \
	    $(DESTDIR)$(tmpfilesdir)
	$(INSTALL) -m 0755 $(BINS) $(DESTDIR)$(bindir)/
	$(INSTALL) -m 0644 docs/man/planq.1 $(DESTDIR)$(mandir)/man1/
	$(INSTALL) -m 0644 docs/man/planqd.conf.5 $(DESTDIR)$(mandir)/man5/
	$(INSTALL) -m 0644 docs/man/planqd.8 docs/man/planq-worker.8 \
	    $(DESTDIR)$(mandir)/man8/
	$(INSTALL) -m 0644 $(SQL_INST) $(DESTDIR)$(sqldir)/
	$(INSTALL) -m 0644 $(SQL_FUNCS) $(DESTDIR)$(sqldir)/functions/
	$(INSTALL) -m 0644 $(SQL_VIEWS) $(DESTDIR)$(sqldir)/views/
	$(INSTALL) -m 0755 deploy/setup-database.sh $(DESTDIR)$(datadir)/planq/
	$(INSTALL) -m 0644 $(DOC_FILES) $(DESTDIR)$(docdir)/
	sed -e 's|/usr/bin/planqd|$(bindir)/planqd|g' \
	    -e 's|/usr/share/doc/planq/|$(docdir)/|g' \
	    systemd/planqd.service >$(DESTDIR)$(systemdunitdir)/planqd.service
	chmod 0644 $(DESTDIR)$(systemdunitdir)/planqd.service
	$(INSTALL) -m 0644 systemd/planq.sysusers \
	    $(DESTDIR)$(sysusersdir)/planq.conf
	$(INSTALL) -m 0644 systemd/planq.tmpfiles \
	    $(DESTDIR)$(tmpfilesdir)/planq.conf

install-python:
	$(INSTALL) -d $(DESTDIR)$(pythondir)/planq_client
	$(INSTALL) -m 0644 $(PY_INST) $(DESTDIR)$(pythondir)/planq_client/

uninstall:
	rm -rf $(DESTDIR)$(pythondir)/planq_client
	rm -f $(addprefix $(DESTDIR)$(bindir)/,planqd planq-worker planq)
	rm -f $(DESTDIR)$(mandir)/man1/planq.1 \
	    $(DESTDIR)$(mandir)/man5/planqd.conf.5 \
	    $(DESTDIR)$(mandir)/man8/planqd.8 \
	    $(DESTDIR)$(mandir)/man8/planq-worker.8
	rm -f $(DESTDIR)$(systemdunitdir)/planqd.service \
	    $(DESTDIR)$(sysusersdir)/planq.conf $(DESTDIR)$(tmpfilesdir)/planq.conf
	rm -rf $(DESTDIR)$(sqldir) $(DESTDIR)$(docdir)
	rm -f $(DESTDIR)$(datadir)/planq/setup-database.sh
	-rmdir $(DESTDIR)$(datadir)/planq 2>/dev/null

# ---- Debian package ----------------------------------------------------
# Built in build/deb/src (a copy without build/, bin/, var/, .git) so the
# shared tree never gets debian/planq/, debian/files or ../*.deb.
DEB_OUT := build/deb
DEB_SRC := $(DEB_OUT)/src/planq

deb:
	rm -rf $(DEB_OUT)/src
	mkdir -p $(DEB_SRC)
	tar -cf - --exclude=./build --exclude=./bin --exclude=./var \
	    --exclude=./.git . | \
	    tar -xf - -C $(DEB_SRC)
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	rm -f $(DEB_OUT)/*.deb
	mv $(DEB_OUT)/src/*.deb $(DEB_OUT)/
	@ls -l $(DEB_OUT)/*.deb
