"""Crosscheck hazards service: inspections, hazards and the rectification loop."""
