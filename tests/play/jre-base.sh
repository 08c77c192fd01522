#!/usr/bin/env bash
# Builds the offline JRE base image for Jib (no registry needed) and prints its path, a docker-archive to use as
#   -Dcafe.image.base=tar://$(tests/play/jre-base.sh)
# Usage: jre-base.sh [ARCHIVE]   (ARCHIVE: where to cache it; default below)
# Debian bookworm, minbase, openjdk-17-jre-headless + ca-certificates, from the machine's own Debian mirror, made with
# debootstrap and `podman import`, saved with `podman save --format docker-archive`. Built once per machine: the
# archive is cached in $CAFE_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/cafe-stack); delete it to rebuild.
# Needs root (debootstrap), debootstrap and podman. Everything but the path goes to stderr.
set -euo pipefail

suite=bookworm
packages=openjdk-17-jre-headless,ca-certificates
cache="${CAFE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cafe-stack}"
archive="${1:-$cache/jre-base-$suite-openjdk17.tar}"

if [ -s "$archive" ]; then
  echo "$archive"
  exit 0
fi

fail() { echo "jre-base.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "debootstrap needs root: run it as root (sudo $0)"
command -v debootstrap >/dev/null || fail "debootstrap is not installed: apt-get install -y debootstrap"
command -v podman >/dev/null || fail "podman is not installed: apt-get install -y podman runc"

# The Debian mirror this machine's apt uses (deb822 or one-line sources), unless CAFE_DEBIAN_MIRROR says otherwise.
mirror="${CAFE_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror=$( { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}';
              grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'; } \
            | grep -E '/debian/?$' | head -1 || true)
fi
mirror="${mirror:-http://deb.debian.org/debian}"

work=$(mktemp -d "${TMPDIR:-/tmp}/cafe-jre-base.XXXXXX")
image="localhost/cafe-jre-base:$suite-$$"
cleanup() { rm -rf "$work"; podman rmi -f "$image" >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "jre-base.sh: debootstrap $suite ($packages) from $mirror (about a minute)" >&2
debootstrap --variant=minbase --include="$packages" "$suite" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed (log above)"; }
# What a runtime image does not need: package caches and lists, docs, man pages.
rm -rf "$work"/root/var/cache/apt/archives/*.deb "$work"/root/var/lib/apt/lists/* \
       "$work"/root/usr/share/doc/* "$work"/root/usr/share/man/*
"$work/root/usr/bin/java" -version >/dev/null 2>&1 || [ -L "$work/root/usr/bin/java" ] \
  || fail "no java in the image (/usr/bin/java missing)"

tar -C "$work/root" --numeric-owner -cf "$work/rootfs.tar" .
podman import -q \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'LABEL org.opencontainers.image.description=cafe-stack offline JRE base: Debian bookworm minbase, openjdk-17-jre-headless' \
  "$work/rootfs.tar" "$image" >/dev/null
mkdir -p "$(dirname "$archive")"
podman save -q --format docker-archive -o "$work/base.tar" "$image"
mv "$work/base.tar" "$archive.tmp.$$" && mv "$archive.tmp.$$" "$archive"
echo "jre-base.sh: cached $archive ($(du -h "$archive" | cut -f1))" >&2
echo "$archive"
