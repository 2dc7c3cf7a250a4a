"""Adapters of the rotation service: read models and anything else that talks to the
outside world on the domain's behalf."""
