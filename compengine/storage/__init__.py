"""Persistence: the SQLModel schema and database sessions (SQLite or PostgreSQL)."""
