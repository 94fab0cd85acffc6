#!/usr/bin/env bash
# tests/fresh/fresh-debian.sh [REPO [REV]]: the README's two commands on a
# bare machine.  Builds (once, cached) a minimal Debian 12 root with
# debootstrap, copies it, mounts /proc /sys /dev /dev/pts and a tmpfs
# /dev/shm, installs only git and make, clones REV of REPO (default: this
# checkout's HEAD; uncommitted changes are not part of it) with no ../shared
# beside it, and runs tests/fresh/newcomer.sh there as root, the way a new
# user would.  Every mount and every process in the root is cleaned up on
# every exit path; on failure the log's tail is printed.
#   FRESH_CACHE=/var/tmp/planq-fresh   where the cached base root lives
#   FRESH_MIRROR=http://deb.debian.org/debian
#   FRESH_KEEP_LOG=1                   keep the log (its path is printed)
# Needs root (chroot, mount) and debootstrap (installed if missing).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=${1:-$(git -C "$here" rev-parse --show-toplevel)}
rev=${2:-$(git -C "$repo" rev-parse HEAD)}
cache=${FRESH_CACHE:-/var/tmp/planq-fresh}
mirror=${FRESH_MIRROR:-http://deb.debian.org/debian}
base=$cache/base
root=
log=

say() { printf 'fresh: %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
	say "needs root (debootstrap, chroot and mount); try: sudo make fresh-test"
	exit 2
fi

# every process whose root is the chroot, then the mounts, then the files
cleanup() {
	local rc=$? pid left
	trap - EXIT INT TERM HUP
	if [ -n "$root" ] && [ -d "$root" ]; then
		for _ in 1 2 3 4 5; do
			left=
			for pid in $(ls /proc | grep -E '^[0-9]+$'); do
				if [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ]; then
					kill -9 "$pid" 2>/dev/null && left=1
				fi
			done
			[ -z "$left" ] && break
			sleep 0.5
		done
		for m in dev/shm dev/pts dev sys proc; do
			if mountpoint -q "$root/$m"; then
				umount "$root/$m" 2>/dev/null || umount -l "$root/$m"
			fi
		done
		if grep -q " $root/" /proc/mounts; then
			say "mounts under $root remain; not removing it"
		else
			rm -rf --one-file-system "$root"
		fi
	fi
	if [ "$rc" != 0 ] && [ -n "$log" ] && [ -f "$log" ]; then
		say "FAILED (exit $rc); last 80 lines of $log:"
		tail -n 80 "$log" >&2
	fi
	[ -n "$log" ] && [ -z "${FRESH_KEEP_LOG:-}" ] && [ "$rc" = 0 ] && rm -f "$log"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if ! command -v debootstrap >/dev/null; then
	say "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
		{ say "cannot install debootstrap"; exit 2; }
fi

# the base root: debootstrap once, kept until FRESH_CACHE is removed
if [ ! -f "$base/.planq-complete" ]; then
	say "debootstrap --variant=minbase bookworm into $base (once)"
	rm -rf "$base"
	mkdir -p "$base"
	if ! debootstrap --variant=minbase bookworm "$base" "$mirror" \
		>"$cache/debootstrap.log" 2>&1; then
		tail -n 20 "$cache/debootstrap.log" >&2
		say "debootstrap failed"
		exit 2
	fi
	touch "$base/.planq-complete"
fi

mkdir -p "$cache"
root=$(mktemp -d "$cache/run.XXXXXX")
log=$(mktemp /tmp/planq-fresh.XXXXXX.log)
say "root $root, log $log"
cp -a "$base/." "$root/"
rm -f "$root/.planq-complete"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# as in any chroot: packages must not start system services here
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

# the clone: the commit under test, nothing beside it
mkdir -p "$root/home/newcomer"
git clone -q --no-local "$repo" "$root/home/newcomer/planq" &&
	git -C "$root/home/newcomer/planq" checkout -q "$rev" ||
	{ say "cannot clone $repo at $rev"; exit 2; }
say "testing $(git -C "$root/home/newcomer/planq" log -1 --format='%h %s')"
cp "$here/newcomer.sh" "$root/newcomer.sh"

start=$SECONDS
chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	/bin/bash -c 'export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq && apt-get install -y -qq git make >/dev/null &&
		cd /home/newcomer/planq && exec bash /newcomer.sh' >"$log" 2>&1
rc=$?
grep -E '^(NEWCOMER|== )' "$log" >&2
say "newcomer script exit $rc after $((SECONDS - start)) s"
exit "$rc"
