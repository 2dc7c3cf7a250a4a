"""Spreadsheet import: lines of cells into tables, check every cell, and plan the
commands that bring the registry in line with the file. Pure functions, no I/O; the
file formats (CSV, XLSX) are read by adapters/spreadsheets.py."""
