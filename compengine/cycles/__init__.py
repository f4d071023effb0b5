"""Payout cycles: period states, runs, adjustments, holds, run records and audit."""
