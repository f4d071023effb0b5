"""Ledger ingestion: CSV/Parquet input files -> validated rows -> stored ledger and monthly usage."""
