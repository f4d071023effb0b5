"""Statements: what a rep reads to trust the number (spec section 9)."""
