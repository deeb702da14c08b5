"""The pages of the website authorization workflow: thin, over ``services``.

Managers only. Each refusal renders ``connect/refused.html`` with the reason and
stores nothing; no page ever shows the code, the refresh token or the client secret.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from saleschannel.channel.connect import selectors, services
from saleschannel.channel.connect.config import application_config
from saleschannel.channel.connect.forms import ConnectForm
from saleschannel.channel.errors import AccountInvalid, AuthorizationRefused, NotConfigured
from saleschannel.channel.models import Account
from saleschannel.dashboard.permissions import is_manager, manager_required, viewer_required
from saleschannel.dashboard.views.common import render_page

#: HTTP status of each refusal: a foreign state is forbidden, the rest are bad requests.
_STATUS = {"state_foreign": 403, "exchange_failed": 502}


def _callback_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("connect:callback"))


def _account_or_404(pk: int) -> Account:
    account = Account.objects.filter(pk=pk).first()
    if account is None:
        raise Http404("No such account.")
    return account


@never_cache
@manager_required
@require_http_methods(["GET", "POST"])
def connect_start(request: HttpRequest) -> HttpResponse:
    """Pick the marketplace, then off to its Seller Central."""
    config = application_config()
    form = ConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and config.complete:
        try:
            _row, url = services.authorization_start(
                user=request.user, marketplace_id=form.cleaned_data["marketplace"],
                account_name=form.cleaned_data["name"], redirect_url=_callback_url(request),
            )
        except AccountInvalid as exc:
            form.add_error("name" if exc.field == "name" else "marketplace", exc.message)
        except NotConfigured:
            pass  # shown below from the configuration
        else:
            return HttpResponseRedirect(url)
    context = {"form": form, "config": config, "nav": "accounts", "title": "Connect Amazon account"}
    return render_page(request, "connect/start.html", context, status=200 if config.complete else 503)


@never_cache
@require_http_methods(["GET"])
def connect_callback(request: HttpRequest) -> HttpResponse:
    """Seller Central sends the merchant back here with state, selling_partner_id and spapi_oauth_code.

    Signed out meanwhile: no detour through the login page, whose form would carry the
    code along in its ``next`` field; the merchant signs in and starts again.
    """
    if not request.user.is_authenticated:
        refusal = AuthorizationRefused("signed_out", "Your session ended while you were at Seller Central. "
                                       "Log in and connect the account again.")
        return render(request, "connect/signed_out.html", {"refusal": refusal}, status=401)
    if not is_manager(request.user):
        raise PermissionDenied("Only managers may connect Amazon accounts.")
    query = request.GET
    try:
        account, created = services.authorization_complete(
            user=request.user, state=query.get("state", ""), selling_partner_id=query.get("selling_partner_id", ""),
            code=query.get("spapi_oauth_code", ""), error=query.get("error", ""),
        )
    except AuthorizationRefused as exc:
        context = {"refusal": exc, "nav": "accounts", "title": "Amazon account not connected"}
        return render_page(request, "connect/refused.html", context, status=_STATUS.get(exc.code, 400))
    if created:
        messages.success(request, f"{account.name} is connected. Import Amazon Orders is disabled: "
                                  "enable it in Order Settings when you are ready.")
    else:
        messages.success(request, f"{account.name} is reconnected: syncing resumes where it stopped.")
    # Off this URL at once, so the code does not stay in the address bar or the history.
    return HttpResponseRedirect(reverse("dashboard:store_dashboard", args=[account.pk]))


@never_cache
@viewer_required
def connection(request: HttpRequest, pk: int) -> HttpResponse:
    """The account's connection: its state, the last error, Reconnect and Disconnect."""
    account = _account_or_404(pk)
    context = {
        "account": account, "status": selectors.connection_status(account), "config": application_config(),
        "nav": "accounts", "title": f"Connection of {account.name}",
    }
    return render_page(request, "connect/connection.html", context)


@manager_required
@require_POST
def reconnect(request: HttpRequest, pk: int) -> HttpResponse:
    """Authorize the account's seller again (after a revocation, an expiry, or a disconnect)."""
    account = _account_or_404(pk)
    try:
        _row, url = services.authorization_start(
            user=request.user, marketplace_id=account.marketplace_id, account=account,
            redirect_url=_callback_url(request),
        )
    except NotConfigured as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("connect:connection", args=[account.pk]))
    return HttpResponseRedirect(url)


@manager_required
@require_POST
def disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    """Forget the credentials, keep the orders."""
    account = services.account_disconnect(account=_account_or_404(pk), user=request.user)
    messages.success(request, f"{account.name} is disconnected: its credentials are forgotten and it is not "
                              "synced until it is reconnected. Its orders are kept.")
    return HttpResponseRedirect(reverse("connect:connection", args=[account.pk]))
