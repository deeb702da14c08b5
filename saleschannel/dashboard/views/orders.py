"""The Orders workspace: store orders and one order's view."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from saleschannel.commerce.sales.models import Order
from saleschannel.dashboard.forms import StoreOrderFilterForm
from saleschannel.dashboard.pagination import keyset_page
from saleschannel.dashboard.permissions import viewer_required
from saleschannel.dashboard.views.common import render_page


def store_orders_filtered(filters: dict[str, str]) -> QuerySet[Order]:
    """Store orders the filters ask for, with what the list shows joined in (one query per page)."""
    qs = Order.objects.select_related("status", "store")
    number = (filters.get("number") or "").strip()
    if number:
        qs = qs.filter(Q(number=number) | Q(external_id=number))
    if filters.get("status"):
        qs = qs.filter(status_id=filters["status"])
    if filters.get("channel") == "amazon":
        qs = qs.filter(external_channel="amazon")
    elif filters.get("channel") == "store":
        qs = qs.filter(external_channel__isnull=True)
    customer = (filters.get("customer") or "").strip()
    if customer:
        qs = qs.filter(
            Q(customer_email__icontains=customer)
            | Q(customer_lastname__icontains=customer)
            | Q(customer_firstname__icontains=customer)
        )
    return qs


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
        "nav": "orders",
        "title": f"Order #{found.number}",
    }
    return render_page(request, "dashboard/order.html", context)
