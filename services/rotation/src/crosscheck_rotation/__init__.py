"""Crosscheck rotation service: inspection campaigns, group formation and zone
rotation per round."""
