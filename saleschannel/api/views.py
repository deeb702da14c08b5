"""The REST API: thin views over the dashboard's selectors and the channel's services.

Same rules and same messages as the dashboard: settings go through ``order_settings_update``,
imports through ``amazon_order_import_by_hand``. Staff read; managers change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saleschannel.api import pagination, params
from saleschannel.api import serializers as s
from saleschannel.api.params import CURSOR, MAX_ID, Param
from saleschannel.api.permissions import DashboardRole
from saleschannel.api.schema import RULES_REFUSED
from saleschannel.channel.models import Account, AmazonOrder, SyncRequest
from saleschannel.channel.services.settings import FIELDS, order_settings_as_dict, order_settings_get
from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.sales.models import Order
from saleschannel.dashboard import actions, selectors
from saleschannel.dashboard.forms import (
    AMAZON_STATUSES,
    FIRST_DAY,
    IMPORT_STATES,
    LAST_DAY,
    AmazonOrderFilterForm,
    StoreOrderFilterForm,
)
from saleschannel.dashboard.pagination import keyset_page

# 400, 401, 403, 404 and 429 are added to the operations, with their bodies, by saleschannel.api.schema.


class Base(APIView):
    permission_classes = [IsAuthenticated, DashboardRole]


def _page(item: Any) -> Any:
    return inline_serializer(
        name=f"{item.__name__.removesuffix('Serializer')}Page",
        fields={"next": serializers.URLField(allow_null=True, help_text="the next page; null on the last"),
                "results": item(many=True)},
    )


def _account(pk: int) -> Account:
    account = Account.objects.select_related("order_settings").filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


class AccountList(Base):
    @extend_schema(operation_id="accounts_list", responses={200: s.AccountSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(s.AccountSerializer(selectors.accounts_list(), many=True).data)


class AccountDetail(Base):
    @extend_schema(responses={200: s.AccountSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.AccountSerializer(_account(pk)).data)


class AccountSettings(Base):
    """Read and change the account's order settings (R1–R3), as the Order Settings page does.

    A body that is not as the document says is a 400; a change the rules refuse as the
    account's settings stand (R1, R2, C2; a store or status that does not exist) is a 409.
    Both name the field. PUT is PATCH: the fields sent change, the others stay.
    """

    @extend_schema(responses={200: s.OrderSettingsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(order_settings_as_dict(order_settings_get(account=_account(pk))))

    @extend_schema(request=s.OrderSettingsSerializer,
                   responses={200: s.OrderSettingsSerializer, 409: RULES_REFUSED})
    def patch(self, request: Request, pk: int) -> Response:
        account = _account(pk)
        if not isinstance(request.data, dict) or not request.data:
            return Response({"non_field_errors": ["Send the settings to change as a JSON object."]}, status=400)
        unknown = [k for k in request.data if k not in FIELDS]
        if unknown:
            return Response({str(unknown[0])[:64]: ["is not an order setting"]}, status=400)
        # A form-encoded body is a QueryDict: one value per field, as JSON gives it.
        changes = request.data.dict() if hasattr(request.data, "dict") else dict(request.data)
        checked = s.OrderSettingsSerializer(data=changes, partial=True)
        if not checked.is_valid():
            return Response(checked.errors, status=400)
        refused = actions.settings_save(account=account, changes=changes, user=request.user)
        if refused is not None:
            return Response({refused.field or "non_field_errors": [refused.message]}, status=409)
        return self.get(request, pk)

    @extend_schema(request=s.OrderSettingsSerializer,
                   responses={200: s.OrderSettingsSerializer, 409: RULES_REFUSED})
    def put(self, request: Request, pk: int) -> Response:
        return self.patch(request, pk)


def _asked(asked: actions.SyncAsked) -> dict[str, Any]:
    return {**s.SyncRequestSerializer(asked.request).data, "worker_running": asked.worker_running,
            "detail": asked.message}


class AccountSync(Base):
    @extend_schema(request=None, responses={202: s.SyncAskedSerializer, 409: s.ErrorSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Sync now: asks the account's worker for a cycle and answers at once (202), never waiting.

        The answer says where to follow it (``url``; ``sync_run`` once it ran) and whether a
        worker runs (``worker_running``: when false, the request waits for one). Asking again
        while a request is open gives that request. 409 for an account that needs reconnecting.
        """
        asked = actions.sync_now(account=_account(pk), user=request.user)
        if asked.refused or asked.request is None:
            return Response({"detail": asked.message}, status=409)
        body = _asked(asked)
        return Response(body, status=202, headers={"Location": request.build_absolute_uri(body["url"])})


class SyncRequestDetail(Base):
    @extend_schema(responses={200: s.SyncRequestSerializer})
    def get(self, request: Request, pk: int) -> Response:
        """A "Sync now" and where it stands: requested, running, done (with its sync log entry)."""
        found = SyncRequest.objects.select_related("run").filter(pk=pk).first()
        if found is None:
            raise Http404
        return Response(s.SyncRequestSerializer(found).data)


PAGING = [
    Param("after", pattern=CURSOR, description="the cursor of the next page, as the last page's next link gives it"),
    Param("limit", "integer", minimum=1, maximum=pagination.MAX_LIMIT,
          description=f"rows per page (default {pagination.PAGE_SIZE})"),
]
AMAZON_FILTERS = [
    Param("number", max_length=64, description="Amazon or store order number, exactly; when no order has it, "
          "the orders whose Amazon or store order number starts with it (at most 100 of each)"),
    Param("account", "integer", minimum=1, maximum=MAX_ID, description="an account's id (none: no orders)"),
    Param("status", enum=AMAZON_STATUSES, description="Amazon status in the source's words"),
    Param("channel", enum=["FBA", "FBM"]),
    Param("import_state", enum=[state for state, _ in IMPORT_STATES]),
    Param("purchased_from", "date", description="purchased on or after this day (the merchant's time zone)"),
    Param("purchased_to", "date", description="purchased on or before this day; before purchased_from: no orders"),
    Param("buyer", max_length=100),
    Param("total_min", "decimal"),
    Param("total_max", "decimal", description="below total_min: no orders"),
    Param("prime", enum=["yes", "no"]),
    Param("business", enum=["yes", "no"]),
    Param("problem", "boolean", description="only the orders that cannot be imported"),
    *PAGING,
]


def _empty_page() -> Response:
    return Response({"next": None, "results": []})


def _page_response(request: Request, values: dict[str, str], page: Any, rows: Any) -> Response:
    link = params.link(request, values, after=page.next_cursor) if page.next_cursor else None
    return Response({"next": link, "results": rows})


def _size(values: dict[str, str]) -> int:
    return int(values["limit"]) if "limit" in values else pagination.PAGE_SIZE


class AmazonOrderList(Base):
    @extend_schema(operation_id="amazon_orders_list", parameters=params.parameters(AMAZON_FILTERS),
                   responses={200: _page(s.AmazonOrderSerializer)})
    def get(self, request: Request) -> Response:
        values = params.query_read(request, AMAZON_FILTERS)
        filters = {k: v for k, v in values.items() if k not in ("after", "limit")}
        accounts = selectors.account_choices()
        if "account" in filters and int(filters["account"]) not in {pk for pk, _ in accounts}:
            return _empty_page()
        # Ranges that hold nothing give no orders; days beyond the dashboard's range hold none either.
        start, end = filters.get("purchased_from"), filters.get("purchased_to")
        if start and end and start > end:
            return _empty_page()
        if "total_min" in filters and "total_max" in filters and \
                Decimal(filters["total_min"]) > Decimal(filters["total_max"]):
            return _empty_page()
        first, last = FIRST_DAY.isoformat(), LAST_DAY.isoformat()
        if (start and start > last) or (end and end < first):
            return _empty_page()
        if start:
            filters["purchased_from"] = max(start, first)
        if end:
            filters["purchased_to"] = min(end, last)
        form = AmazonOrderFilterForm(filters, accounts=accounts)
        if not form.is_valid():
            return Response(form.errors, status=400)
        page = selectors.amazon_orders_page(form.cleaned_data, tz=selectors.display_zone(),
                                            cursor=values.get("after"), size=_size(values))
        return _page_response(request, values, page, s.AmazonOrderSerializer(page.rows, many=True).data)


def _amazon_order(pk: int) -> AmazonOrder:
    found = selectors.amazon_order_get(pk=pk)
    if found is None:
        raise Http404
    return found


class AmazonOrderDetail(Base):
    @extend_schema(responses={200: s.AmazonOrderDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.AmazonOrderDetailSerializer(_amazon_order(pk)).data)


def _outcome(outcome: actions.Outcome) -> Response:
    if outcome.refused:
        return Response({"detail": outcome.message}, status=409)
    return Response({"imported": outcome.ok, "import_state": outcome.import_state, "reason": outcome.reason,
                     "store_order_number": outcome.store_order_number, "message": outcome.message})


ACTION = {200: s.ImportOutcomeSerializer, 409: s.ErrorSerializer}


class AmazonOrderImport(Base):
    """Import by hand (R5) by the same rules; 409 when the rules refuse (import disabled)."""

    @extend_schema(request=None, responses=ACTION)
    def post(self, request: Request, pk: int) -> Response:
        return _outcome(actions.import_by_hand(order=_amazon_order(pk), user=request.user))


class AmazonOrderRetry(Base):
    """Retry a failed import (R16); 409 for an order whose import did not fail."""

    @extend_schema(request=None, responses=ACTION)
    def post(self, request: Request, pk: int) -> Response:
        return _outcome(actions.retry(order=_amazon_order(pk), user=request.user))


ORDER_FILTERS = [
    Param("number", max_length=64, description="store or Amazon order number"),
    Param("status", max_length=32, description="an order status code"),
    Param("channel", enum=["amazon", "store"]),
    Param("customer", max_length=100),
    *PAGING,
]


class StoreOrderList(Base):
    @extend_schema(operation_id="orders_list", parameters=params.parameters(ORDER_FILTERS),
                   responses={200: _page(s.StoreOrderSerializer)})
    def get(self, request: Request) -> Response:
        values = params.query_read(request, ORDER_FILTERS)
        form = StoreOrderFilterForm({k: v for k, v in values.items() if k not in ("after", "limit")})
        if not form.is_valid():
            return Response(form.errors, status=400)
        page = keyset_page(selectors.store_orders_filtered(form.cleaned_data), field="created_at",
                           cursor=values.get("after"), size=_size(values))
        return _page_response(request, values, page, s.StoreOrderSerializer(page.rows, many=True).data)


class StoreOrderDetail(Base):
    @extend_schema(responses={200: s.StoreOrderDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        found = (Order.objects.select_related("store", "status", "amazon_order")
                 .prefetch_related("items", "addresses", "history").filter(pk=pk).first())
        if found is None:
            raise Http404
        return Response(s.StoreOrderDetailSerializer(found).data)


PRODUCT_FILTERS = [
    Param("q", max_length=100, description="SKU prefix or part of the name"),
    Param("after", max_length=64, description="the last SKU of the previous page"),
]


class ProductList(Base):
    @extend_schema(operation_id="products_list", parameters=params.parameters(PRODUCT_FILTERS),
                   responses={200: _page(s.ProductSerializer)})
    def get(self, request: Request) -> Response:
        values = params.query_read(request, PRODUCT_FILTERS)
        q, after = values.get("q", "").strip(), values.get("after", "")
        qs = Product.objects.order_by("sku")
        if q:
            qs = qs.filter(sku__istartswith=q) | qs.filter(name__icontains=q)
        if after:
            qs = qs.filter(sku__gt=after)
        rows = list(qs[: pagination.PAGE_SIZE + 1])
        more = len(rows) > pagination.PAGE_SIZE
        rows = rows[: pagination.PAGE_SIZE]
        link = params.link(request, values, after=rows[-1].sku) if more and rows else None
        return Response({"next": link, "results": s.ProductSerializer(rows, many=True).data})


class StockDetail(Base):
    """Salable quantity of a SKU per stock, and the reservations that hold it."""

    @extend_schema(responses={200: s.StockSerializer})
    def get(self, request: Request, sku: str) -> Response:
        product = Product.objects.filter(sku=sku).first() if "\x00" not in sku else None
        if product is None:
            raise Http404
        stocks = selectors.stock_detail(sku=sku)
        body = {
            "sku": sku,
            "manage_stock": product.manage_stock,
            "stocks": [{"stock": x["stock"].name, "quantity": x["figure"].quantity, "reserved": x["figure"].reserved,
                        "salable": x["figure"].salable} for x in stocks],
            "reservations": [{"stock": x["stock"].name, **h} for x in stocks for h in x["holders"]],
        }
        return Response(s.StockSerializer(body).data, status=status.HTTP_200_OK)
