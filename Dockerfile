# syntax=docker/dockerfile:1
#
# perimeterd in a small Debian image.
#
#   docker build -t perimeter .
#   docker run -p 127.0.0.1:8080:8080 -v perimeter-data:/var/lib/perimeter perimeter
#
# On first start perimeterd writes the admin token to stderr, so `docker logs` shows it once.

# swift:6.3-bookworm is an official Swift image (Docker Official Images, built from
# github.com/swiftlang/swift-docker): the Swift 6.3 toolchain on Debian 12, the release the
# runtime stage uses, so the C libraries linked here are the ones found there.
FROM swift:6.3-bookworm AS build

RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libsqlite3-dev libssl-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# The manifest declares the test targets, so their folders must exist even though only perimeterd is built.
# The migrations are compiled into the binary (Sources/Storage/EmbeddedMigrations.swift).
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests

# --static-swift-stdlib links the Swift runtime, Foundation and Dispatch into the binary, so the
# runtime image needs no Swift toolchain libraries and cannot pick up mismatched ones. The binary
# still loads libc, libm, libstdc++ and libgcc_s, which debian:bookworm-slim already contains, and
# libsqlite3 and libcrypto, installed below.
RUN swift build -c release --product perimeterd --static-swift-stdlib \
    && install -D -m 0755 "$(swift build -c release --product perimeterd --static-swift-stdlib --show-bin-path)/perimeterd" \
        /out/perimeterd

FROM debian:bookworm-slim

# curl is only for the health check.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libsqlite3-0 libssl3 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

# A fixed uid and gid, so that a bind-mounted data directory can be given to this user on the host
# (chown 10001:10001).
RUN groupadd --system --gid 10001 perimeter \
    && useradd --system --uid 10001 --gid perimeter --home-dir /var/lib/perimeter --no-create-home \
        --shell /usr/sbin/nologin perimeter \
    && install -d -o perimeter -g perimeter -m 0700 /var/lib/perimeter

COPY --from=build /out/perimeterd /usr/local/bin/perimeterd

# The database, and by default the master key file perimeter.master-key beside it. A copy of this
# volume can therefore open every sealed signing key. To keep the key elsewhere, set
# PERIMETER_MASTER_KEY_FILE to a file mounted from a secret store.
VOLUME /var/lib/perimeter
WORKDIR /var/lib/perimeter
ENV PERIMETER_DB=/var/lib/perimeter/perimeter.db \
    PERIMETER_LISTEN=0.0.0.0:8080
EXPOSE 8080
USER 10001:10001

# /healthz needs no token. The check assumes port 8080; change it if PERIMETER_LISTEN changes.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:8080/healthz || exit 1

ENTRYPOINT ["perimeterd"]
