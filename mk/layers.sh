#!/bin/sh
# mk/layers.sh: the layering rules that include paths cannot enforce (run by
# `make check`).  The Makefile gives each part only the include paths it may
# use; this catches the two ways around that: a relative "../" include, and
# a library header that lives in /usr/include itself (zmq.h, czmq.h), which
# every compiler finds without a path.  Prints each offending line; exits 1
# if there is any.
cd "$(dirname "$0")/.." || exit 2
rc=0

# forbid DIRS REGEX WHY: no source under DIRS may have a line matching REGEX
forbid() {
	dirs=$1 regex=$2 why=$3
	hits=$(grep -nE "$regex" $(find $dirs -name '*.[ch]' | sort) 2>/dev/null)
	if [ -n "$hits" ]; then
		printf '%s\n' "$hits" | sed "s|\$|    <- $why|"
		rc=1
	fi
}

forbid "lib parse daemon rows workers tools bench" '^[[:space:]]*#[[:space:]]*include[[:space:]]*"\.\./' \
	'relative include: use the include paths the Makefile gives this part'
forbid "lib parse" '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(c?zmq|libpq-fe|microhttpd)\.h>' \
	'lib/ and parse/ talk to no socket and no database'
forbid "daemon" '^[[:space:]]*#[[:space:]]*include[[:space:]]*(<libpq-fe\.h>|"parse\.h")' \
	'planqd links neither libpq nor the parser'

[ $rc -eq 0 ] && echo "layers: clean"
exit $rc
