"""The Order Settings page of an account: the source's form, saved through the channel's service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from saleschannel.channel.models import Account, OrderSettings
from saleschannel.dashboard import actions, selectors
from saleschannel.dashboard.permissions import is_manager, viewer_required
from saleschannel.dashboard.settings_form import FIELDS, OrderSettingsForm
from saleschannel.dashboard.views.accounts import account_or_404
from saleschannel.dashboard.views.common import render_page


def current_values(settings: OrderSettings | None) -> dict[str, str]:
    """The stored settings as the form's values (the store by its code)."""
    if settings is None:
        settings = OrderSettings()
    values = {name: getattr(settings, name) for name in FIELDS if name != "store"}
    values["store"] = settings.store.code if settings.store_id and settings.store else ""
    return values


@viewer_required
def order_settings(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    stored = getattr(account, "order_settings", None)
    choices = {"stores": selectors.store_choices(), "statuses": selectors.processing_status_choices()}
    if request.method == "POST":
        if not is_manager(request.user):
            raise PermissionDenied("Only managers may change order settings.")
        form = OrderSettingsForm(request.POST, **choices)
        if form.is_valid():
            refused = actions.settings_save(account=account, changes=form.changes(), user=request.user)
            if refused is None:
                messages.success(request, "Order settings saved.")
                return HttpResponseRedirect(reverse("dashboard:order_settings", args=[account.pk]))
            form.add_error(refused.field if refused.field in FIELDS else None, refused.message)
        messages.error(request, "The order settings were not saved: see the message at the field.")
        # Show the refused values, keeping the stored ones for fields the browser did not send.
        values = {**current_values(stored), **{k: request.POST[k] for k in FIELDS if k in request.POST}}
        return _render(request, account, form, values, status=400)
    values = current_values(stored)
    return _render(request, account, OrderSettingsForm(initial=values, **choices), values)


def _render(
    request: HttpRequest, account: Account, form: OrderSettingsForm, values: dict[str, Any], status: int = 200
) -> HttpResponse:
    can_change = is_manager(request.user)
    import_on = values.get("import_orders") == OrderSettings.ImportOrders.ENABLED
    custom = values.get("order_status") == OrderSettings.OrderStatus.CUSTOM
    for name in FIELDS:
        widget = form.fields[name].widget
        widget.attrs["data-setting"] = name
        off = (
            not can_change
            or (name != "import_orders" and not import_on)
            or (name == "processing_order_status" and not custom)
        )
        if off:
            widget.attrs["disabled"] = "disabled"
        else:
            widget.attrs.pop("disabled", None)
    if form.is_bound:
        # Re-render what the merchant chose, also for the fields the browser did not send.
        data = form.data.copy()  # type: ignore[attr-defined]
        for name, value in values.items():
            data.setdefault(name, value)
        form.data = data
    context = {
        "account": account,
        "form": form,
        "rows": form.rows(),
        "can_change": can_change,
        "history": selectors.settings_history(account=account),
        "nav": "accounts",
        "title": f"Order Settings · {account.name}",
    }
    return render_page(request, "dashboard/order_settings.html", context, status=status)
