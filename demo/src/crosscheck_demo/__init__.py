"""The reference campaign driven through the public HTTP APIs."""
