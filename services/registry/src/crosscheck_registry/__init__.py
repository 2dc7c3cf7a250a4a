"""Crosscheck registry service: the base inventory of townships, village committees
(the zones), places and staff."""
