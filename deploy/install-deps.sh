#!/usr/bin/env bash
# deploy/install-deps.sh: installs the Debian 12 packages that building,
# running and testing planq need, and only those that are missing.
# Used by `make run`, `make test` and .ci/run.  Needs root (or sudo) only
# when something is missing.
set -euo pipefail

packages=(
	# build
	build-essential pkg-config
	libzmq3-dev libczmq-dev libjansson-dev libpq-dev libssl-dev
	libutf8proc-dev libuchardet-dev libxml2-dev
	libsystemd-dev libseccomp-dev libmicrohttpd-dev zlib1g-dev
	# run and test: a private PostgreSQL cluster, psql, tools the tests use
	postgresql postgresql-client procps psmisc python3 jq curl
	# checks: sanitizers, fuzzing, static analysis
	clang libclang-rt-14-dev cppcheck valgrind
	# packaging: systemd-analyze, man pages, `make deb`, lintian
	systemd man-db groff-base dpkg-dev debhelper lintian
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" = 0 ]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1; then
	sudo=(sudo)
else
	echo "install-deps: missing packages and no root: run as root:" >&2
	echo "  apt-get install ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql package may start a system cluster; planq never uses
# it (tests and `make run` start private clusters), so leave it alone.
