"""compengine test suite (a package so that tests can share tests.reference and tests.strategies)."""
