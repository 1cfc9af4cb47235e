"""Benchmarks: `python -m bench.NAME`; their figures are reported in docs/performance.md."""
