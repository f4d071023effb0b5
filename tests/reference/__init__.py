"""An independent Fraction reference of spec sections 2-5, to hold the engine to."""
