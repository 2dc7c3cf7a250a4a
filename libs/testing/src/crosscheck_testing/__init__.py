"""Test support shared by every package's tests (a pytest plugin: see `fixtures`)."""
