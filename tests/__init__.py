"""compengine tests: a package, so that tests share tests.reference and tests.strategies."""
