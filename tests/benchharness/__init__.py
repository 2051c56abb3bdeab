"""Tests of the benchmark harness (bench/): capture reading, figures, configuration, reports."""
