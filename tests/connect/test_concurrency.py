"""Callbacks at the same time (PostgreSQL): a state is used once, a seller gets one account."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from saleschannel.channel.connect import services
from saleschannel.channel.errors import AuthorizationRefused
from saleschannel.channel.models import Account
from tests.connect.helpers import seller_central_answer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CALLBACK = "http://testserver/accounts/connect/callback/"


def approvals(user, sandbox, clock, count):
    answers = []
    for _ in range(count):
        _row, url = services.authorization_start(user=user, marketplace_id="ATVPDKIKX0DER", redirect_url=CALLBACK,
                                                 now=clock.now())
        answers.append(seller_central_answer(url, sandbox=sandbox))
    return answers


def at_once(user, sandbox, clock, answers):
    """Complete each answer on its own thread and connection, released together."""
    barrier = threading.Barrier(len(answers))
    outcomes: list[object] = [None] * len(answers)

    def run(i, answer):
        try:
            barrier.wait()
            outcomes[i] = services.authorization_complete(
                user=user, state=answer["state"], selling_partner_id=answer["selling_partner_id"],
                code=answer["spapi_oauth_code"], transport=sandbox.transport(), now=clock.now(),
            )
        except AuthorizationRefused as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(answers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_one_state_completed_twice_at_once_connects_once(app_config, manager, sandbox, clock, store_defaults):
    answer = approvals(manager, sandbox, clock, 1)[0]
    outcomes = at_once(manager, sandbox, clock, [answer, answer, answer])
    refused = [o for o in outcomes if isinstance(o, AuthorizationRefused)]
    assert len(refused) == 2 and {r.code for r in refused} == {"state_used"}
    assert Account.objects.count() == 1
    assert sandbox.calls()["operations"]["token"] == 1  # the code went to Amazon once


def test_two_approvals_of_one_seller_at_once_make_one_account(app_config, manager, sandbox, clock, store_defaults):
    outcomes = at_once(manager, sandbox, clock, approvals(manager, sandbox, clock, 2))
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert Account.objects.count() == 1
    assert sorted(created for _account, created in outcomes) == [False, True]  # type: ignore[misc]
