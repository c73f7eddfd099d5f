# syntax=docker/dockerfile:1
# Multi-arch image for OCI Functions (x86 and Arm shapes). Build elsewhere with:
#   docker buildx build --platform linux/amd64,linux/arm64 -t <region>.ocir.io/<ns>/admin-apikey-guard:0.1.0 --push .
# GO_VERSION must match the go line of go.mod (internal/deploytest checks it).
ARG GO_VERSION=1.26

# The builder runs natively and cross-compiles, which is fast and needs no emulation.
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/func .

# distroless/static has CA certificates and tzdata, no shell, and a non-root
# user; the binary writes nothing, so a read-only root filesystem works.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/func /func
USER nonroot:nonroot
ENTRYPOINT ["/func"]
