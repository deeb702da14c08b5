"""What the API answers: explicit fields, no secret ever (credentials are said to be set, not shown)."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saleschannel.channel.models import Account, AmazonOrder
from saleschannel.commerce.sales.models import Order, OrderAddress, OrderItem, OrderStatusHistory
from saleschannel.commerce.sales.selectors import order_totals
from saleschannel.dashboard import amazon_view


class AccountSerializer(serializers.ModelSerializer):
    import_orders = serializers.SerializerMethodField()
    credentials = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = ["id", "name", "seller_id", "marketplace_id", "region", "integrated_at", "credentials_state",
                  "last_error", "last_error_at", "import_orders", "credentials"]

    def get_import_orders(self, account: Account) -> str:
        settings = getattr(account, "order_settings", None)
        return settings.import_orders if settings else "disabled"

    @extend_schema_field(
        {"type": "object", "properties": {"refresh_token": {"type": "string"}, "client_secret": {"type": "string"}},
         "required": ["refresh_token", "client_secret"]}
    )
    def get_credentials(self, account: Account) -> dict[str, str]:
        """Masked: whether each secret is set, never its value."""
        return {
            "refresh_token": "set" if account.refresh_token_encrypted else "not set",
            "client_secret": "set" if account.client_secret_encrypted else "not set",
        }


class Text(serializers.CharField):
    """A JSON string, nothing else (DRF's CharField would take a number or true as text)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        # Also what the document says of it: no NUL, and not empty unless blank is allowed.
        pattern = r"^[^\x00]*$" if self.allow_blank else r"^[^\x00]+$"
        self.validators.append(RegexValidator(pattern, "NUL characters are not allowed."))

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class OrderSettingsSerializer(serializers.Serializer):
    """The order settings of ``order-import.md``; a change sends only the fields it changes.

    A value of the right type may still be refused by the rules as the account's settings
    stand (import disabled freezes the others; a store that does not exist): that is a 409.
    """

    import_orders = serializers.ChoiceField(choices=["disabled", "enabled"], required=False)
    store = Text(required=False, allow_null=True, help_text="a store code; null: none (import disabled only)")
    customer_creation = serializers.ChoiceField(choices=["guest", "new_account"], required=False)
    order_number_source = serializers.ChoiceField(choices=["store", "amazon"], required=False)
    pending_orders = serializers.ChoiceField(choices=["no_reserve", "reserve"], required=False)
    order_status = serializers.ChoiceField(choices=["default", "custom"], required=False)
    processing_order_status = Text(required=False, allow_null=True, allow_blank=True,
                                   help_text="an order status code of state new or processing")


class AmazonOrderSerializer(serializers.ModelSerializer):
    account = serializers.IntegerField(source="account_id")
    store_order = serializers.IntegerField(source="store_order_id", allow_null=True)
    order_total = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)

    class Meta:
        model = AmazonOrder
        fields = ["id", "account", "amazon_order_id", "purchase_date", "buyer_name", "status", "channel", "currency",
                  "order_total", "is_prime", "is_business", "import_state", "reason", "store_order",
                  "store_order_number"]


class ItemSerializer(serializers.Serializer):
    line_id = serializers.CharField()
    sku = serializers.CharField()
    title = serializers.CharField()
    quantity = serializers.IntegerField(allow_null=True)
    unit_price = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    currency = serializers.CharField()


class StatusEventSerializer(serializers.Serializer):
    status = serializers.CharField()
    seen_at = serializers.DateTimeField()
    changed_at = serializers.DateTimeField(allow_null=True)


class AttemptSerializer(serializers.Serializer):
    attempted_at = serializers.DateTimeField()
    manual = serializers.BooleanField()
    succeeded = serializers.BooleanField()
    error = serializers.CharField()
    store_order_number = serializers.CharField()


class AmazonOrderDetailSerializer(AmazonOrderSerializer):
    items = serializers.SerializerMethodField()
    shipping_address = serializers.SerializerMethodField()
    status_history = StatusEventSerializer(source="status_events", many=True)
    import_attempts = AttemptSerializer(many=True)

    class Meta(AmazonOrderSerializer.Meta):
        fields = [*AmazonOrderSerializer.Meta.fields, "last_updated_time", "items", "shipping_address",
                  "status_history", "import_attempts"]

    @extend_schema_field(ItemSerializer(many=True))
    def get_items(self, order: AmazonOrder) -> list[dict[str, Any]]:
        return [ItemSerializer(item).data for item in amazon_view.items(order.raw)]

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_shipping_address(self, order: AmazonOrder) -> dict[str, str]:
        return amazon_view.shipping_address(order.raw)


class ImportOutcomeSerializer(serializers.Serializer):
    imported = serializers.BooleanField()
    import_state = serializers.CharField()
    reason = serializers.CharField()
    store_order_number = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class SyncRequestSerializer(serializers.Serializer):
    """A "Sync now" and where it stands; ``sync_run`` is its sync log entry once a worker ran it."""

    id = serializers.IntegerField()
    account = serializers.IntegerField(source="account_id")
    state = serializers.ChoiceField(choices=["requested", "running", "done"])
    requested_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    sync_run = serializers.IntegerField(source="run_id", allow_null=True)
    outcome = serializers.SerializerMethodField()
    error = serializers.CharField()
    url = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "nullable": True, "enum": ["running", "ok", "partial", "failed", None],
                          "description": "the sync run's outcome, once there is a run"})
    def get_outcome(self, request: Any) -> str | None:
        return request.run.outcome if request.run_id else None

    @extend_schema_field({"type": "string", "description": "where to follow it"})
    def get_url(self, request: Any) -> str:
        return reverse("api-sync-request", args=[request.pk])


class SyncAskedSerializer(SyncRequestSerializer):
    worker_running = serializers.BooleanField(help_text="false: no worker runs; the request waits for one")
    detail = serializers.CharField()


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["sku", "name", "qty_ordered", "qty_shipped", "qty_canceled", "price", "row_total",
                  "external_line_id"]


class OrderAddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderAddress
        fields = ["address_type", "firstname", "lastname", "company", "street", "city", "region", "postcode",
                  "country_id", "telephone"]


class OrderHistorySerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderStatusHistory
        fields = ["state", "status", "comment", "created_at"]


class StoreOrderSerializer(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code")
    status = serializers.CharField(source="status_id")
    channel = serializers.SerializerMethodField()
    amazon_order_id = serializers.CharField(source="external_id", allow_null=True)

    class Meta:
        model = Order
        fields = ["id", "number", "store", "created_at", "state", "status", "customer_email", "customer_firstname",
                  "customer_lastname", "customer_is_guest", "currency", "grand_total", "channel", "amazon_order_id"]

    def get_channel(self, order: Order) -> str:
        return order.external_channel or "store"


TOTALS_KEYS = ("subtotal", "shipping", "gift_wrap", "cod_fee", "tax", "discount", "delivery_tip", "other",
               "grand_total")


class StoreOrderDetailSerializer(StoreOrderSerializer):
    items = OrderItemSerializer(many=True)
    addresses = OrderAddressSerializer(many=True)
    history = OrderHistorySerializer(many=True)
    amazon_order = serializers.SerializerMethodField()

    class Meta(StoreOrderSerializer.Meta):
        fields = [*StoreOrderSerializer.Meta.fields, "subtotal", "shipping_amount", "tax_amount", "discount_amount",
                  "totals", "payment_method", "is_invoiced", "items", "addresses", "history", "amazon_order"]

    totals = serializers.SerializerMethodField()

    @extend_schema_field({"type": "object", "description": "every part of the totals and the grand total (C34)",
                          "properties": {k: {"type": "string"} for k in TOTALS_KEYS},
                          "required": list(TOTALS_KEYS)})
    def get_totals(self, order: Order) -> dict[str, str]:
        return order_totals(order)

    @extend_schema_field({"type": "integer", "nullable": True, "description": "id of the Amazon order it came from"})
    def get_amazon_order(self, order: Order) -> int | None:
        found = getattr(order, "amazon_order", None)
        return found.pk if found is not None else None


class ProductSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=20, decimal_places=4)
    status = serializers.CharField()
    manage_stock = serializers.BooleanField()


class StockFigureSerializer(serializers.Serializer):
    stock = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=20, decimal_places=4)
    reserved = serializers.DecimalField(max_digits=20, decimal_places=4)
    salable = serializers.DecimalField(max_digits=20, decimal_places=4)


class ReservationHolderSerializer(serializers.Serializer):
    stock = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    held = serializers.DecimalField(max_digits=20, decimal_places=4)


class StockSerializer(serializers.Serializer):
    sku = serializers.CharField()
    manage_stock = serializers.BooleanField()
    stocks = StockFigureSerializer(many=True)
    reservations = ReservationHolderSerializer(many=True)
