# mk/fresh.mk: `make fresh-test`: the README's two commands as a newcomer
# runs them, in a brand-new Debian 12 root (debootstrap minbase) with only
# git and make, on a clone of HEAD with no ../shared beside it
# (tests/fresh/fresh-debian.sh, tests/fresh/newcomer.sh).  Needs root.
# Commit first: uncommitted changes are not in the clone.

.PHONY: fresh-test
fresh-test:
	bash tests/fresh/fresh-debian.sh
