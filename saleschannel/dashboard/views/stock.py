"""The Stock Settings page of an account (T1, T14): saved through the channel's service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from saleschannel.channel.errors import SettingsInvalid
from saleschannel.channel.models import Account
from saleschannel.channel.stock.selectors import push_state, stock_settings_of
from saleschannel.channel.stock.services import stock_settings_update
from saleschannel.dashboard import selectors
from saleschannel.dashboard.permissions import is_manager, viewer_required
from saleschannel.dashboard.stock_settings_form import FIELDS, StockSettingsForm, current_values
from saleschannel.dashboard.views.accounts import account_or_404
from saleschannel.dashboard.views.common import render_page


@viewer_required
def stock_settings(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    stored = current_values(stock_settings_of(account=account))
    if request.method == "POST":
        if not is_manager(request.user):
            raise PermissionDenied("Only managers may change stock settings.")
        form = StockSettingsForm(request.POST)
        if form.is_valid():
            try:
                stock_settings_update(account=account, changes=form.changes(), user=request.user)
            except SettingsInvalid as refused:
                form.add_error(refused.field if refused.field in FIELDS else None, refused.message)
            else:
                messages.success(request, "Stock settings saved.")
                return HttpResponseRedirect(reverse("dashboard:stock_settings", args=[account.pk]))
        messages.error(request, "The stock settings were not saved: see the message at the field.")
        return _render(request, account, form, status=400)
    return _render(request, account, StockSettingsForm(initial=stored))


def _render(request: HttpRequest, account: Account, form: StockSettingsForm, status: int = 200) -> HttpResponse:
    can_change = is_manager(request.user)
    for name in FIELDS:
        if can_change:
            form.fields[name].widget.attrs.pop("disabled", None)
        else:
            form.fields[name].widget.attrs["disabled"] = "disabled"
    settings = stock_settings_of(account=account)
    state = push_state(account=account)
    context: dict[str, Any] = {
        "account": account,
        "form": form,
        "rows": form.rows(),
        "can_change": can_change,
        # T1, T16: enabled but not pushing: the page says why.
        "paused": state.reason if settings.push_enabled and not state.active else "",
        "history": [c for c in selectors.settings_history(account=account, limit=50) if c.field in FIELDS][:20],
        "nav": "accounts",
        "title": f"Stock Settings · {account.name}",
    }
    return render_page(request, "dashboard/stock_settings.html", context, status=status)
