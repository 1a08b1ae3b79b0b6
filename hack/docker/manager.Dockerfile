# syntax=docker/dockerfile:1
#
# The medledger operator (operator/cmd/manager): a static Go binary on distroless, run as a non-root user.
# Build from the repository root (no Docker daemon runs on the development machines, so CI or a release machine
# builds it):
#
#   docker build -f hack/docker/manager.Dockerfile --build-arg VERSION=v0.1.0 -t ghcr.io/medledger/manager:v0.1.0 .
#
# VERSION becomes the manager's version and the tag of its default wasmcc image (--wasmcc-image).

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# Modules first, so that source changes reuse the download layer.
COPY go.mod go.sum ./
RUN go mod download
COPY operator/ operator/
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/manager ./operator/cmd/manager

# distroless/static has no shell or package manager; "nonroot" is UID/GID 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/manager /manager
USER 65532:65532
ENTRYPOINT ["/manager"]
