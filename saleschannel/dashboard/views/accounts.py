"""The home page (the accounts) and each account's store dashboard."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from saleschannel.channel.models import Account
from saleschannel.channel.stock.selectors import offers_attention_count
from saleschannel.dashboard import actions, charts, selectors, sync_view
from saleschannel.dashboard.pagination import keyset_page
from saleschannel.dashboard.permissions import manager_required, viewer_required
from saleschannel.dashboard.selectors import display_zone
from saleschannel.dashboard.views.common import render_page

RECENT_ORDERS = 20


@viewer_required
def home(request: HttpRequest) -> HttpResponse:
    accounts = selectors.accounts_list()
    counts = selectors.import_state_counts()
    problems = selectors.problem_counts()
    syncs = sync_view.last_syncs(accounts=accounts)
    due = sync_view.next_syncs(accounts=accounts)
    rows = [
        {
            "account": a,
            "counts": counts.get(a.pk, {}),
            "problems": problems.get(a.pk, 0),
            "sync": syncs.get(a.pk),
            "next_sync": due.get(a.pk),
            "import_enabled": _import_enabled(a),
        }
        for a in accounts
    ]
    context = {"rows": rows, "recount_note": _recount_note(counts.values()), "problem_count": sum(problems.values()),
               "nav": "accounts", "title": "Accounts"}
    return render_page(request, "dashboard/home.html", context)


def _recount_note(counts: Iterable[dict[str, int]]) -> str:
    """Says so when a count shown may be a few minutes old (``selectors.large_state_count``)."""
    if not any(n > selectors.COUNT_CAP for c in counts for state, n in c.items() if state not in selectors.EXACT_STATES):
        return ""
    return (f"Imported and not importable counts above {selectors.COUNT_CAP:,} are recounted every "
            f"{selectors.RECOUNT_S // 60} minutes; waiting, errors and cannot be imported are always exact.")


def _import_enabled(account: Account) -> bool:
    settings = getattr(account, "order_settings", None)
    return bool(settings and settings.import_enabled)


def account_or_404(pk: int) -> Account:
    account = Account.objects.select_related("order_settings", "order_settings__store").filter(pk=pk).first()
    if account is None:
        raise Http404("No such account.")
    return account


@viewer_required
def store_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    account = account_or_404(pk)
    tz = display_zone()
    now = timezone.now()
    per_day = selectors.imported_per_day(account=account, tz=tz)
    day_chart = charts.bar_chart(
        [(d.strftime("%d %b"), n) for d, n in per_day], title="Orders imported per day, last 30 days", label_every=5
    )
    calls = sync_view.api_calls_per_hour(account=account, now=now, tz=tz)
    call_chart = charts.bar_chart(
        [(label, n) for label, n in calls.points],
        title="Amazon API calls per hour, last 24 hours",
        limit=calls.limit,
        label_every=4,
        parts=calls.search_orders,
        breakdowns=calls.breakdowns,
    )
    recent = keyset_page(
        selectors.amazon_orders_filtered({}, tz=tz, account=account),
        field="purchase_date",
        cursor=None,
        size=RECENT_ORDERS,
    ).rows
    counts = selectors.import_state_counts(account=account).get(account.pk, {})
    problems = selectors.problem_counts()  # the account's and, summed, the banner's: one read of a small index
    context = {
        "account": account,
        "settings": getattr(account, "order_settings", None),
        "counts": counts,
        "recount_note": _recount_note([counts]),
        "problems": problems.get(account.pk, 0),
        "problem_count": sum(problems.values()),
        "revenue": selectors.revenue(account=account, now=now),
        "day_chart": day_chart,
        "call_chart": call_chart,
        "offers_attention": offers_attention_count(account=account),  # Stock to Amazon (T14)
        "calls": calls,
        "recent": recent,
        "sync": sync_view.sync_state(account=account, now=now),
        "sync_request": sync_view.sync_request_progress(account=account, now=now),
        "nav": "accounts",
        "title": account.name,
    }
    return render_page(request, "dashboard/store_dashboard.html", context)


@require_POST
@manager_required
def sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the account's worker for a sync cycle now, then go back where the merchant was at once."""
    account = account_or_404(pk)
    asked = actions.sync_now(account=account, user=request.user)
    level = messages.ERROR if asked.refused else (messages.SUCCESS if asked.worker_running else messages.WARNING)
    messages.add_message(request, level, asked.message)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = reverse("dashboard:store_dashboard", args=[account.pk])
    return HttpResponseRedirect(target or reverse("dashboard:store_dashboard", args=[account.pk]))
