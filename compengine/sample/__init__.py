"""Bundled sample data: a small, realistic ledger and plans for the README walk-through."""
