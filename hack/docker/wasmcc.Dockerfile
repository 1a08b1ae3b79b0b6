# syntax=docker/dockerfile:1
#
# wasmcc, the contract runtime: a Fabric chaincode-as-a-service server running WebAssembly contracts in wazero
# (runtime/cmd/wasmcc). Pure Go, no cgo, so a static binary on distroless, run as a non-root user. Build from the
# repository root:
#
#   docker build -f hack/docker/wasmcc.Dockerfile --build-arg VERSION=v0.1.0 -t ghcr.io/medledger/wasmcc:v0.1.0 .
#
# The operator runs it with a read-only root file system and these settings from its ConfigMap (see
# operator/internal/hospital, wasmcc.go): CHAINCODE_SERVER_ADDRESS (0.0.0.0:9999), CHAINCODE_ID,
# WASMCC_DEFAULT_GAS, WASMCC_DEFAULT_MEMORY_PAGES and WASMCC_CACHE_DIR (/var/cache/wasmcc, a pod volume).

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY runtime/ runtime/
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/wasmcc ./runtime/cmd/wasmcc

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/wasmcc /wasmcc
USER 65532:65532
EXPOSE 9999
ENTRYPOINT ["/wasmcc"]
