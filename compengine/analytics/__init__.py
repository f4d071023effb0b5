"""Realization analytics (spec section 12): what the ledger says about commitments."""
