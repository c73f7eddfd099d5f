# admin-apikey-guard. Every target works on a fresh clone with Go 1.26: tools come from go.mod.
GO      ?= go
BIN     ?= bin/func
# Fuzz budgets are execution counts, not durations: a duration (-fuzztime=5s) can end in a spurious
# "context deadline exceeded" failure with no crasher under load, a race in Go's fuzz coordinator
# (go.dev/issue/75804, fixed in Go 1.27, not in 1.26.x); it failed CI once here. A count has no deadline.
FUZZTIME ?= 300000x

.PHONY: build test lint vuln demo bench fuzz emulator stack clean

# The build's version, linked in as the Dockerfile does (docs/report.md, `version`): Go stamps the commit
# itself in a git clone, but not in a git worktree or with -buildvcs=false; these fill the gap.
VERSION      ?= $(shell git describe --tags --always --dirty 2>/dev/null)
VCS_REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)
VERSION_PKG  := github.com/apikeyguard/admin-apikey-guard/internal/version

build: ## the function binary, as the Dockerfile builds it
	CGO_ENABLED=0 $(GO) build -trimpath \
	  -ldflags="-s -w -X $(VERSION_PKG).stampedVersion=$(VERSION) -X $(VERSION_PKG).stampedRevision=$(VCS_REVISION)" \
	  -o $(BIN) .

test: ## vet, all tests with the race detector (fuzz seeds included), a short fuzz of the policy parser
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout=25m ./...
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=50000x ./internal/policy

lint: ## staticcheck and govulncheck, pinned in go.mod's tool block (plus the tests of make vuln itself)
	$(GO) tool staticcheck ./...
	VULN_SCRIPT_TESTS=1 $(GO) test -count=1 -run Vuln ./internal/deploytest
	@$(MAKE) --no-print-directory vuln

# VULNDB: another vulnerability database, e.g. file:///abs/path/to/a/vulndb/copy.
VULNDB ?=
vuln: ## govulncheck; falls back to the snapshot in ../shared/vulndb when the online database cannot be reached
	@VULNDB='$(VULNDB)' GO='$(GO)' sh scripts/vuln.sh

demo: ## the real binary over the fdk socket against the emulator and a sample tenancy
	$(GO) run ./cmd/demo

bench: ## scaling table (API calls, wall time, RSS) plus Go benchmarks of the pure parts
	$(GO) run ./cmd/bench
	$(GO) test -run='^$$' -bench=. -benchmem ./internal/guard ./internal/policy ./internal/ociemu

fuzz: ## every fuzz target for FUZZTIME each
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./internal/trigger
	$(GO) test -run='^$$' -fuzz='^FuzzLoad$$' -fuzztime=$(FUZZTIME) ./internal/config
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./internal/policy
	$(GO) test -run='^$$' -fuzz='^FuzzParseCondition$$' -fuzztime=$(FUZZTIME) ./internal/policy
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./internal/ociemu/scimfilter

emulator: ## the emulator alone, for pointing a locally run function at it
	$(GO) run ./cmd/ociemu -users 300 -admins 3 -seed 1 -principal-dir .emulator

stack: ## the Resource Manager stack zip (deploy/terraform's .tf files and schema.yaml) in bin/
	$(GO) run ./cmd/stack -dir deploy/terraform -o bin/admin-apikey-guard-stack.zip

clean:
	rm -rf bin .emulator
