"""How django-axes counts failed sign-ins (settings: AXES_LOCKOUT_PARAMETERS).

A password typed into the login page or the admin's counts against the username typed and
against the address it came from: either reaching the limit locks it out. A wrong API token
names no user (the key is all there is), so it counts against its address only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

#: Marks the credentials that the API's token authentication reports to axes.
API_CREDENTIALS_MARK = "by_api_key"


def lockout_parameters(request_or_attempt: Any, credentials: dict[str, Any] | None = None) -> list[str]:
    if credentials and credentials.get(API_CREDENTIALS_MARK):
        return ["ip_address"]
    return ["username", "ip_address"]


def lockout_minutes() -> int:
    return max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
