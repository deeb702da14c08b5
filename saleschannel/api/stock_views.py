"""The REST API of Stock to Amazon (T15): an account's stock settings, as the Stock Settings page;
its offers as ``listings --json`` shows them; the Retry of an offer in error (T11).

Staff read; managers change (``DashboardRole``). Refusals as the order settings': ``{field: [message]}``.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saleschannel.api import params
from saleschannel.api.params import Param
from saleschannel.api.permissions import DashboardRole
from saleschannel.api.schema import RULES_REFUSED
from saleschannel.channel.errors import SettingsInvalid
from saleschannel.channel.models import Account
from saleschannel.channel.stock.models import Offer
from saleschannel.channel.stock.selectors import offers_list, stock_settings_of
from saleschannel.channel.stock.services import (
    FIELDS,
    offer_retry,
    stock_settings_as_dict,
    stock_settings_update,
)

ERRORS = {400: OpenApiResponse(description="refused input: {field: [message]}"),
          401: OpenApiResponse(description="not authenticated"), 403: OpenApiResponse(description="not allowed"),
          404: OpenApiResponse(description="no such account")}


class StockSettingsSerializer(serializers.Serializer):
    """The stock settings of ``stock-to-amazon.md`` (T1); a change sends only the fields it changes."""

    push_stock = serializers.ChoiceField(choices=["disabled", "enabled"], required=False)
    out_of_stock_threshold = serializers.IntegerField(required=False, min_value=0)
    max_listed_quantity = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                                   help_text="null: no cap")
    unmanaged_quantity = serializers.IntegerField(required=False, min_value=0)
    handling_time = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=30,
                                             help_text="days; null: leave Amazon's")


def _account(pk: int) -> Account:
    account = Account.objects.filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


class AccountStockSettings(APIView):
    """Read and change the account's stock settings (T1), as the Stock Settings page does."""

    permission_classes = [IsAuthenticated, DashboardRole]

    @extend_schema(responses={200: StockSettingsSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(stock_settings_as_dict(stock_settings_of(account=_account(pk))))

    @extend_schema(request=StockSettingsSerializer,
                   responses={200: StockSettingsSerializer, 409: RULES_REFUSED, **ERRORS})
    def patch(self, request: Request, pk: int) -> Response:
        account = _account(pk)
        if not isinstance(request.data, dict) or not request.data:
            return Response({"non_field_errors": ["Send the settings to change as a JSON object."]}, status=400)
        unknown = [k for k in request.data if k not in FIELDS]
        if unknown:
            return Response({str(unknown[0])[:64]: ["is not a stock setting"]}, status=400)
        changes = request.data.dict() if hasattr(request.data, "dict") else dict(request.data)
        checked = StockSettingsSerializer(data=changes, partial=True)
        if not checked.is_valid():
            return Response(checked.errors, status=400)
        try:
            stock_settings_update(account=account, changes=changes, user=request.user)
        except SettingsInvalid as refused:  # by the rules as the settings stand (T1): a 409
            return Response({refused.field: [refused.message]}, status=409)
        return self.get(request, pk)

    @extend_schema(request=StockSettingsSerializer,
                   responses={200: StockSettingsSerializer, 409: RULES_REFUSED, **ERRORS})
    def put(self, request: Request, pk: int) -> Response:
        return self.patch(request, pk)


class OfferSerializer(serializers.Serializer):
    """One offer or store SKU, as ``listings --json`` prints it (T14)."""

    sku = serializers.CharField()
    marketplace_id = serializers.CharField()
    channel = serializers.CharField(allow_null=True, help_text="MFN, AFN, or null when not on Amazon")
    state = serializers.CharField()
    amazon_quantity = serializers.IntegerField(allow_null=True)
    desired_quantity = serializers.IntegerField(allow_null=True)
    last_pushed_quantity = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()


OFFER_FILTERS = [Param("state", enum=list(Offer.State.values))]


class AccountOffers(APIView):
    """The account's offers and store SKUs with their desired quantity and push state (T14, T15)."""

    permission_classes = [IsAuthenticated, DashboardRole]

    @extend_schema(operation_id="account_offers_list", parameters=params.parameters(OFFER_FILTERS),
                   responses={200: OfferSerializer(many=True), **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        account = _account(pk)
        state = params.query_read(request, OFFER_FILTERS).get("state")
        return Response([row.as_dict() for row in offers_list(account=account, state=state)])


class OfferRetry(APIView):
    """T11: push an offer in error again, whatever its quantity."""

    permission_classes = [IsAuthenticated, DashboardRole]

    @extend_schema(request=None, responses={200: OpenApiResponse(description="the offer is due again"), **ERRORS})
    def post(self, request: Request, pk: int, sku: str) -> Response:
        offer = Offer.objects.filter(account=_account(pk), sku=sku).first()
        if offer is None:
            raise Http404
        if offer.state != Offer.State.ERROR:
            return Response({"state": [f"only an offer in error can be retried; this one is {offer.state}"]},
                            status=400)
        offer_retry(offer=offer)
        return Response({"detail": f"{sku} is due again"})
