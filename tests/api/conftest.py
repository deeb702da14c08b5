"""The API tests use the dashboard's users, clients and account."""

from tests.dashboard.conftest import (  # noqa: F401
    account,
    fast_passwords,
    manager,
    manager_client,
    staff,
    staff_client,
)
