# Switchboard — the two commands a newcomer needs:
#   make dev    run the whole mesh in one process (embedded event log and database)
#   make test   install, bring up real Kafka + PostgreSQL, type-check, build, run every test
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.switchboard-installed

.PHONY: help install build typecheck test dev services-up services-down proto proto-check grpcurl helm clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(NPM_STAMP): package.json package-lock.json $(wildcard packages/*/package.json services/*/package.json)
	@node -e 'const [M]=process.versions.node.split(".").map(Number); if (M<20) { console.error("Switchboard needs Node.js 20 or newer (found "+process.version+")"); process.exit(1) }'
	npm ci --no-audit --no-fund
	@touch $@

install: $(NPM_STAMP) ## install npm packages (pinned by package-lock.json)

build: install ## compile every workspace to dist/
	npm run build

typecheck: install ## tsc --noEmit over sources, tests and benches
	npm run typecheck

proto: install ## regenerate TypeScript from proto/ and lint the protos
	npm run generate

proto-check: install ## fail if the generated code is stale or the protos do not lint
	npm run check:generated

services-up: ## start the real Kafka broker (KRaft) and PostgreSQL used by tests and local clusters
	deploy/local/up.sh

services-down: ## stop them
	deploy/local/down.sh

test: install ## everything CI runs: backing services, proto check, type-check, build, jest
	deploy/local/up.sh
	npm run check:generated
	npm run typecheck
	npm run build
	npm test

dev: build ## run gateway, guild, presence and push in one process with embedded defaults
	node packages/mesh/dist/main.js

grpcurl: ## install grpcurl into .local/bin (Go module)
	deploy/local/tools.sh grpcurl

helm: ## install helm into .local/bin (Go module) and lint the chart
	deploy/local/tools.sh helm
	.local/bin/helm lint --strict charts/switchboard

clean: ## remove build output (not node_modules, not .local data)
	rm -rf packages/*/dist services/*/dist
