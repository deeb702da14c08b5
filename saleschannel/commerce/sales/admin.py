"""The orders back office. State and status change through the services only (actions below)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from saleschannel.commerce.errors import CommerceError
from saleschannel.commerce.sales.models import Order, OrderAddress, OrderItem, OrderStatus, OrderStatusHistory
from saleschannel.commerce.sales.services import order_cancel, order_transition

ITEM_FIELDS = ("sku", "name", "qty_ordered", "qty_shipped", "qty_canceled", "price", "tax_amount",
               "discount_amount", "row_total", "external_line_id")
HISTORY_FIELDS = ("created_at", "state", "status", "comment")


@admin.register(OrderStatus)
class OrderStatusAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "state", "is_default"]
    list_filter = ["state", "is_default"]
    search_fields = ["code", "label"]


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    fields = ITEM_FIELDS
    readonly_fields = ITEM_FIELDS


class OrderAddressInline(admin.StackedInline):
    model = OrderAddress
    extra = 0
    max_num = 2


class OrderStatusHistoryInline(admin.TabularInline):
    model = OrderStatusHistory
    extra = 0
    fields = HISTORY_FIELDS
    readonly_fields = HISTORY_FIELDS
    can_delete = False


def _apply(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Order], change: Any) -> None:
    done = 0
    for order in queryset:
        try:
            change(order)
            done += 1
        except CommerceError as exc:
            modeladmin.message_user(request, f"#{order.number}: {exc}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"{done} order(s) changed.", messages.SUCCESS)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "store", "created_at", "customer_email", "state", "status", "grand_total",
                    "currency", "external_id"]
    list_filter = ["state", "status", "store", "customer_is_guest", "external_channel", "is_invoiced"]
    search_fields = ["number", "customer_email", "customer_lastname", "items__sku", "external_id"]
    readonly_fields = ["store", "number", "state", "status", "customer", "created_at", "updated_at",
                       "external_channel", "external_account", "external_id"]
    list_select_related = ["store", "status"]
    date_hierarchy = "created_at"
    inlines = [OrderItemInline, OrderAddressInline, OrderStatusHistoryInline]
    actions = ["cancel_orders", "hold_orders", "unhold_orders"]

    @admin.action(description="Cancel selected orders (releases their reservations)")
    def cancel_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        _apply(self, request, queryset, lambda o: order_cancel(order=o, comment="canceled in the back office"))

    @admin.action(description="Hold selected orders")
    def hold_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        _apply(self, request, queryset, lambda o: order_transition(order=o, state="holded"))

    @admin.action(description="Release selected orders from hold (to processing)")
    def unhold_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        _apply(self, request, queryset, lambda o: order_transition(order=o, state="processing"))
