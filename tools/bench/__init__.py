"""The benchmarks behind docs/BENCHMARKS.md: ``python -m tools.bench [--only ocr,restore] [--quick]``."""
