"""Hooks of the connection into the dashboard's pages.

- ``{% reconnect_banner %}``: on every page, the accounts whose syncs are stopped until
  they are reconnected (Amazon refused their credentials, or they were disconnected).
- ``{% connect_button %}``: "Connect Amazon account", for managers.
- ``{% connection_link account %}``: the account's connection page, with its state.
"""

from __future__ import annotations

from typing import Any

from django import template

from saleschannel.channel.connect import selectors
from saleschannel.channel.models import Account

register = template.Library()


@register.inclusion_tag("connect/_banner.html")
def reconnect_banner() -> dict[str, Any]:
    accounts = selectors.accounts_needing_reconnection()
    rows = [{"account": a, "status": selectors.connection_status(a)} for a in accounts]
    return {"rows": rows}


@register.inclusion_tag("connect/_button.html", takes_context=True)
def connect_button(context: template.Context) -> dict[str, Any]:
    return {"can_manage": bool(context.get("can_manage"))}


@register.inclusion_tag("connect/_link.html")
def connection_link(account: Account) -> dict[str, Any]:
    return {"account": account, "status": selectors.connection_status(account)}
