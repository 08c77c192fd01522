#!/usr/bin/env bash
# Builds the offline JRE base image for Jib (no registry needed) and prints its path, a docker-archive to use as
#   -Dcafe.image.base=tar://$(tests/play/jre-base.sh)
# Usage: jre-base.sh [ARCHIVE]   (ARCHIVE: where to cache it; default below)
# The stand-in for the pinned base (eclipse-temurin:25-jre-noble): Debian bookworm minbase with ca-certificates, from
# the machine's own Debian mirror (debootstrap), and a Temurin 25 runtime at /opt/java/openjdk (JAVA_HOME and PATH as
# in the Temurin images), linked with jlink from the machine's Temurin 25 JDK ($CAFE_TEMURIN_JDK, default
# /usr/lib/jvm/temurin-25-jdk-amd64; Debian bookworm has no JDK 25), with its default CDS archives. Made with
# `podman import`, saved with `podman save --format docker-archive`. Built once per machine: the archive is cached in
# $CAFE_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/cafe-stack); delete it to rebuild.
# Needs root (debootstrap), debootstrap, podman and the Temurin 25 JDK. Everything but the path goes to stderr.
set -euo pipefail

suite=bookworm
packages=ca-certificates
jdk="${CAFE_TEMURIN_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
# The runtime's modules: Java SE and the JDK's runtime modules, as in a JRE (no compiler, no tools).
modules=java.se,jdk.accessibility,jdk.attach,jdk.charsets,jdk.crypto.cryptoki,jdk.crypto.ec,jdk.dynalink,jdk.httpserver,\
jdk.jfr,jdk.jsobject,jdk.localedata,jdk.management,jdk.management.agent,jdk.management.jfr,jdk.naming.dns,\
jdk.naming.rmi,jdk.net,jdk.nio.mapmode,jdk.sctp,jdk.security.auth,jdk.security.jgss,jdk.unsupported,\
jdk.unsupported.desktop,jdk.xml.dom,jdk.zipfs
cache="${CAFE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cafe-stack}"
archive="${1:-$cache/jre-base-$suite-temurin25.tar}"

if [ -s "$archive" ]; then
  echo "$archive"
  exit 0
fi

fail() { echo "jre-base.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "debootstrap needs root: run it as root (sudo $0)"
command -v debootstrap >/dev/null || fail "debootstrap is not installed: apt-get install -y debootstrap"
command -v podman >/dev/null || fail "podman is not installed: apt-get install -y podman runc"
[ -x "$jdk/bin/jlink" ] || fail "no Temurin 25 JDK at $jdk (bin/jlink missing): install one there or set CAFE_TEMURIN_JDK"
"$jdk/bin/java" -version 2>&1 | grep -q 'version "25' \
  || fail "$jdk is not a JDK 25 ($("$jdk/bin/java" -version 2>&1 | head -1)): set CAFE_TEMURIN_JDK to a Temurin 25 JDK"

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
echo "jre-base.sh: jlink a Java runtime from $jdk" >&2
mkdir -p "$work/root/opt/java"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --generate-cds-archive \
  --output "$work/root/opt/java/openjdk" >"$work/jlink.log" 2>&1 \
  || { tail -20 "$work/jlink.log" >&2; fail "jlink failed (log above)"; }
"$work/root/opt/java/openjdk/bin/java" -version >/dev/null 2>&1 || fail "the linked runtime does not run (/opt/java/openjdk/bin/java)"

tar -C "$work/root" --numeric-owner -cf "$work/rootfs.tar" .
podman import -q \
  --change 'ENV JAVA_HOME=/opt/java/openjdk' \
  --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'LABEL org.opencontainers.image.description=cafe-stack offline JRE base: Debian bookworm minbase, Temurin 25 runtime (jlink)' \
  "$work/rootfs.tar" "$image" >/dev/null
mkdir -p "$(dirname "$archive")"
podman save -q --format docker-archive -o "$work/base.tar" "$image"
mv "$work/base.tar" "$archive.tmp.$$" && mv "$archive.tmp.$$" "$archive"
echo "jre-base.sh: cached $archive ($(du -h "$archive" | cut -f1))" >&2
echo "$archive"
