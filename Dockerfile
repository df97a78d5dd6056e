# syntax=docker/dockerfile:1
# Three stages (cargo-chef): dependencies are cached in their own layer; the runtime image is
# distroless, non-root, with no shell. rustls and bundled SQLite: no OpenSSL or libsqlite3 needed.
# The migrations (sqlx::migrate!) and the locales (fluent-templates static_loader!) are compiled
# into the binary, so the runtime stage copies the binary alone. tests/it/deploy.rs checks this
# file; `hadolint Dockerfile` lints it.

FROM rust:1.95-bookworm AS chef
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /app

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /app/recipe.json recipe.json
RUN cargo chef cook --release --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked --bin telepay && mkdir -p /data

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /app/target/release/telepay /app/telepay
# The SQLite file lives on a volume owned by the non-root user (uid 65532).
COPY --from=builder --chown=65532:65532 /data /data
WORKDIR /data
ENV DATABASE_URL=sqlite:///data/telepay.db \
    HTTP_ADDR=0.0.0.0:8080 \
    LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
# Numeric, so a runtime that enforces "run as non-root" can verify it without /etc/passwd.
USER 65532:65532
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/app/telepay", "healthcheck"]
ENTRYPOINT ["/app/telepay"]
CMD ["serve"]
