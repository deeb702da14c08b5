from __future__ import annotations

from django.contrib import admin

from saleschannel.commerce.customers.models import Customer, CustomerAddress


class CustomerAddressInline(admin.StackedInline):
    model = CustomerAddress
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "firstname", "lastname", "website", "created_at"]
    list_filter = ["website"]
    search_fields = ["email", "firstname", "lastname"]
    inlines = [CustomerAddressInline]
