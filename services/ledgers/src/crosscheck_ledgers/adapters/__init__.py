"""adapters layer of the ledgers service."""
