# medledger — `make help` lists the targets.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
BIN       := $(CURDIR)/bin
TOOLS     := $(BIN)/tools
GOTEST    ?= $(GO) test
TESTFLAGS ?= -count=1 -timeout=40m
FUZZTIME  ?= 10s

##@ Everyday

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_-]+:.*?##/ { printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

.PHONY: test
test: tools-fabric tools-k8s vet ## Everything a contributor must run: go vet, unit, envtest and real-Fabric tests, bounded fuzzing.
	$(GOTEST) $(TESTFLAGS) ./...
	@$(MAKE) --no-print-directory fuzz

.PHONY: build
build: ## Build the medledger binaries into bin/.
	$(GO) build -o $(BIN)/ ./operator/cmd/... ./runtime/cmd/...

.PHONY: plugins
plugins: ## Build every contract under plugins/ to bin/plugins/<name>.wasm (skips up-to-date ones).
	@hack/build-plugins.sh

.PHONY: vet
vet: ## go vet every package.
	$(GO) vet ./...

.PHONY: lint
lint: tools-dev ## golangci-lint with .golangci.yml (contracts are linted as the wasip1 programs they are).
	$(TOOLS)/golangci-lint run ./operator/... ./runtime/...
	GOOS=wasip1 GOARCH=wasm $(TOOLS)/golangci-lint run ./plugins/...

.PHONY: fuzz
fuzz: ## Run each fuzz target for FUZZTIME (default 10s).
	@hack/fuzz.sh $(FUZZTIME)

.PHONY: bench
bench: ## Run the benchmarks (compare runs with bin/tools/benchstat).
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./runtime/... | tee $(BIN)/bench.txt
	@echo "saved bin/bench.txt; compare two runs with: bin/tools/benchstat old.txt bin/bench.txt"

.PHONY: devnet
devnet: tools-fabric ## Run a local Fabric network of hospitals (no cluster, no Docker) and the health-contract demo.
	$(GO) build -o $(BIN)/ ./operator/cmd/medledger ./runtime/cmd/wasmcc
	@hack/build-plugins.sh
	$(BIN)/medledger devnet up --fabric-bin $(BIN)/fabric
	$(BIN)/medledger contract demo
	@echo "devnet is running: bin/medledger devnet status | logs NODE | down [--purge]; bin/medledger contract --help"

##@ Code generation

.PHONY: manifests
manifests: tools-dev ## Generate CRDs and RBAC into config/.
	$(TOOLS)/controller-gen crd paths=./operator/api/... output:crd:artifacts:config=config/crd/bases
	$(TOOLS)/controller-gen rbac:roleName=manager-role paths=./operator/... output:rbac:artifacts:config=config/rbac

.PHONY: generate
generate: tools-dev ## Generate deepcopy code for the API types.
	$(TOOLS)/controller-gen object paths=./operator/api/...

##@ Tools (built from source, cached by version)

.PHONY: tools
tools: tools-fabric tools-k8s tools-dev ## Build Fabric, kube-apiserver + etcd and the dev tools into bin/.

.PHONY: tools-fabric
tools-fabric: ## Build Hyperledger Fabric v3.1.1 into bin/fabric.
	@hack/build-tools.sh fabric

.PHONY: tools-k8s
tools-k8s: ## Build kube-apiserver v1.34.4 + etcd v3.6.6 into bin/k8s (envtest).
	@hack/build-tools.sh k8s

.PHONY: tools-dev
tools-dev: ## Build controller-gen, golangci-lint and benchstat into bin/tools.
	@hack/build-tools.sh dev

.PHONY: clean
clean: ## Remove bin/ and local devnet data (the tools cache in ~/.cache/medledger stays).
	rm -rf $(BIN) .medledger
