"""Crosscheck notify service: deadline workers (reminders, overdue, escalation)
and delivery channels."""
