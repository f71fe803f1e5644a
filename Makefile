# Shortcuts for the two commands; the scripts are the truth.
.PHONY: test run

## test: every test suite against a throwaway PostgreSQL (what CI runs)
test:
	scripts/test

## run: both services with a private PostgreSQL and demo data, on 127.0.0.1:8080 and :8081
run:
	scripts/run

## bench-http, bench-api, bench-fanout, bench-search: the benchmarks of docs/benchmarks.md (minutes each; not tests)
.PHONY: bench-http bench-api bench-fanout bench-search
bench-http:
	scripts/bench-http
bench-api:
	scripts/bench-api
bench-fanout:
	scripts/bench-fanout
bench-search:
	scripts/bench-search
