# The function's image, for OCI Functions (x86 and Arm shapes).
#
# It builds with the classic builder, which is what `fn deploy` runs (a plain `docker build`),
# and with BuildKit / buildx alike: no BuildKit-only syntax (no `# syntax=` directive, no
# `RUN --mount`, no heredocs, no automatic platform ARGs in FROM). internal/deploytest checks it.
#   fn deploy --app <app> --build-arg VERSION=$(git describe --tags --always --dirty) \
#     --build-arg VCS_REVISION=$(git rev-parse HEAD)
#   docker buildx build --platform linux/amd64,linux/arm64 --build-arg VERSION=... \
#     --build-arg VCS_REVISION=... -t <region>.ocir.io/<ns>/admin-apikey-guard:<version> --push .
# GO_VERSION must match the go line of go.mod (internal/deploytest checks it).
ARG GO_VERSION=1.26

# The builder runs on the image's platform: natively with `docker build`, and per --platform
# under buildx (QEMU for the other architecture). FROM --platform=$BUILDPLATFORM would
# cross-compile instead, but the classic builder does not define BUILDPLATFORM and rejects it.
FROM golang:${GO_VERSION} AS build
# BuildKit sets TARGETOS and TARGETARCH for each --platform; the classic builder leaves them
# empty, and an empty GOOS/GOARCH is the build stage's own platform, which is the image's.
ARG TARGETOS
ARG TARGETARCH
# Which build this is (docs/report.md, `version`). .dockerignore keeps .git out of the context, so Go
# cannot stamp the revision into the binary's build info here; these are linked in instead.
ARG VERSION
ARG VCS_REVISION
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath \
    -ldflags="-s -w -X github.com/apikeyguard/admin-apikey-guard/internal/version.stampedVersion=${VERSION} -X github.com/apikeyguard/admin-apikey-guard/internal/version.stampedRevision=${VCS_REVISION}" \
    -o /out/func .

# distroless/static has CA certificates and tzdata, no shell, and a non-root
# user; the binary writes nothing, so a read-only root filesystem works.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/func /func
USER nonroot:nonroot
ENTRYPOINT ["/func"]
