"""Crosscheck ledgers: projections that build the three ledgers (三本台账) and the figures."""
