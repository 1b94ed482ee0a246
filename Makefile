# vnocr — archive digitisation targets. Quick start on a fresh Debian/Ubuntu machine:
#     make demo      # installs everything, then OCRs the bundled samples/
#     make test      # runs the test suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON  ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
VNOCR   := $(BIN)/vnocr
CORPUS  ?= ../shared/corpus
#: The project's own domain text for the lexicon overlay (issue 23; optional).
CORPUS_EXTRA ?= corpus-extra
SHARED  ?= ../shared
IN      ?= scans
OUT     ?= out/digitised
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
# LANG is also the locale variable: only a LANG given on the make command line selects the OCR language.
ifeq ($(origin LANG),command line)
OCR_LANG := $(LANG)
else
OCR_LANG := auto
endif
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng poppler-utils ghostscript chromium \
                fonts-liberation2 fonts-dejavu-core python3-venv python3-pip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP := $(VENV)/.installed

.PHONY: help install sysdeps browser demo test test-all digitise bench dictionaries channel vie-slips title-phrases samples lint clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

sysdeps: ## Install Tesseract (vie+eng), poppler, Ghostscript (PDF/A), Chromium (PDF test) and fonts when missing (BENCH_DEPS=1: unpaper too)
	@missing=""; \
	command -v tesseract >/dev/null || missing="$$missing tesseract-ocr"; \
	command -v pdftoppm  >/dev/null || missing="$$missing poppler-utils"; \
	command -v gs        >/dev/null || missing="$$missing ghostscript"; \
	command -v chromium  >/dev/null || missing="$$missing chromium"; \
	if command -v tesseract >/dev/null; then \
	  langs=$$(tesseract --list-langs 2>/dev/null); \
	  grep -qx vie <<<"$$langs" || missing="$$missing tesseract-ocr-vie"; \
	  grep -qx eng <<<"$$langs" || missing="$$missing tesseract-ocr-eng"; \
	else missing="$$missing tesseract-ocr-vie tesseract-ocr-eng"; fi; \
	[ -e /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || missing="$$missing fonts-liberation2"; \
	[ -e /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || missing="$$missing fonts-dejavu-core"; \
	$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || missing="$$missing python3-venv python3-pip"; \
	if [ -n "$(BENCH_DEPS)" ]; then \
	  command -v unpaper >/dev/null || missing="$$missing unpaper"; \
	  for l in fra deu ita; do grep -qx $$l <<<"$$langs" || missing="$$missing tesseract-ocr-$$l"; done; fi; \
	if [ -z "$$missing" ]; then echo "system packages: all present"; exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
	  echo "vnocr: missing system packages:$$missing" >&2; \
	  echo "  no apt-get here: install the equivalents yourself, e.g. on macOS" >&2; \
	  echo "  brew install tesseract tesseract-lang poppler python  (fonts: any Liberation/DejaVu Serif)" >&2; \
	  exit 3; fi; \
	echo "installing system packages:$$missing"; \
	$(SUDO) apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null

browser: ## Install Debian's chromium (the review app's browser tests drive it) when missing
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
	  echo "vnocr: no chromium and no apt-get: the browser tests will be skipped" >&2; exit 0; fi; \
	echo "installing system packages: chromium"; \
	$(SUDO) apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium >/dev/null

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory sysdeps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@# byte-compile the packages as a regular pip install does (an editable one leaves it to the first run)
	$(BIN)/python -m compileall -q diacritics ocr_pipeline dictionaries vntext
	@touch $(STAMP)

install: $(STAMP) ## Install system packages, the virtualenv (.venv) and vnocr
	@$(VNOCR) --version

demo: $(STAMP) ## Install everything, then digitise the bundled samples/ into out/demo
	@$(VNOCR) batch samples/ out/demo --jobs $(JOBS); rc=$$?; \
	echo; $(VNOCR) report out/demo; exit $$rc

PDFJS := .cache/pdfjs/node_modules/pdfjs-dist/build/pdf.mjs

$(PDFJS): ## pdf.js for the browser test of x.pdf (skipped, with a note, where npm is missing)
	@if command -v npm >/dev/null; then \
	  mkdir -p .cache/pdfjs && npm install --silent --no-audit --no-fund --prefix .cache/pdfjs pdfjs-dist@6; \
	else echo "npm not found: the browser test of x.pdf will be skipped" >&2; fi

test: $(STAMP) $(PDFJS) browser ## Run the test suite (small fixtures; Tesseract and browser tests included)
	$(BIN)/python -m pytest -q

digitise: $(STAMP) ## Archive job: make digitise IN=scans OUT=out/digitised [JOBS=n] [LANG=vie|eng]
	$(VNOCR) batch "$(IN)" "$(OUT)" --jobs $(JOBS) --lang $(OCR_LANG)

bench: $(STAMP) ## Run the benchmarks and write docs/BENCHMARKS.md (needs ../shared; slow)
	@$(MAKE) --no-print-directory sysdeps BENCH_DEPS=1
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python -m tools.bench --shared $(SHARED) --out docs/BENCHMARKS.md
	$(BIN)/python -m tools.bench.outputs --out docs/BENCHMARKS_OUTPUTS.md

dictionaries: $(STAMP) ## Rebuild the shipped language data in dictionaries/ from CORPUS (OCR tables included)
	$(BIN)/python -m tools.builders.dictionaries --corpus $(CORPUS) --out dictionaries
	$(BIN)/python -m tools.builders.case --corpus $(CORPUS) --out dictionaries
	$(BIN)/python -m tools.builders.abbreviations --corpus $(CORPUS) --out dictionaries
	$(BIN)/python -m tools.builders.domain_lexicon --extra $(CORPUS_EXTRA) --out dictionaries
	$(BIN)/python -m tools.builders.english_words --out dictionaries
	$(BIN)/python -m tools.builders.channel --corpus $(CORPUS) --out dictionaries
	$(BIN)/python -m tools.builders.channel_scores --out dictionaries

title-phrases: $(STAMP) ## Rebuild the structure stage's title tables (ocr_pipeline/structure/data) from CORPUS's legal text
	$(BIN)/python -m tools.builders.title_phrases --corpus $(CORPUS) --out ocr_pipeline/structure/data

channel: $(STAMP) ## Learn the OCR-confusion tables: render corpus text, OCR (eng+vie, cached in .cache/channel), align, EM
	nice -n 10 $(BIN)/python -m tools.builders.channel_sets --shared $(SHARED) --workers 2
	$(BIN)/python -m tools.builders.channel --corpus $(CORPUS) --shared $(SHARED) --out dictionaries
	$(BIN)/python -m tools.builders.channel_scores --out dictionaries

vie-slips: $(STAMP) ## Count vie's mark slips (rendered pages' confusions + the dev real pages' OCR vs gold; OCR cached in .cache/bench/real)
	$(BIN)/python -m tools.builders.vie_slips --shared $(SHARED) --out dictionaries

samples: $(STAMP) ## Regenerate the sample scans in samples/ from the dev documents
	$(BIN)/python -m tools.builders.samples --shared $(SHARED) --out samples

lint: $(STAMP) ## ruff + mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean: ## Remove outputs and caches (keeps .venv)
	rm -rf out build dist .pytest_cache .mypy_cache .ruff_cache *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
