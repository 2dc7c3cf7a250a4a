"""Seeded scenario generators for tests, the demo and the benchmarks (not in any service)."""
