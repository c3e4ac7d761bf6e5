# mxray — quick start on a fresh Debian 12 machine with Swift:
#   make demo    bring the lab up, build mxray (release) and diagnose the lab
#   make test    bring the lab up and run every test (unit, integration, lab, layers, fuzz corpus)
SHELL := /bin/bash
SWIFT ?= swift
LAB := scripts/lab
LAB_DIR ?= /tmp/mxray-lab
export MXRAY_LAB_DIR := $(LAB_DIR)

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

# Every test: unit, integration (real lab servers), the lab itself, the layer rules and the
# fuzz corpora. Every phase runs even after a failure; each prints its time (scripts/test-all).
test:
	@SWIFT=$(SWIFT) scripts/test-all

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
