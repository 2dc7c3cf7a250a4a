"""The hazards service layer: command handlers that load aggregates from the event
store, apply the domain rules and append the resulting events."""
