"""Lets each test folder below import as a package of its own (no `tests` clashes)."""
