"""Adapters of the notify service: read models and anything else that talks to the
outside world on the domain's behalf."""
