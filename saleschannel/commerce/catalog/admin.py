from __future__ import annotations

from django.contrib import admin

from saleschannel.commerce.catalog.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "price", "status", "manage_stock", "updated_at"]
    list_filter = ["status", "manage_stock"]
    search_fields = ["sku", "name"]
    readonly_fields = ["created_at", "updated_at"]
