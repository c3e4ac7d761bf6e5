# mxray — quick start on a fresh Debian 12 machine with Swift:
#   make demo    bring the lab up, build mxray (release) and diagnose the lab
#   make test    bring the lab up and run every test (unit, integration, lab, layers, fuzz corpus)
SHELL := /bin/bash
SWIFT ?= swift
LAB := scripts/lab
LAB_DIR ?= /tmp/mxray-lab
export MXRAY_LAB_DIR := $(LAB_DIR)
PHASE := scripts/phase

.PHONY: all build release test demo lab-up lab-down lab-status unit layers lab-tests fuzz-replay fuzz docs clean

all: build

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product mxray

lab-up:
	$(LAB) up

lab-down:
	$(LAB) down

lab-status:
	$(LAB) status

# Every test, in the order that makes a failure easiest to read. Each phase prints its time.
test:
	@$(PHASE) start
	@$(PHASE) "lab up" $(LAB) up
	@$(PHASE) "layer check" bash -c 'scripts/check-layers && python3 tests/layers/test_check_layers.py'
	@$(PHASE) "lab tests" tests/lab/run
	@$(PHASE) "lab traffic" $(LAB) traffic 30
	@$(PHASE) "build" $(SWIFT) build --build-tests
	@$(PHASE) "fuzz corpus replay" scripts/fuzz-replay
	@$(PHASE) "swift test" bash -c 'set -a; . $(LAB_DIR)/env; set +a; $(SWIFT) test --skip-build'
	@$(PHASE) summary

layers:
	scripts/check-layers && python3 tests/layers/test_check_layers.py

lab-tests:
	tests/lab/run

fuzz-replay:
	scripts/fuzz-replay

# make fuzz TARGET=DNSMessage RUNS=1000000
fuzz:
	scripts/fuzz $(TARGET) $(RUNS)

demo: release
	$(LAB) up
	scripts/demo

clean:
	rm -rf .build .build-*
