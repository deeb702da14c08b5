"""The Stock Settings form (``stock-to-amazon.md`` T1, T14): field for field, with help texts.

As the Order Settings form, it only reads the merchant's input: whether it may be saved
is ``stock_settings_update``'s to say, with the same messages as the API and the command line.
"""

from __future__ import annotations

from typing import Any

from django import forms

from saleschannel.channel.stock.models import StockSettings

FIELDS = ["push_stock", "out_of_stock_threshold", "max_listed_quantity", "unmanaged_quantity", "handling_time"]
LABELS = {
    "push_stock": "Push Stock to Amazon",
    "out_of_stock_threshold": "Out-of-Stock Threshold",
    "max_listed_quantity": "Maximum Listed Quantity",
    "unmanaged_quantity": "\u201cDo Not Manage Stock\u201d Quantity",
    "handling_time": "Handling Time",
}
REQUIRED = {"push_stock", "out_of_stock_threshold", "unmanaged_quantity"}

HELP: dict[str, dict[str, Any]] = {
    "push_stock": {
        "options": [
            ("Disabled", "(Default) Choose when you do not want the store to change the quantities of your Amazon "
             "listings. Amazon keeps the quantities you set in Seller Central."),
            ("Enabled", "Choose when you want the quantity of each merchant-fulfilled (FBM) Amazon listing of a "
             "store product to follow the quantity the store can still sell, within seconds of a change. Only the "
             "quantity (and the handling time, when set below) is changed: listings are never created, deleted, "
             "retitled or repriced, and listings fulfilled by Amazon (FBA) are not pushed."),
        ],
        "note": "Push Stock to Amazon can be enabled only while Import Amazon Orders is Enabled (Order Settings): "
        "a store that does not learn of Amazon's sales would give back to Amazon the quantity Amazon already sold. "
        "When Import Amazon Orders is set to Disabled, the push is paused.",
    },
    "out_of_stock_threshold": {
        "text": "Enter the quantity at or below which a product is shown as out of stock on Amazon. When the "
        "quantity the store can sell falls below this number, Amazon is told 0, keeping those units for your other "
        "channels. Enter 0 to list every unit the store can sell.",
    },
    "max_listed_quantity": {
        "text": "Enter the largest quantity to show on Amazon for a product, or leave empty for no limit. The store "
        "never shows more than it has: when it can sell fewer units, Amazon is told that lower quantity.",
    },
    "unmanaged_quantity": {
        "text": "Enter the quantity to show on Amazon for products whose Manage Stock is set to No in the store. "
        "Default: 100.",
    },
    "handling_time": {
        "text": "Enter the number of days (1 to 30) between an order and its shipment to show on your merchant-"
        "fulfilled listings, or leave empty to keep the handling time set in Seller Central.",
    },
}


def _text(max_length: int = 40) -> forms.CharField:
    """A number as typed: the service refuses it, naming the field, in its own words."""
    return forms.CharField(required=False, max_length=max_length, strip=True,
                           widget=forms.TextInput(attrs={"inputmode": "numeric"}))


class StockSettingsForm(forms.Form):
    push_stock = forms.CharField(required=False, max_length=20,
                                 widget=forms.Select(choices=StockSettings.PushStock.choices))
    out_of_stock_threshold = _text()
    max_listed_quantity = _text()
    unmanaged_quantity = _text()
    handling_time = _text()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FIELDS:
            self.fields[name].label = LABELS[name]

    def changes(self) -> dict[str, str]:
        """The submitted fields only."""
        return {name: self.cleaned_data[name] for name in FIELDS if name in self.data}

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"field": self[name], "required": name in REQUIRED, "help": HELP[name], "name": name} for name in FIELDS
        ]


def current_values(settings: StockSettings) -> dict[str, str]:
    """The stored settings as the form's values (empty where there is no value)."""
    return {name: "" if getattr(settings, name) is None else str(getattr(settings, name)) for name in FIELDS}
