"""Benchmarks: each module here that does not start with ``_`` runs as ``python -m bench.<name>``
and prints figures. None of them asserts a time; a benchmark is not a test."""
