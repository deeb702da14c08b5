"""The communication errors log and the sync log."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from saleschannel.dashboard import selectors, sync_view
from saleschannel.dashboard.pagination import keyset_page
from saleschannel.dashboard.permissions import viewer_required
from saleschannel.dashboard.views.common import render_page


def _account_filter(request: HttpRequest) -> tuple[int | None, list[tuple[int, str]]]:
    choices = selectors.account_choices()
    raw = request.GET.get("account", "")
    chosen = int(raw) if raw.isdigit() and any(pk == int(raw) for pk, _ in choices) else None
    return chosen, choices


@viewer_required
def communication_errors(request: HttpRequest) -> HttpResponse:
    chosen, choices = _account_filter(request)
    account = selectors.account_by_pk(chosen) if chosen else None
    errors = sync_view.communication_errors(account=account)
    context = {"errors": errors, "accounts": choices, "chosen": chosen, "nav": "errors", "title": "Communication errors"}
    return render_page(request, "dashboard/errors.html", context)


@viewer_required
def sync_log(request: HttpRequest) -> HttpResponse:
    chosen, choices = _account_filter(request)
    account = selectors.account_by_pk(chosen) if chosen else None
    page = keyset_page(sync_view.sync_runs(account=account), field="started_at", cursor=request.GET.get("after"))
    query = f"account={chosen}" if chosen else ""
    context = {"page": page, "accounts": choices, "chosen": chosen, "query": query, "nav": "sync", "title": "Sync log"}
    return render_page(request, "dashboard/sync_log.html", context)


@viewer_required
def outbox(request: HttpRequest) -> HttpResponse:
    chosen, choices = _account_filter(request)
    account = selectors.account_by_pk(chosen) if chosen else None
    page = keyset_page(sync_view.outbox(account=account), field="created_at", cursor=request.GET.get("after"))
    query = f"account={chosen}" if chosen else ""
    context = {"page": page, "accounts": choices, "chosen": chosen, "query": query, "nav": "outbox",
               "title": "Messages to Amazon"}
    return render_page(request, "dashboard/outbox.html", context)
