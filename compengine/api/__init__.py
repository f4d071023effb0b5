"""The REST API (spec section 10): payroll pulls locked payouts, reps read their own,
ops run the cycle."""
