from __future__ import annotations

from django.contrib import admin

from saleschannel.commerce.stores.models import Store, Website


class StoreInline(admin.TabularInline):
    model = Store
    extra = 0


@admin.register(Website)
class WebsiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "created_at"]
    search_fields = ["code", "name"]
    inlines = [StoreInline]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "website", "created_at"]
    list_filter = ["website"]
    search_fields = ["code", "name"]
