"""Stock to Amazon's pages of an account (T14): the Stock Settings, saved through the channel's
service; the Offers, filtered by state, with Retry on an offer in error (T11)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from saleschannel.channel.errors import SettingsInvalid
from saleschannel.channel.models import Account
from saleschannel.channel.stock.models import Offer
from saleschannel.channel.stock.selectors import offers_list, push_state, pushes_per_hour, stock_settings_of
from saleschannel.channel.stock.services import offer_retry, stock_settings_update
from saleschannel.channel.stock.services.feeds import stock_feed_open, stuck
from saleschannel.commerce.catalog.models import Product
from saleschannel.dashboard import charts, selectors
from saleschannel.dashboard.permissions import is_manager, manager_required, viewer_required
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


OFFERS_SHOWN = 500


@require_GET
@viewer_required
def offers(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    state = request.GET.get("state") or ""
    if state not in Offer.State.values:
        state = ""
    rows = offers_list(account=account, state=state or None)
    errors = dict(Offer.objects.filter(account=account, state=Offer.State.ERROR).values_list("sku", "error_message"))
    settings = stock_settings_of(account=account)
    current = push_state(account=account)
    feed = stock_feed_open(account=account)
    shown = rows[:OFFERS_SHOWN]
    names = dict(Product.objects.filter(sku__in=[row.sku for row in shown]).values_list("sku", "name"))
    context: dict[str, Any] = {
        "account": account,
        "rows": [{**row.as_dict(), "error": errors.get(row.sku, ""), "product": names.get(row.sku, "")}
                 for row in shown],
        "more": max(len(rows) - OFFERS_SHOWN, 0),
        "states": Offer.State.choices,
        "state": state,
        "can_change": is_manager(request.user),
        "paused": current.reason if not current.active else "",
        "push_enabled": settings.push_enabled,
        "push_chart": _push_chart(account),
        "feed": feed,
        "feed_stuck": feed is not None and stuck(feed, timezone.now()),
        "nav": "accounts",
        "title": f"Offers · {account.name}",
    }
    return render_page(request, "dashboard/offers.html", context)


def _push_chart(account: Account) -> charts.Chart:
    """T14: pushes per hour over the last day, against the seller's patch plan (a dashed line)."""
    hourly = pushes_per_hour(account=account, now=timezone.now(), tz=selectors.display_zone())
    return charts.bar_chart([(slot.strftime("%H:%M"), n) for slot, n in hourly.points],
                            title="Pushes per hour, last 24 hours", limit=hourly.plan_per_hour, label_every=4)


@require_POST
@manager_required
def offer_retry_view(request: HttpRequest, pk: int, sku: str) -> HttpResponse:
    account = account_or_404(pk)
    offer = Offer.objects.filter(account=account, sku=sku).first()
    if offer is None or offer.state != Offer.State.ERROR:
        messages.error(request, f"{sku[:64]}: only an offer in error can be retried.")
    else:
        offer_retry(offer=offer)
        messages.success(request, f"{sku} will be pushed again.")
    return HttpResponseRedirect(reverse("dashboard:offers", args=[account.pk]) + "?state=error")
