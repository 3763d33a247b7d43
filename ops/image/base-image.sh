#!/usr/bin/env bash
# usage: ops/image/base-image.sh OUT.tar
# The image's local base: a minimal Debian 12 (bookworm) with openjdk-17-jre-headless from Debian's packages, packed as
# a `docker save` tarball that Jib takes as its base (`tar://OUT.tar`). For building the image where no registry can be
# reached (this project's CI); operators build on eclipse-temurin:17-jre or their own JRE 17 base instead
# (docs/deployment.md). Needs root (mmdebstrap, installed from Debian if missing); does nothing when OUT.tar exists;
# prints one line and exits 0 when not root (the image is then skipped, and its test says so).
set -euo pipefail
out="$1"
if [ -s "$out" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "base-image.sh: the local base image (Debian 12 + OpenJDK 17 JRE) is built with mmdebstrap, which needs root;" \
       "skipping the image. Build it as root once, or use a registry base: -Dimage.base=eclipse-temurin:17-jre" >&2
  exit 0
fi
if ! command -v mmdebstrap >/dev/null; then
  echo "base-image.sh: installing mmdebstrap (Debian package)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null; }
fi
mkdir -p "$(dirname "$out")"
work="$(mktemp -d "$(dirname "$out")/base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "base-image.sh: building the local base image (Debian 12 + openjdk-17-jre-headless; a few minutes, once) -> $out" >&2
# man1 must exist: the JRE's postinst registers man page alternatives (the pages themselves are left out).
# Debian's own mirrors (the one OS package registry the project relies on)
mmdebstrap --mode=root --variant=minbase --include=openjdk-17-jre-headless,ca-certificates --format=tar \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --essential-hook='mkdir -p "$1"/usr/share/man/man1' \
  --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
  bookworm "$work/layer.tar" "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" "deb http://deb.debian.org/debian-security bookworm-security main" \
  </dev/null >"$work/mmdebstrap.log" 2>&1 \
  || { tail -20 "$work/mmdebstrap.log" >&2; echo "base-image.sh: mmdebstrap failed" >&2; exit 1; }
# `docker save` layout: one layer, its config (diff_id = sha256 of the uncompressed layer), manifest.json
diff_id="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
java_home="/usr/lib/jvm/java-17-openjdk-amd64"
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"$created",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$java_home","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"$created","created_by":"ops/image/base-image.sh: mmdebstrap bookworm minbase + openjdk-17-jre-headless"}]}
JSON
config_id="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
mv "$work/config.json" "$work/$config_id.json"
echo "[{\"Config\":\"$config_id.json\",\"RepoTags\":[\"ipdr-collector-base:debian12-openjdk17-jre\"],\"Layers\":[\"layer.tar\"]}]" \
  > "$work/manifest.json"
tar -C "$work" -cf "$work/image.tar" manifest.json "$config_id.json" layer.tar
mv "$work/image.tar" "$out"
echo "base-image.sh: $(du -h "$out" | cut -f1) $out" >&2
