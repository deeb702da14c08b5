"""The Orders workspace: store orders and one order's view."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from saleschannel.commerce.sales.models import Order
from saleschannel.commerce.sales.selectors import TOTAL_PARTS, order_totals_difference
from saleschannel.dashboard.forms import StoreOrderFilterForm
from saleschannel.dashboard.pagination import keyset_page
from saleschannel.dashboard.permissions import viewer_required
from saleschannel.dashboard.selectors import store_orders_filtered
from saleschannel.dashboard.views.common import render_page


@viewer_required
def orders(request: HttpRequest) -> HttpResponse:
    form = StoreOrderFilterForm(request.GET or None)
    page = None
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        qs = store_orders_filtered(form.cleaned_data if form.is_bound else {})
        page = keyset_page(qs, field="created_at", cursor=request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "nav": "orders", "title": "Store orders"}
    return render_page(request, "dashboard/orders.html", context, status=status)


@viewer_required
def order(request: HttpRequest, pk: int) -> HttpResponse:
    found = (
        Order.objects.select_related("status", "store", "customer", "amazon_order", "amazon_order__account")
        .prefetch_related(
            "items", "addresses", "history", "shipments__items", "shipments__source", "shipments__outbox_messages"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such order.")
    addresses = {a.address_type: a for a in found.addresses.all()}
    context = {
        "order": found,
        "amazon": getattr(found, "amazon_order", None),
        "billing": addresses.get("billing"),
        "shipping": addresses.get("shipping"),
        # C34: every part of the totals (zero parts other than the usual four are left out).
        "total_parts": [(label, getattr(found, field)) for key, field, label in TOTAL_PARTS
                        if key in ("subtotal", "shipping", "tax", "discount") or getattr(found, field)],
        "totals_difference": order_totals_difference(found),
        "nav": "orders",
        "title": f"Order #{found.number}",
    }
    return render_page(request, "dashboard/order.html", context)
