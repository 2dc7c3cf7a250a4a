"""domain layer of the ledgers service."""
