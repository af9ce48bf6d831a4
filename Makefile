# HALO-py: set up, test and demo on Debian 12.
#
#   make demo    compile examples/mnist with CMake + halo_add_model(), run it, and compare its
#                predictions with ONNX Runtime's
#   make yolov3  examples/yolov3: the trained detector and YOLOv3 compiled into the C++ detection
#                app, run on a synthetic image; prints the detections and the drawn image's path
#   make test    run the test suite (pytest -n 2), with the cross compilers and QEMU it needs
#   make conformance  the ONNX backend node tests on every runtime, per-op tables
#   make models  the whole-model tests of every frontend; prints each model's largest error
#   make models-demo  the model demo table (models/): 19 architectures built in code, compiled,
#                run on every runtime, compared with the framework's runtime and timed; README.md
#   make integrations  build and run examples/mnist through every build integration (CMake, Conan,
#                Bazel, SCons, each cross target under QEMU): one line per integration
#   make fuzz    the frontends' seeded mutation fuzzer (FUZZ_ITERATIONS=5000 mutants per frontend)
#   make setup   only the Python environment (.venv) and the Debian packages of `make test`
#
# Setup is idempotent: missing Debian packages are installed (apt-get update first, only then),
# the virtual environment is made once and reinstalled only when pyproject.toml changes.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BUILD := build
STAMPS := $(BUILD)/stamps
JOBS ?= 2
PYTEST_ARGS ?=

DEMO_DEBS := cmake ninja-build g++
YOLO_DEBS := $(DEMO_DEBS) libpng-dev
# The Debian packages each ODLA runtime's build.txt names (`debian` lines): oneDNN, XNNPACK, ...
RUNTIME_BUILDS := $(sort $(wildcard odla/runtimes/*/build.txt))
RUNTIMES := $(patsubst odla/runtimes/%/build.txt,%,$(RUNTIME_BUILDS))
RUNTIME_DEBS := $(shell awk '$$1 == "debian" { for (i = 2; i <= NF; i++) print $$i }' $(RUNTIME_BUILDS))
TEST_DEBS := $(YOLO_DEBS) g++-aarch64-linux-gnu g++-arm-linux-gnueabihf g++-riscv64-linux-gnu \
             qemu-user binutils-multiarch bazel-bootstrap bazel-rules-java $(RUNTIME_DEBS)
ARM64_ROOT := $(BUILD)/sysroot-arm64
ARM64_DEBS := libxnnpack-dev libpthreadpool-dev
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# $(call install_debs,<packages>): install those of <packages> that are missing, plus python3-venv
# when $(PYTHON) cannot make a virtual environment.
define install_debs
	@missing=""; \
	for deb in $(1); do \
	  dpkg-query -W -f='$${Status}\n' "$$deb" 2>/dev/null | grep -q ' installed$$' \
	    || missing="$$missing $$deb"; \
	done; \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3 python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq \
	    && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	       apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

MODEL_TESTS := test_model_matches_onnxruntime or test_keras_application or test_savedmodel_directory \
               or test_lenet or test_alexnet_shaped or test_ssd_heads or test_ssd_detection_output

.PHONY: demo yolov3 test conformance models integrations fuzz setup clean

demo: $(STAMPS)/debs-demo $(VENV)/.installed
	cmake -S examples/mnist -B $(BUILD)/mnist -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DHalo_DIR="$$($(VENV)/bin/halo --cmake-dir)"
	cmake --build $(BUILD)/mnist -j $(JOBS)
	@$(BUILD)/mnist/mnist > $(BUILD)/mnist/halo.txt
	@$(VENV)/bin/python examples/mnist/check_ort.py > $(BUILD)/mnist/ort.txt
	@echo "HALO (reference runtime): $$(tail -n 1 $(BUILD)/mnist/halo.txt)"
	@echo "ONNX Runtime:             $$(tail -n 1 $(BUILD)/mnist/ort.txt)"
	@if cmp -s $(BUILD)/mnist/halo.txt $(BUILD)/mnist/ort.txt; then \
	  echo "identical predictions on all held-out digits"; \
	else \
	  echo "predictions differ:"; diff $(BUILD)/mnist/halo.txt $(BUILD)/mnist/ort.txt; exit 1; \
	fi

YOLO_BUILD := $(BUILD)/yolov3
yolov3: $(STAMPS)/debs-yolov3 $(VENV)/.installed
	$(VENV)/bin/python examples/yolov3/make_yolov3.py -o $(YOLO_BUILD)/yolov3.onnx
	cmake -S examples/yolov3 -B $(YOLO_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DHalo_DIR="$$($(VENV)/bin/halo --cmake-dir)" -DYOLOV3_MODEL=$(abspath $(YOLO_BUILD))/yolov3.onnx \
	  -DYOLOV3_SIZE=416
	cmake --build $(YOLO_BUILD) -j $(JOBS)
	@$(VENV)/bin/python examples/yolov3/shapes.py --seed 8 -o $(YOLO_BUILD)/shapes.png \
	  > $(YOLO_BUILD)/truth.txt
	@echo "== the trained detector (true boxes: $$(tr '\n' ';' < $(YOLO_BUILD)/truth.txt))"
	$(YOLO_BUILD)/yolo_demo $(YOLO_BUILD)/shapes.png --out $(YOLO_BUILD)/detections.png
	@echo "== YOLOv3 at 416x416 (seeded weights: the boxes mean nothing)"
	$(YOLO_BUILD)/yolov3_demo $(YOLO_BUILD)/shapes.png --out $(YOLO_BUILD)/yolov3.png --top 5

test: setup
	$(VENV)/bin/python -m pytest -n $(JOBS) --dist loadgroup -q $(PYTEST_ARGS)

conformance: setup
	@mkdir -p $(BUILD)
	for rt in $(RUNTIMES); do \
	  PYTHONPATH=tests $(VENV)/bin/python -m conformance.onnx_backend --show-failures --runtime $$rt \
	    --markdown $(BUILD)/onnx_conformance_$$rt.md --json $(BUILD)/onnx_conformance_$$rt.json \
	    || exit 1; \
	done

models: setup
	rm -rf $(BUILD)/model_results
	$(VENV)/bin/python -m pytest -n $(JOBS) -q tests/frontends -k "$(MODEL_TESTS)"
	$(VENV)/bin/python tests/model_report.py

.PHONY: models-demo
models-demo: setup
	$(VENV)/bin/python models/demo.py --readme README.md

integrations: setup
	$(VENV)/bin/python tests/e2e/integrations.py

# The frontends' mutation fuzzer, longer than the bounded run in `make test` (tests/fuzz/).
FUZZ_ITERATIONS ?= 5000
fuzz: $(VENV)/.installed
	$(VENV)/bin/python tests/fuzz/fuzz.py --frontend all --iterations $(FUZZ_ITERATIONS) --seed 1 \
	  --crash-dir $(BUILD)/fuzz-crashes

setup: $(STAMPS)/debs-test $(VENV)/.installed $(ARM64_ROOT)/.packages

# XNNPACK for aarch64 cross builds, unpacked (not installed) from Debian's arm64 packages:
# -DHALO_TARGET_ROOT=$(ARM64_ROOT) with toolchains/aarch64-linux-gnu.cmake.
$(ARM64_ROOT)/.packages: toolchains/debian-sysroot.sh | $(STAMPS)/debs-test
	toolchains/debian-sysroot.sh arm64 $(ARM64_ROOT) $(ARM64_DEBS)

$(STAMPS)/debs-demo: Makefile | $(STAMPS)
	$(call install_debs,$(DEMO_DEBS))
	@touch $@

$(STAMPS)/debs-yolov3: Makefile | $(STAMPS)
	$(call install_debs,$(YOLO_DEBS))
	@touch $@

$(STAMPS)/debs-test: Makefile $(RUNTIME_BUILDS) | $(STAMPS)
	$(call install_debs,$(TEST_DEBS))
	@touch $@

$(STAMPS):
	@mkdir -p $@

# Ordered after the Debian packages so that python3-venv exists on a fresh system.
$(VENV)/.installed: pyproject.toml | $(STAMPS)/debs-demo
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q -e '.[test]'
	@touch $@

clean:
	rm -rf $(BUILD)
