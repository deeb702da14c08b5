"""Orders as Magento keeps them: states, statuses assigned to states, items, addresses, history."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from saleschannel.commerce.catalog.models import Product
from saleschannel.commerce.customers.models import Customer
from saleschannel.commerce.fields import money_field, qty_field
from saleschannel.commerce.stores.models import Store


class OrderState(models.TextChoices):
    NEW = "new", "New"
    PROCESSING = "processing", "Processing"
    COMPLETE = "complete", "Complete"
    CLOSED = "closed", "Closed"
    CANCELED = "canceled", "Canceled"
    HOLDED = "holded", "On Hold"


#: The states an order ends in: nothing more happens to it in the store.
FINAL_STATES = (OrderState.COMPLETE, OrderState.CLOSED, OrderState.CANCELED)


class OrderStatus(models.Model):
    """A status, assigned to one state; one status per state is that state's default."""

    code = models.CharField(max_length=32, primary_key=True)
    label = models.CharField(max_length=128)
    state = models.CharField(max_length=16, choices=OrderState.choices)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["state", "code"]
        verbose_name_plural = "order statuses"
        constraints = [
            models.UniqueConstraint(fields=["state"], condition=Q(is_default=True), name="sales_one_default_status"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.state})"


class OrderSequence(models.Model):
    """The last order number a store handed out; its row is the lock that keeps numbers unique."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="order_sequence")
    last_value = models.PositiveBigIntegerField(default=0)


class Order(models.Model):
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=OrderState.choices, default=OrderState.NEW)
    status = models.ForeignKey(OrderStatus, on_delete=models.PROTECT, related_name="orders")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="orders")
    customer_is_guest = models.BooleanField(default=True)
    customer_email = models.CharField(max_length=255)
    customer_firstname = models.CharField(max_length=255, blank=True, default="")
    customer_lastname = models.CharField(max_length=255, blank=True, default="")
    currency = models.CharField(max_length=3)
    subtotal = money_field(default=0)
    shipping_amount = money_field(default=0)
    tax_amount = money_field(default=0)
    discount_amount = money_field(default=0)
    # The rest of what the buyer paid (an Amazon order's other proceeds), so that the parts add up.
    gift_wrap_amount = money_field(default=0)
    cod_fee_amount = money_field(default=0)
    delivery_tip_amount = money_field(default=0)
    other_amount = money_field(default=0)
    grand_total = money_field(default=0)
    payment_method = models.CharField(max_length=64, default="amazon")
    is_invoiced = models.BooleanField(default=False)
    # Where the order came from, when a sales channel made it (e.g. amazon, account, AmazonOrderId).
    external_channel = models.CharField(max_length=32, null=True, blank=True)
    external_account = models.CharField(max_length=64, null=True, blank=True)
    external_id = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["store", "number"], name="sales_order_number_once_per_store"),
            models.UniqueConstraint(
                fields=["external_channel", "external_account", "external_id"],
                condition=Q(external_id__isnull=False),
                name="sales_order_external_ref_once",
            ),
        ]
        indexes = [models.Index(fields=["customer_email"], name="sales_order_email")]

    def __str__(self) -> str:
        return f"#{self.number}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    sku = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=500)
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    qty_ordered = qty_field()
    qty_shipped = qty_field(default=0)
    qty_canceled = qty_field(default=0)
    price = money_field()
    tax_amount = money_field(default=0)
    discount_amount = money_field(default=0)
    row_total = money_field()
    external_line_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.sku} x {self.qty_ordered}"


class OrderAddress(models.Model):
    class Type(models.TextChoices):
        BILLING = "billing", "Billing"
        SHIPPING = "shipping", "Shipping"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="addresses")
    address_type = models.CharField(max_length=8, choices=Type.choices)
    firstname = models.CharField(max_length=255, blank=True, default="")
    lastname = models.CharField(max_length=255, blank=True, default="")
    company = models.CharField(max_length=255, blank=True, default="")
    street = models.TextField(blank=True, default="")  # lines joined by newline
    city = models.CharField(max_length=255, blank=True, default="")
    region = models.CharField(max_length=255, blank=True, default="")
    postcode = models.CharField(max_length=64, blank=True, default="")
    country_id = models.CharField(max_length=2, blank=True, default="")
    telephone = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["order", "address_type"], name="sales_order_address_once")]

    def __str__(self) -> str:
        return f"{self.address_type}: {self.city}"


class OrderStatusHistory(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    state = models.CharField(max_length=16, choices=OrderState.choices)
    status = models.CharField(max_length=32)
    comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "order status history"

    def __str__(self) -> str:
        return f"{self.state}/{self.status}"
