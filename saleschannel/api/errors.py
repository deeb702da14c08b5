"""The API's answers to exceptions: DRF's, except that a body that cannot be read is a field error.

Every 400 then has one shape, ``{field: [message]}`` (``body`` for the request body itself).
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, exceptions.ParseError):
        return Response({"body": [str(exc.detail)]}, status=400)
    return drf_exception_handler(exc, context)
