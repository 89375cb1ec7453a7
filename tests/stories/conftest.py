"""The API client fixture, as in tests/api."""

from tests.api.conftest import api

__all__ = ["api"]
