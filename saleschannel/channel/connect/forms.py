"""The "Connect Amazon account" form."""

from __future__ import annotations

from django import forms

from saleschannel.channel.connect.marketplaces import marketplace_choices


class ConnectForm(forms.Form):
    marketplace = forms.ChoiceField(
        label="Marketplace", choices=marketplace_choices, initial="ATVPDKIKX0DER",
        help_text="The marketplace whose orders this account imports. You sign in to its Seller Central.",
    )
    name = forms.CharField(
        label="Account name", max_length=100, required=False,
        help_text="How the dashboard names this account. Empty: the marketplace and the seller id.",
    )
