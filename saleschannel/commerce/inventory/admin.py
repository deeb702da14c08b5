"""The inventory back office. The reservation ledger is append-only: shown, never edited here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from saleschannel.commerce.inventory.models import (
    Reservation,
    Source,
    SourceItem,
    Stock,
    StockSourceLink,
    StockWebsite,
    UsedEventKey,
)


class StockSourceLinkInline(admin.TabularInline):
    model = StockSourceLink
    extra = 0


class StockWebsiteInline(admin.TabularInline):
    model = StockWebsite
    extra = 0


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["code", "name"]


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [StockWebsiteInline, StockSourceLinkInline]


@admin.register(SourceItem)
class SourceItemAdmin(admin.ModelAdmin):
    list_display = ["sku", "source", "quantity", "status", "updated_at"]
    list_filter = ["source", "status"]
    search_fields = ["sku"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """The ledger's history: written by the services only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "stock", "sku", "quantity", "event_type", "object_type", "object_id", "event_key"]
    list_filter = ["stock", "event_type", "object_type"]
    search_fields = ["sku", "object_id", "event_key"]


@admin.register(UsedEventKey)
class UsedEventKeyAdmin(ReadOnlyAdmin):
    list_display = ["event_key", "event_type", "created_at"]
    list_filter = ["event_type"]
    search_fields = ["event_key"]
