#!/usr/bin/env bash
# Builds a JRE 17 base image from Debian packages, for machines that reach no image registry
# (tests, air-gapped builds): debootstrap a minimal bookworm, install openjdk-17-jre-headless,
# `docker import` it. Cached by tag: nothing is built when the image is already there.
#
#   docker/local-base.sh [TAG]      prints the tag it made or found
#
# Then build any Switchboard image on it: docker build --build-arg BASE_IMAGE=<tag> ...
# Needs root, debootstrap and a Docker engine. The Debian mirror is debootstrap's default unless
# DEBIAN_MIRROR is set.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# The tag names this script's content: a changed recipe makes a new image.
recipe=$(sha256sum "$here/local-base.sh" | cut -c1-12)
tag=${1:-switchboard-local/jre17:bookworm-$recipe}

if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi

command -v debootstrap >/dev/null || { echo "local-base.sh: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "local-base.sh: debootstrap needs root" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-base.XXXXXX")
root="$work/rootfs"
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "local-base.sh: debootstrap bookworm into $root (a few minutes)" >&2
# shellcheck disable=SC2086 # the mirror is optional: no argument when unset
debootstrap --variant=minbase bookworm "$root" ${DEBIAN_MIRROR:-} >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

# ca-certificates-java runs java in its postinst, which needs /proc.
mount -t proc proc "$root/proc"
chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  openjdk-17-jre-headless >"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; exit 1; }
chroot "$root" apt-get clean
umount "$root/proc"
rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/var/log/*

tar -C "$root" -c . | docker import \
  --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  - "$tag" >/dev/null
echo "$tag"
