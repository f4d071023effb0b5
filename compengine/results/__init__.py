"""Results: earnings -> rounded payouts with lineage and explanations."""
