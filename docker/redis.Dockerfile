# The stand-in for the official redis image, built by docker/base-images.sh on the Debian image that script makes:
# Debian's redis-server (and redis-cli), run as the unprivileged redis user from /data, the volume's mount point.
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && mkdir /data && chown redis:redis /data \
 && redis-server --version
WORKDIR /data
USER redis
EXPOSE 6379
# Protected mode off, as in the official image: only the networks it is put on reach it.
CMD ["redis-server", "--protected-mode", "no"]
