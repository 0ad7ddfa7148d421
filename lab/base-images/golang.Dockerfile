# Stand-in for docker.io/library/golang:<version>-<suite>, FOR TESTS IN THE LAB ONLY: a Debian
# minbase root filesystem with ca-certificates, git and netbase (rootfs.sh's scm variant, as the
# official image has them) and the pinned Go toolchain from the Go module proxy (module
# golang.org/toolchain), laid out like the official image. No C compiler: Go then builds with CGO
# disabled, which is what a static RIE build wants anyway.
# Built by lab/base-images.sh (reproducibly: SOURCE_DATE_EPOCH, rewrite-timestamp); the context
# holds <arch>/rootfs.tar and <arch>/go/.
FROM scratch
ARG TARGETARCH
ARG GOLANG_VERSION
ADD ${TARGETARCH}/rootfs.tar /
COPY ${TARGETARCH}/go /usr/local/go
ENV GOLANG_VERSION=${GOLANG_VERSION}
ENV GOTOOLCHAIN=local
ENV GOPATH=/go
ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p "$GOPATH/src" "$GOPATH/bin" && chmod -R 1777 "$GOPATH" \
  && test "$(go env GOVERSION)" = "go${GOLANG_VERSION}"
WORKDIR /go
