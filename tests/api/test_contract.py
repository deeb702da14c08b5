"""Schemathesis over the whole API, through its WSGI app: every operation keeps its own document.

The operations are read from the served schema, so an operation added later is covered without
a change here. Each runs with a manager's token and with a staff user's, in the coverage and
fuzzing phases. ``make reliability`` (``HYPOTHESIS_PROFILE=long``) runs many more examples.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from saleschannel.api.tokens import api_token_create
from saleschannel.commerce.catalog.services import product_create
from tests.dashboard import factories

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection, positive_data_acceptance]
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long" or os.environ.get("SALESCHANNEL_RUN_SLOW") == "1"
EXAMPLES = 100 if LONG else 12


@pytest.fixture(params=["manager", "staff"])
def role(request):
    return request.param


@pytest.fixture
def token(role, manager, staff):
    return api_token_create(user=manager if role == "manager" else staff).key


def served_document() -> dict:
    """The document as /api/v1/schema serves it (it needs no data, only the code)."""
    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(json.loads(json.dumps(served_document(), default=str)))
schema.app = get_wsgi_application()
schema.config.phases.update(phases=["coverage", "fuzzing"])
schema.config.generation.update(max_examples=EXAMPLES, deterministic=not LONG)


@pytest.fixture(autouse=True)
def shop(db, account, settings):
    """A small shop: an account, a product, orders in each state."""
    settings.ALLOWED_HOSTS = ["*"]
    # As Django's test client does: the WSGI app must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    product_create(sku="SKU-1", name="Blue mug", price="9.90", qty=10)
    factories.import_enable(account)
    factories.amazon_order_receive(account, factories.raw_order("302-9100000-0000001"))
    factories.amazon_order_make(account, fba=True, status="SHIPPED")
    factories.amazon_order_make(account, import_state="error", reason="bad")
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG,
          suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_document(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
