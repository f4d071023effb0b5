"""Component calculators: monthly usage per contract, lifecycle, and earnings to date, exactly."""
