#!/bin/sh
# Builds a base image without a container registry: Debian bookworm (minbase) with Debian's
# OpenJDK 17 runtime, made by debootstrap from the Debian mirror this machine's apt uses, imported
# into podman as localhost/segstream-base:bookworm (about 50 s and 490 MB). Needs root, debootstrap
# and podman. Then: podman build --build-arg BASE=localhost/segstream-base:bookworm ...
set -eu
tag=${1:-localhost/segstream-base:bookworm}
mirror=${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}
root=$(mktemp -d /var/tmp/segstream-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "make-base: debootstrap bookworm from $mirror into $root" >&2
debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm "$root" "$mirror" >&2
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import --change 'ENV LANG=C.UTF-8' - "$tag" >&2
echo "$tag"
