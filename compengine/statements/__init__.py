"""Payout statements for reps (spec section 9)."""
