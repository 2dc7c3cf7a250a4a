"""Spreadsheet import: read tables (CSV, XLSX), check every cell, and plan the commands
that bring the registry in line with the file. Pure functions, no I/O."""
