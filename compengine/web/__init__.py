"""The web pages of `compengine serve` (spec section 11): reps read their pay, ops run the
cycle, payroll exports. Server-rendered HTML that works without JavaScript; every write
calls the same cycle functions as the command line, under its database lock."""
