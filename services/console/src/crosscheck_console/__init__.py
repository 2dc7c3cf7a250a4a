"""Crosscheck's web console: pages for people over the services' public APIs."""
