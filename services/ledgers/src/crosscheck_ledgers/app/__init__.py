"""app layer of the ledgers service."""
