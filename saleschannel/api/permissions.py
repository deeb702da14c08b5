"""The dashboard's two roles, for the REST API: staff may read, managers may also change."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from saleschannel.dashboard.permissions import is_manager, is_viewer


class DashboardRole(BasePermission):
    message = "Your account may not do this: reading needs staff rights, changes need a manager."

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return is_viewer(request.user)
        return is_manager(request.user)
