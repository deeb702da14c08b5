import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(fast_passwords):
    """Browser tests log in often: a cheap password hash keeps them quick."""
