# nnlab: `make demo` and `make test` work on a fresh machine with only Python and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Optional reference libraries (PyTorch, Keras, ONNX, array-api-strict): their tests skip when absent.
OPTIONAL ?= compare,onnx,array
OUT ?= runs/demo

.PHONY: demo test bench venv clean notebooks

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m pip install -q -e '.[dev,$(OPTIONAL)]' || echo "note: optional references not installed; their tests skip"
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/nnlab digits --output-dir $(OUT)

test: $(STAMP)
	$(PY) -m pytest -q -n 2

bench: $(STAMP)
	$(PY) -m pip install -q -e '.[bench]' || echo "note: benchmark references not installed; those comparisons skip"
	for f in bench/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

# notebooks/*.py (percent format) are the source; this pairs each with a .ipynb (not in git) to open in Jupyter.
notebooks: $(STAMP)
	$(PY) -m pip install -q -e '.[notebooks]'
	$(PY) -m jupytext --update --to ipynb notebooks/*.py
	@echo "notebooks/*.ipynb written from the .py files (kept paired by jupytext in Jupyter; outputs are kept on rebuild)."
	@echo "Open them with:  $(VENV)/bin/jupyter lab notebooks/   (NNLAB_QUICK=1 for the quick versions)"

clean:
	rm -rf $(VENV) runs build src/*.egg-info
