"""Benchmarks: a seeded book generator and side-by-side runs (CP-SAT, HiGHS, greedy)."""
