"""The REST API: thin views over the dashboard's selectors and the channel's services.

Same rules and same messages as the dashboard: settings go through ``order_settings_update``,
imports through ``amazon_order_import_by_hand``. Staff read; managers change.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from saleschannel.api import pagination
from saleschannel.api import serializers as s
from saleschannel.api.permissions import DashboardRole
from saleschannel.channel.models import Account, AmazonOrder
from saleschannel.channel.services.settings import FIELDS, order_settings_as_dict, order_settings_get
from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.sales.models import Order
from saleschannel.dashboard import actions, selectors
from saleschannel.dashboard.forms import AmazonOrderFilterForm, StoreOrderFilterForm

ERRORS = {400: OpenApiResponse(description="refused input: {field: [message]}"),
          401: OpenApiResponse(description="not authenticated"), 403: OpenApiResponse(description="not allowed")}
NOT_FOUND = {404: OpenApiResponse(description="no such object")}


class Base(APIView):
    permission_classes = [IsAuthenticated, DashboardRole]


def _page(item: Any) -> Any:
    return inline_serializer(
        name=f"{item.__name__.removesuffix('Serializer')}Page",
        fields={"next": serializers.URLField(allow_null=True), "results": item(many=True)},
    )


def _account(pk: int) -> Account:
    account = Account.objects.select_related("order_settings").filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


class AccountList(Base):
    @extend_schema(operation_id="accounts_list", responses={200: s.AccountSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(s.AccountSerializer(selectors.accounts_list(), many=True).data)


class AccountDetail(Base):
    @extend_schema(responses={200: s.AccountSerializer, **ERRORS, **NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.AccountSerializer(_account(pk)).data)


class AccountSettings(Base):
    """Read and change the account's order settings (R1–R3), as the Order Settings page does."""

    @extend_schema(responses={200: s.OrderSettingsSerializer, **ERRORS, **NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:

        return Response(order_settings_as_dict(order_settings_get(account=_account(pk))))

    @extend_schema(request=s.OrderSettingsSerializer, responses={200: s.OrderSettingsSerializer, **ERRORS, **NOT_FOUND})
    def patch(self, request: Request, pk: int) -> Response:
        account = _account(pk)
        if not isinstance(request.data, dict) or not request.data:
            return Response({"non_field_errors": ["Send the settings to change as a JSON object."]}, status=400)
        unknown = [k for k in request.data if k not in FIELDS]
        if unknown:
            return Response({str(unknown[0])[:64]: ["is not an order setting"]}, status=400)
        # A form-encoded body is a QueryDict: one value per field, as JSON gives it.
        changes = request.data.dict() if hasattr(request.data, "dict") else dict(request.data)
        refused = actions.settings_save(account=account, changes=changes, user=request.user)
        if refused is not None:
            return Response({refused.field or "non_field_errors": [refused.message]}, status=400)
        return self.get(request, pk)

    @extend_schema(request=s.OrderSettingsSerializer, responses={200: s.OrderSettingsSerializer, **ERRORS, **NOT_FOUND})
    def put(self, request: Request, pk: int) -> Response:
        return self.patch(request, pk)


class AccountSync(Base):
    @extend_schema(request=None, responses={200: s.ErrorSerializer, 409: s.ErrorSerializer, 502: s.ErrorSerializer,
                                            **ERRORS, **NOT_FOUND})
    def post(self, request: Request, pk: int) -> Response:
        """One sync cycle now: 200 when it ran, 409 while another one runs, 502 when Amazon failed."""
        outcome = actions.sync_now(account=_account(pk), user=request.user)
        code = 200 if outcome.ok else (409 if outcome.refused else 502)
        return Response({"detail": outcome.message}, status=code)


AMAZON_FILTERS = [
    OpenApiParameter("number", str, description="Amazon or store order number, exactly; when no order has it, "
                     "the orders whose Amazon or store order number starts with it (at most 100 of each)"),
    OpenApiParameter("account", int),
    OpenApiParameter("status", str, description="Amazon status in the source's words (Unshipped, Shipped, ...)"),
    OpenApiParameter("channel", str, enum=["FBA", "FBM"]),
    OpenApiParameter("import_state", str, enum=["imported", "waiting", "not_importable", "error"]),
    OpenApiParameter("purchased_from", OpenApiTypes.DATE),
    OpenApiParameter("purchased_to", OpenApiTypes.DATE),
    OpenApiParameter("buyer", str),
    OpenApiParameter("total_min", OpenApiTypes.DECIMAL),
    OpenApiParameter("total_max", OpenApiTypes.DECIMAL),
    OpenApiParameter("prime", str, enum=["yes", "no"]),
    OpenApiParameter("business", str, enum=["yes", "no"]),
    OpenApiParameter("problem", bool, description="only the orders that cannot be imported"),
    OpenApiParameter("after", str, description="the cursor of the next page"),
    OpenApiParameter("limit", int, description="rows per page, at most 200"),
]


class AmazonOrderList(Base):
    @extend_schema(operation_id="amazon_orders_list", parameters=AMAZON_FILTERS, responses={200: _page(s.AmazonOrderSerializer), **ERRORS})
    def get(self, request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items() if k not in ("after", "limit")}
        form = AmazonOrderFilterForm(params, accounts=selectors.account_choices())
        if not form.is_valid():
            return Response(form.errors, status=400)
        page = selectors.amazon_orders_page(form.cleaned_data, tz=selectors.display_zone(),
                                            cursor=request.query_params.get("after"), size=pagination.size_of(request))
        return Response({"next": pagination.next_link(request, page),
                         "results": s.AmazonOrderSerializer(page.rows, many=True).data})


def _amazon_order(pk: int) -> AmazonOrder:
    found = selectors.amazon_order_get(pk=pk)
    if found is None:
        raise Http404
    return found


class AmazonOrderDetail(Base):
    @extend_schema(responses={200: s.AmazonOrderDetailSerializer, **ERRORS, **NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.AmazonOrderDetailSerializer(_amazon_order(pk)).data)


def _outcome(outcome: actions.Outcome) -> Response:
    if outcome.refused:
        return Response({"detail": outcome.message}, status=409)
    return Response({"imported": outcome.ok, "import_state": outcome.import_state, "reason": outcome.reason,
                     "store_order_number": outcome.store_order_number, "message": outcome.message})


ACTION = {200: s.ImportOutcomeSerializer, 409: s.ErrorSerializer, **ERRORS, **NOT_FOUND}


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
    OpenApiParameter("number", str, description="store or Amazon order number"),
    OpenApiParameter("status", str),
    OpenApiParameter("channel", str, enum=["amazon", "store"]),
    OpenApiParameter("customer", str),
    OpenApiParameter("after", str),
    OpenApiParameter("limit", int),
]


class StoreOrderList(Base):
    @extend_schema(operation_id="orders_list", parameters=ORDER_FILTERS, responses={200: _page(s.StoreOrderSerializer), **ERRORS})
    def get(self, request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items() if k not in ("after", "limit")}
        form = StoreOrderFilterForm(params)
        if not form.is_valid():
            return Response(form.errors, status=400)
        page = pagination.page_of(request, selectors.store_orders_filtered(form.cleaned_data), field="created_at")
        return Response({"next": pagination.next_link(request, page),
                         "results": s.StoreOrderSerializer(page.rows, many=True).data})


class StoreOrderDetail(Base):
    @extend_schema(responses={200: s.StoreOrderDetailSerializer, **ERRORS, **NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        found = (Order.objects.select_related("store", "status", "amazon_order")
                 .prefetch_related("items", "addresses", "history").filter(pk=pk).first())
        if found is None:
            raise Http404
        return Response(s.StoreOrderDetailSerializer(found).data)


class ProductList(Base):
    @extend_schema(
        operation_id="products_list",
        parameters=[OpenApiParameter("q", str, description="SKU prefix or part of the name"),
                    OpenApiParameter("after", str, description="the last SKU of the previous page")],
        responses={200: _page(s.ProductSerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        q = request.query_params.get("q", "").strip()[:100]
        after = request.query_params.get("after", "")
        qs = Product.objects.order_by("sku")
        if q:
            qs = qs.filter(sku__istartswith=q) | qs.filter(name__icontains=q)
        if after:
            qs = qs.filter(sku__gt=after)
        rows = list(qs[: pagination.PAGE_SIZE + 1])
        more = len(rows) > pagination.PAGE_SIZE
        rows = rows[: pagination.PAGE_SIZE]
        link = None
        if more and rows:

            link = replace_query_param(request.build_absolute_uri(), "after", rows[-1].sku)
        return Response({"next": link, "results": s.ProductSerializer(rows, many=True).data})


class StockDetail(Base):
    """Salable quantity of a SKU per stock, and the reservations that hold it."""

    @extend_schema(responses={200: s.StockSerializer, **ERRORS, **NOT_FOUND})
    def get(self, request: Request, sku: str) -> Response:
        product = Product.objects.filter(sku=sku).first()
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
