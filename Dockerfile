# syntax=docker/dockerfile:1
# One image for chat-api, chat-gateway and chatctl (docker-compose.yml picks the command).
# Build stage: Swift 6.3 on Debian 12 with libpq's headers; the Swift runtime is linked
# statically so the runtime stage needs only libpq, the C++ runtime and the CA/tz data.
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifest names the test targets too, so their folders must exist for it to load.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
# One product per `swift build` (it builds only the last `--product` it is given); the three
# share every compiled module.
RUN for product in chat-api chat-gateway chatctl; do \
        swift build -c release --static-swift-stdlib --product "$product" || exit 1; \
    done \
    && bin="$(swift build -c release --show-bin-path)" \
    && mkdir -p /staging \
    && cp "$bin/chat-api" "$bin/chat-gateway" "$bin/chatctl" /staging/ \
    && find "$bin" -maxdepth 1 -name '*.resources' -exec cp -R {} /staging/ \;

FROM ${RUNTIME_IMAGE}
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends libpq5 libstdc++6 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --home-dir /app --shell /usr/sbin/nologin chat
WORKDIR /app
# The binaries with the chat-api resource bundle beside them (where Bundle.module looks),
# and the migrations chatctl applies.
COPY --from=build /staging/ /app/
COPY sql /app/sql
ENV PATH=/app:$PATH \
    CHAT_SQL_DIR=/app/sql \
    BIND_HOST=0.0.0.0 \
    API_PORT=8080 \
    GATEWAY_PORT=8081
USER chat
EXPOSE 8080 8081
# SIGTERM: each service stops accepting, finishes in-flight work and exits within 10 s.
STOPSIGNAL SIGTERM
CMD ["chat-api"]
