# Sourced by .ci/run: puts the Node.js that docker/Dockerfile's NODE_IMAGE names first on PATH, so CI runs on the
# image's runtime even where the machine's own node is older. The binary is the official one from the npm package
# node-linux-<arch> (nothing is downloaded from anywhere but the npm registry), cached in
# ~/.cache/ots-ci/node-<version> between runs. docker/base-images.sh reads the same line of the Dockerfile.
ci_node_version=$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9.]*\)-.*/\1/p' docker/Dockerfile)
case $(uname -m) in x86_64) ci_node_arch=x64 ;; aarch64) ci_node_arch=arm64 ;; *) ci_node_arch=unsupported ;; esac
ci_node_dir=${XDG_CACHE_HOME:-$HOME/.cache}/ots-ci/node-$ci_node_version
ci_node_install() {
  [[ $ci_node_version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "cannot read NODE_IMAGE=node:X.Y.Z-… from docker/Dockerfile"; return 1; }
  [ "$ci_node_arch" != unsupported ] || { echo "no node-linux-* package for $(uname -m)"; return 1; }
  [ -x "$ci_node_dir/bin/node" ] && return 0
  local tmp; tmp=$(mktemp -d)
  echo "== node-linux-$ci_node_arch@$ci_node_version from the npm registry into $ci_node_dir"
  # Unpacked beside the cache folder and renamed into place, so a killed run never leaves half a binary there.
  (cd "$tmp" && npm pack --silent "node-linux-$ci_node_arch@$ci_node_version" >/dev/null) &&
    mkdir -p "$tmp/node" && tar -xzf "$tmp/node-linux-$ci_node_arch-$ci_node_version.tgz" -C "$tmp/node" \
      --strip-components=1 package/bin/node package/LICENSE &&
    mkdir -p "$(dirname "$ci_node_dir")" && rm -rf "$ci_node_dir" && mv "$tmp/node" "$ci_node_dir"
  local rc=$?
  rm -rf "$tmp"
  return $rc
}
