"""The statements' worked-example cycle, for the view model too."""

from tests.statements.conftest import acme, cycle

__all__ = ["acme", "cycle"]
