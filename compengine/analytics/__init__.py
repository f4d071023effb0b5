"""Realization analytics (spec section 12): the bridge from run rate to commitments and
the ramp windows the data suggests. A layer beside ``cycles``: it reads the stored
monthly aggregate through the engine's own snapshot and grid, never the raw ledger."""
