"""Products and their inventory: salable quantity per stock and the reservations behind it."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse

from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.inventory.models import Reservation, SourceItem, Stock
from saleschannel.commerce.inventory.selectors import stock_figures
from saleschannel.dashboard.permissions import viewer_required
from saleschannel.dashboard.selectors import LEDGER_ROWS, stock_detail
from saleschannel.dashboard.views.common import render_page

PAGE = 50


def _default_stock() -> Stock | None:
    return Stock.objects.order_by("pk").first()


@viewer_required
def products(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    after = request.GET.get("after", "")
    qs = Product.objects.order_by("sku")
    if q:
        qs = qs.filter(Q(sku__istartswith=q) | Q(name__icontains=q))
    if after:
        qs = qs.filter(sku__gt=after)
    rows = list(qs[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    stock = _default_stock()
    figures = stock_figures(stock=stock, skus=[p.sku for p in rows]) if stock and rows else {}
    context = {
        "rows": [{"product": p, "figure": figures.get(p.sku)} for p in rows],
        "stock": stock,
        "q": q,
        "next_after": rows[-1].sku if more and rows else None,
        "is_first": not after,
        "nav": "products",
        "title": "Products",
    }
    return render_page(request, "dashboard/products.html", context)


@viewer_required
def product(request: HttpRequest, sku: str) -> HttpResponse:
    found = Product.objects.filter(sku=sku).first()
    if found is None:
        raise Http404("No such product.")
    context = {
        "product": found,
        "stocks": stock_detail(sku=sku),
        "source_items": list(SourceItem.objects.filter(sku=sku).select_related("source").order_by("source_id")),
        "ledger": list(Reservation.objects.filter(sku=sku).select_related("stock").order_by("-pk")[:LEDGER_ROWS]),
        "nav": "products",
        "title": f"Product {found.sku}",
    }
    return render_page(request, "dashboard/product.html", context)
