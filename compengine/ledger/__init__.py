"""Ledger ingestion: input files -> checked rows -> stored ledger and monthly usage."""
