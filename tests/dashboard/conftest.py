"""Dashboard fixtures: the roster's households (tests/rosters/conftest.py) and clients."""

from tests.rosters.conftest import client_for, roster  # noqa: F401
