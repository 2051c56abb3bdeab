"""Benchmarks: each writes its figures to bench/results/ (not timed tests)."""
