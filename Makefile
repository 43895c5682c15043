.PHONY: build test bench ci

build:
	go build -o ldtokens .

test:
	go test -race ./...

bench:
	./scripts/bench

ci:
	bash .ci/run
