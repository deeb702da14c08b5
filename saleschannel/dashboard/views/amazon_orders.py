"""All Amazon orders (filters, keyset pages) and one Amazon order's page with its actions."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from saleschannel.commerce.catalog.selectors import products_by_sku
from saleschannel.dashboard import actions, amazon_view, selectors
from saleschannel.dashboard.forms import AmazonOrderFilterForm
from saleschannel.dashboard.permissions import manager_required, viewer_required
from saleschannel.dashboard.selectors import display_zone
from saleschannel.dashboard.views.common import render_page


@viewer_required
def amazon_orders(request: HttpRequest) -> HttpResponse:
    form = AmazonOrderFilterForm(request.GET or None, accounts=selectors.account_choices())
    tz = display_zone()
    page = None
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        status = 200
        filters = form.cleaned_data if form.is_bound else {}
        page = selectors.amazon_orders_page(filters, tz=tz, cursor=request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": bool(query),
        "nav": "amazon",
        "title": "Amazon orders",
    }
    return render_page(request, "dashboard/amazon_orders.html", context, status=status)


def _order_or_404(pk: int) -> Any:
    order = selectors.amazon_order_get(pk=pk)
    if order is None:
        raise Http404("No such Amazon order.")
    return order


def _item_rows(order: Any) -> list[dict[str, Any]]:
    """Each line with the product it matched, or "created" when the import made it (R10)."""
    lines = amazon_view.items(order.raw)
    products = products_by_sku(line.sku for line in lines if line.sku)
    first_import = next((a.attempted_at for a in order.import_attempts.all() if a.succeeded), None)
    rows = []
    for line in lines:
        product = products.get(line.sku)
        created = bool(
            product is not None
            and first_import is not None
            and not product.manage_stock
            and product.status == "disabled"
            and product.created_at >= first_import
        )
        rows.append({"line": line, "product": product, "created": created})
    return rows


@viewer_required
def amazon_order(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _order_or_404(pk))


def _detail(request: HttpRequest, order: Any, correction: Any = None, status: int = 200) -> HttpResponse:
    breakdown, grand_total = amazon_view.totals(order.raw)
    address = amazon_view.shipping_address(order.raw)
    amazons_differs = _changed_since_correction(order, address)
    last = order.address_corrections.order_by("-corrected_at", "-pk").first()
    if last is not None and isinstance(last.corrected, dict):
        # C33: the correction is kept apart from Amazon's snapshots and is what the import uses.
        address = {k: v for k, v in last.corrected.items() if isinstance(v, str) and v}
    context = {
        "order": order,
        "account": order.account,
        "items": _item_rows(order),
        "address_rows": amazon_view.address_rows(address),
        "buyer": amazon_view.buyer(order.raw),
        "breakdown": breakdown,
        "grand_total": grand_total,
        "facts": amazon_view.facts(order.raw),
        "raw_json": json.dumps(order.raw, indent=2, ensure_ascii=False, sort_keys=True),
        "events": list(order.status_events.all()),
        "attempts": list(order.import_attempts.all()),
        "correction": correction or actions.address_correction_form(order),
        "corrections": list(order.address_corrections.select_related("user")[:10]),
        "address_corrected": last is not None,
        "address_changed_since": amazons_differs,
        "can_import": order.import_state != "imported",
        "can_retry": order.import_state == "error",
        "nav": "amazon",
        "title": f"Amazon order {order.amazon_order_id}",
    }
    return render_page(request, "dashboard/amazon_order.html", context, status=status)


def _changed_since_correction(order: Any, address: dict[str, str]) -> bool:
    """Amazon sent a newer address after the merchant's last correction (it replaced the snapshot)."""
    last = order.address_corrections.order_by("-corrected_at", "-pk").first()
    return bool(last and {k: v for k, v in last.corrected.items() if v} != address)


def _back(order: Any) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("dashboard:amazon_order", args=[order.pk]))


@require_POST
@manager_required
def amazon_order_import(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_or_404(pk)
    outcome = actions.import_by_hand(order=order, user=request.user)
    messages.add_message(request, messages.SUCCESS if outcome.ok else messages.ERROR, outcome.message)
    return _back(order)


@require_POST
@manager_required
def amazon_order_retry(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_or_404(pk)
    outcome = actions.retry(order=order, user=request.user)
    messages.add_message(request, messages.SUCCESS if outcome.ok else messages.ERROR, outcome.message)
    return _back(order)


@require_POST
@manager_required
def amazon_order_address(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_or_404(pk)
    form, outcome = actions.address_correct(order=order, data=request.POST, user=request.user)
    if outcome.ok:
        messages.success(request, outcome.message)
        return _back(order)
    return _detail(request, order, correction=form, status=400)
