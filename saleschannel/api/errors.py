"""The API's answers to exceptions: DRF's, except that a body that cannot be read is a field error.

Every 400 then has one shape, ``{field: [message]}`` (``body`` for the request body itself).
An address under /api/ that no route matches (``/api/v1/accounts/-1``) is a JSON 404 like the
API's own, not the dashboard's page (``handler404``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, exceptions.ParseError):
        return Response({"body": [str(exc.detail)]}, status=400)
    return drf_exception_handler(exc, context)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
