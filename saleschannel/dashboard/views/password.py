"""The signed-in user's own password: Django's change form, checked by the settings' validators."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from saleschannel.dashboard.permissions import viewer_required
from saleschannel.dashboard.views.common import render_page


@viewer_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Any dashboard user may change their own password (and only their own)."""
    signed_in: Any = request.user  # a dashboard user: viewer_required let no one else in
    form = PasswordChangeForm(signed_in, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user: Any = form.save()
        update_session_auth_hash(request, user)  # this session stays signed in; the others end
        messages.success(request, "Your password was changed.")
        return redirect("dashboard:home")
    context = {"form": form, "rules": password_validators_help_texts(), "title": "Change password"}
    return render_page(request, "dashboard/password_change.html", context, status=200)
