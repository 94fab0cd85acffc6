#!/usr/bin/env bash
# deploy/install-deps.sh [build|run|bench|test|all]: installs the Debian 12
# packages that building, running, benchmarking or testing planq needs, and
# only those that are missing.  `make run` asks for "run", `make bench` for
# "bench", `make test` for "test", `make deps` and .ci/run for "all" (the
# default).  Needs root (or sudo)
# only when something is missing; on a bare machine, git and make are the
# only packages to install by hand before `make run`.
set -euo pipefail

profile=${1:-all}

build=(
	build-essential pkg-config
	libzmq3-dev libczmq-dev libjansson-dev libpq-dev libssl-dev
	libutf8proc-dev libuchardet-dev libxml2-dev
	libsystemd-dev libseccomp-dev libmicrohttpd-dev zlib1g-dev
)
# a private PostgreSQL cluster, psql, the tools deploy/run-local.sh uses
run=(postgresql postgresql-client procps util-linux)
# `make bench`: the corpus generator and the Python peer (bench/peer.py)
bench=(python3 python3-zmq python3-psycopg)
test=(
	# tools the tests use
	psmisc python3 jq curl
	# the Python client and its tests: pyzmq, a real Scrapy crawl, pip
	# into a venv; Prometheus and promtool for the monitoring tests
	python3-zmq python3-scrapy python3-venv python3-pip prometheus
	# the bench's Python peer and its test (test_bench_peer.sh)
	python3-psycopg
	# checks: sanitizers, fuzzing, static analysis
	clang libclang-rt-14-dev cppcheck valgrind
	# packaging: systemd-analyze, man pages, `make deb`, lintian
	systemd man-db groff-base dpkg-dev debhelper dh-python lintian
)

case $profile in
build) packages=("${build[@]}") ;;
run) packages=("${build[@]}" "${run[@]}") ;;
bench) packages=("${build[@]}" "${run[@]}" "${bench[@]}") ;;
test | all) packages=("${build[@]}" "${run[@]}" "${test[@]}") ;;
*) echo "usage: install-deps.sh [build|run|bench|test|all]" >&2; exit 2 ;;
esac

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
	echo "install-deps: these packages are missing and this is not root:" >&2
	echo "  ${missing[*]}" >&2
	echo "as root, run:  apt-get install ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# apt's progress goes to a log; on failure its tail says why
log=$(mktemp "${TMPDIR:-/tmp}/planq-apt.XXXXXX")
if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "install-deps: apt-get install failed (above); fix that and run make again" >&2
	rm -f "$log"
	exit 1
fi
rm -f "$log"
echo "install-deps: done"
# Debian's postgresql package may start a system cluster, and its prometheus
# package a system Prometheus on :9090; planq never uses either (tests and
# `make run` start private clusters, the tests a private Prometheus on a
# random loopback port), so leave them alone.
