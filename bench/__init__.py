"""Benchmarks: scripts that print tables, each compared with a baseline in the same run."""
