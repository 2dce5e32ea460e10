"""Benchmarks of Parley, run by hand; each prints a table."""
