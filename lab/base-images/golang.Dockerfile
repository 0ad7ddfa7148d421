# Stand-in for docker.io/library/golang:<minor>-bookworm, FOR TESTS IN THE LAB ONLY: a Debian
# minbase root filesystem with git and ca-certificates (as the official image has) and the pinned Go
# toolchain from the Go module proxy (module golang.org/toolchain), laid out like the official image.
# No C compiler: Go then builds with CGO disabled, which is what a static RIE build wants anyway.
# Built by lab/base-images.sh; the context holds <arch>/rootfs.tar and <arch>/go/.
FROM scratch
ARG TARGETARCH
ARG GOLANG_VERSION
ADD ${TARGETARCH}/rootfs.tar /
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates git netbase \
  && rm -rf /var/lib/apt/lists/*
COPY ${TARGETARCH}/go /usr/local/go
ENV GOLANG_VERSION=${GOLANG_VERSION}
ENV GOTOOLCHAIN=local
ENV GOPATH=/go
ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p "$GOPATH/src" "$GOPATH/bin" && chmod -R 1777 "$GOPATH" \
  && test "$(go env GOVERSION)" = "go${GOLANG_VERSION}"
WORKDIR /go
