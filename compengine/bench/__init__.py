"""Benchmarks: synthetic ledgers and timed runs of the engine's heavy commands."""
