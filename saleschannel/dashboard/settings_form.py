"""The Order Settings form, field for field as the source's page (C18 labels, C19 statuses).

The form only reads the merchant's choices; whether they may be saved is the channel's
``order_settings_update`` to say (R1, R2), so the rules are the same in the dashboard,
the API and the command line.
"""

from __future__ import annotations

from typing import Any

from django import forms

from saleschannel.channel.models import OrderSettings
from saleschannel.channel.services.settings import FIELDS as SETTINGS_FIELDS

FIELDS = list(SETTINGS_FIELDS)  # the channel's list, in the order the form shows them
LABELS = {
    "import_orders": "Import Amazon Orders",
    "store": "Import Amazon Orders Into Store",
    "customer_creation": "Customer Creation",
    "order_number_source": "Order Number Source",
    "pending_orders": "Pending Orders",
    "order_status": "Order Status",
    "processing_order_status": "Processing Order Status",
}
# The fields the source marks required; Processing Order Status is required once it is enabled.
REQUIRED = {"import_orders", "store", "order_status", "processing_order_status"}

# The source's help text, "Magento" read as "store" (C18); a list of (option, text) and notes.
HELP: dict[str, dict[str, Any]] = {
    "import_orders": {
        "options": [
            ("Disabled", "(Default) Choose when you do not want to create corresponding orders in the store when new "
             "orders are received from Amazon. When chosen, all other fields on this page are disabled."),
            ("Enabled", "Choose when you want to create corresponding store orders when new orders are received "
             "from Amazon. Store orders are created based on Amazon status and stock levels."),
        ],
        "note": "Import Amazon Orders must be set to Enabled to manage Amazon orders in the store. When set to "
        "Disabled, your Amazon orders do not have a corresponding store order number and cannot be managed in the "
        "store. You must manage these orders in your Amazon Seller Central account.",
    },
    "store": {
        "text": "Choose which store the Amazon orders will be associated with when they are created in the Orders "
        "workspace. The list of options depends on the stores you have set up in your configuration.",
    },
    "customer_creation": {
        "options": [
            ("No Customer Creation (guest)", "Choose when you do not want to create a customer account in the store "
             "using the imported customer data from the Amazon order. When chosen, the store processes an imported "
             "Amazon order the same way it processes a guest checkout."),
            ("Build New Customer Account", "Choose when you want to create a New Customer Account in the store using "
             "the customer data imported with the Amazon order. This builds your customer database from your Amazon "
             "orders."),
        ],
    },
    "order_number_source": {
        "options": [
            ("Build Using Store Order Number", "Choose when you want to create a unique store order number for the "
             "corresponding Amazon order using the store's incrementally-assigned order ID."),
            ("Build Using Amazon Order Number", "Choose when you want to create the store order number using the "
             "corresponding Amazon-assigned order number."),
        ],
        "note": "After an order is imported, the store order number is shown in the Recent Orders list on the store "
        "dashboard. The Amazon Order Number shows when viewing the order in the Orders workspace.",
    },
    "pending_orders": {
        "options": [
            ("Do Not Reserve Quantity", "Choose when you do not want your store stock quantity affected by your "
             "Amazon orders while they are Pending. Choose if you use Amazon for your fulfillment process (FBA). When "
             "chosen, Amazon orders reserve no stock while they are Pending; store orders created for FBM orders "
             "still reserve the quantity ordered."),
            ("Reserve Quantity", "Choose when you want the order quantity in the Amazon order to be \u201creserved\u201d "
             "in your store stock quantity. When chosen and you receive an Amazon order, the quantity ordered will "
             "\u201creserve\u201d in your store stock quantity to prevent your store stock from \u201cover selling.\u201d "
             "The \u201creserved\u201d quantity will not be available for purchase through your storefront."),
        ],
    },
    "order_status": {
        "options": [
            ("Default Order Status", "Choose when you want newly created orders imported from Amazon to be assigned "
             "your defined default order status for new orders. The default status for new orders (unless you have "
             "created a custom order status for new orders) is Pending."),
            ("Custom Order Status", "Choose when you want newly created orders imported from Amazon to be assigned a "
             "status other than the default. When chosen, Processing Order Status enables for you to choose the "
             "status you want to use for newly created orders imported from Amazon."),
        ],
    },
    "processing_order_status": {
        "text": "Enables when Order Status is set to Custom Order Status. Choose the status you want to use for newly "
        "created orders imported from Amazon. The options in this field are based on the default status options in "
        "the store. You can also create a custom order status to show here for selection.",
    },
}


def _select(choices: Any = ()) -> forms.CharField:
    """A drop-down whose value the form does not judge: the service refuses, with its own words."""
    return forms.CharField(required=False, max_length=100, strip=False, widget=forms.Select(choices=choices))


class OrderSettingsForm(forms.Form):
    """The source's drop-downs; no value is refused here, so the service alone decides (R1, R2),
    with the same messages as the API and the command line."""

    import_orders = _select(OrderSettings.ImportOrders.choices)
    store = _select()
    customer_creation = _select(OrderSettings.CustomerCreation.choices)
    order_number_source = _select(OrderSettings.OrderNumberSource.choices)
    pending_orders = _select(OrderSettings.PendingOrders.choices)
    order_status = _select(OrderSettings.OrderStatus.choices)
    processing_order_status = _select()

    def __init__(
        self,
        *args: Any,
        stores: list[tuple[str, str]],
        statuses: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].widget.choices = [("", "-- Please Select --"), *stores]  # type: ignore[attr-defined]
        self.fields["processing_order_status"].widget.choices = [  # type: ignore[attr-defined]
            ("", "-- Please Select --"),
            *statuses,
        ]
        for name in FIELDS:
            self.fields[name].label = LABELS[name]

    def changes(self) -> dict[str, str]:
        """The submitted fields only: fields disabled in the browser are not sent and stay as they are (R1)."""
        return {name: self.cleaned_data[name] for name in FIELDS if name in self.data}

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"field": self[name], "required": name in REQUIRED, "help": HELP[name], "name": name} for name in FIELDS
        ]
