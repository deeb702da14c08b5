"""Login with Amazon as the sandbox plays it: the token endpoint (refresh_token and
authorization_code grants, with LWA's error shape), revocation for tests, and a
Seller Central consent page that hands out authorization codes."""

from __future__ import annotations

import datetime as dt
import html
import secrets
import threading
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from saleschannel.spapi.sandbox.wire import Request, Response, json_response


@dataclass(frozen=True)
class AccessGrant:
    refresh_token: str
    expires_at: dt.datetime


def lwa_error(status: int, error: str, description: str) -> Response:
    return json_response(status, {"error_description": description, "error": error})


class LoginWithAmazon:
    """Refresh tokens, access tokens and authorization codes the sandbox has handed out.

    Any non-empty refresh token is accepted unless revoked, so a demo can connect an
    account with a made-up token; authorization codes must come from the consent page.
    """

    def __init__(
        self, *, token_ttl: float = 3600.0, client_id: str | None = None, client_secret: str | None = None
    ) -> None:
        self.token_ttl = token_ttl
        self._client = (client_id, client_secret)
        self._revoked: set[str] = set()
        self._access: dict[str, AccessGrant] = {}
        self._codes: dict[str, str] = {}  # code -> selling partner id
        self._lock = threading.Lock()

    def token(self, request: Request, now: dt.datetime) -> Response:
        try:
            form = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return lwa_error(400, "invalid_request", "The request body is not form-encoded")
        grant = form.get("grant_type", "")
        if not grant:
            return lwa_error(
                400, "invalid_request", "The request is missing a required parameter : grant_type"
            )
        if grant not in ("refresh_token", "authorization_code"):
            return lwa_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server",
            )
        refused = self._check_client(form)
        if refused is not None:
            return refused
        if grant == "refresh_token":
            return self._refresh(form, now)
        return self._exchange(form, now)

    def _check_client(self, form: dict[str, str]) -> Response | None:
        for name in ("client_id", "client_secret"):
            if not form.get(name):
                return lwa_error(
                    400, "invalid_request", f"The request is missing a required parameter : {name}"
                )
        expected_id, expected_secret = self._client
        if expected_id is not None and (form["client_id"], form["client_secret"]) != (
            expected_id,
            expected_secret,
        ):
            return lwa_error(401, "invalid_client", "Client authentication failed")
        return None

    def _refresh(self, form: dict[str, str], now: dt.datetime) -> Response:
        refresh = form.get("refresh_token", "")
        if not refresh:
            return lwa_error(
                400, "invalid_request", "The request is missing a required parameter : refresh_token"
            )
        with self._lock:
            if refresh in self._revoked:
                return lwa_error(
                    400, "invalid_grant", "The request has an invalid grant parameter : refresh_token"
                )
        return self._issue(refresh, now, include_refresh=True)

    def _exchange(self, form: dict[str, str], now: dt.datetime) -> Response:
        code = form.get("code", "")
        if not code:
            return lwa_error(400, "invalid_request", "The request is missing a required parameter : code")
        with self._lock:
            partner = self._codes.pop(code, None)  # a code is good for one exchange
        if partner is None:
            return lwa_error(400, "invalid_grant", "The request has an invalid grant parameter : code")
        refresh = f"Atzr|sandbox-{partner}-{secrets.token_urlsafe(24)}"
        return self._issue(refresh, now, include_refresh=True)

    def _issue(self, refresh: str, now: dt.datetime, *, include_refresh: bool) -> Response:
        access = f"Atza|sandbox-{secrets.token_urlsafe(32)}"
        with self._lock:
            if len(self._access) > 1000:  # forget expired tokens now and then
                self._access = {k: g for k, g in self._access.items() if g.expires_at > now}
            self._access[access] = AccessGrant(refresh, now + dt.timedelta(seconds=self.token_ttl))
        body = {"access_token": access, "token_type": "bearer", "expires_in": int(self.token_ttl)}  # nosec B105  # the OAuth token type
        if include_refresh:
            body["refresh_token"] = refresh
        return json_response(200, body, {"cache-control": "no-store"})

    def seller_of(self, access_token: str | None, now: dt.datetime) -> str | None:
        """The refresh token behind a valid access token (the seller's identity), or None."""
        if not access_token:
            return None
        with self._lock:
            grant = self._access.get(access_token)
            if grant is None or grant.expires_at <= now or grant.refresh_token in self._revoked:
                return None
            return grant.refresh_token

    def revoke(self, refresh_token: str) -> None:
        """Revoke a refresh token and the access tokens it gave (the seller removed the app)."""
        with self._lock:
            self._revoked.add(refresh_token)

    def issue_code(self, selling_partner_id: str) -> str:
        code = f"ANsandbox{secrets.token_urlsafe(18)}"
        with self._lock:
            self._codes[code] = selling_partner_id
        return code

    def reset(self) -> None:
        with self._lock:
            self._revoked.clear()
            self._access.clear()
            self._codes.clear()


# --- the consent page -------------------------------------------------------------------------

CONSENT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize application (sandbox)</title></head>
<body>
<h1>Seller Central (sandbox)</h1>
<p>The application <strong>{application}</strong> asks to read your orders and confirm shipments
for selling partner <strong>{partner}</strong>.</p>
<form method="post" action="/apps/authorize/consent">
<input type="hidden" name="application_id" value="{application}">
<input type="hidden" name="state" value="{state}">
<input type="hidden" name="redirect_uri" value="{redirect}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</body></html>
"""


def consent_page(request: Request, partner: str) -> Response:
    """``GET /apps/authorize/consent?application_id=..&state=..&redirect_uri=..``"""
    params = dict(parse_qsl(request.query_string))
    refused = _check_consent(params)
    if refused is not None:
        return refused
    page = CONSENT_PAGE.format(
        application=html.escape(params["application_id"]),
        partner=html.escape(partner),
        state=html.escape(params["state"]),
        redirect=html.escape(params["redirect_uri"]),
    )
    return Response(200, page.encode("utf-8"), {"content-type": "text/html; charset=utf-8"})


def consent_decision(request: Request, lwa: LoginWithAmazon, partner: str) -> Response:
    """The Approve (or Deny) button: back to the redirect URI with the outcome."""
    params = dict(parse_qsl(request.body.decode("utf-8", "replace")))
    refused = _check_consent(params)
    if refused is not None:
        return refused
    if params.get("decision") != "approve":
        query = {"state": params["state"], "error": "access_denied"}
    else:
        query = {
            "state": params["state"],
            "selling_partner_id": partner,
            "spapi_oauth_code": lwa.issue_code(partner),
        }
    separator = "&" if urlsplit(params["redirect_uri"]).query else "?"
    return Response(302, b"", {"location": params["redirect_uri"] + separator + urlencode(query)})


def _check_consent(params: dict[str, str]) -> Response | None:
    for name in ("application_id", "state", "redirect_uri"):
        if not params.get(name):
            return Response(400, f"missing parameter: {name}".encode(), {"content-type": "text/plain"})
    if urlsplit(params["redirect_uri"]).scheme not in ("http", "https"):
        return Response(400, b"redirect_uri must be an http(s) URL", {"content-type": "text/plain"})
    return None
