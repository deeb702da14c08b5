"""S2, S3: notifications are hints. With 30% of them lost at random, and the others sparing their
getOrder when they tell enough, every order still ends at Amazon's status, once."""

from __future__ import annotations

import json
import random

import pytest

from saleschannel.channel.models import OrderFetchRequest, SyncRun
from saleschannel.channel.services.notifications import notification_accept
from saleschannel.channel.services.sync.client import account_client
from saleschannel.workers.loop import Worker
from tests.reliability.conftest import sandbox_app
from tests.sync.helpers import assert_exactly_once, channel_statuses, sandbox_statuses

pytestmark = pytest.mark.django_db
SECRET = "lost-notifications-secret"  # nosec B105


class LossyNotifier:
    """Delivers the sandbox's notifications to the channel's service, losing ``lost`` of them."""

    def __init__(self, clock, lost: float, seed: int) -> None:
        self.clock, self.lost, self.rng = clock, lost, random.Random(seed)  # nosec B311
        self.sent = self.dropped = self.fetches = 0

    def publish(self, event) -> None:
        self.sent += 1
        if self.rng.random() < self.lost:
            self.dropped += 1
            return
        accepted = notification_accept(body=json.dumps(event).encode(), api_key=SECRET, now=self.clock.now())
        self.fetches += accepted.fetch is not None

    def close(self) -> None:
        return None


def drive(worker, app, clock, seconds: float, step: float = 5.0) -> None:
    for _ in range(int(seconds / step)):
        clock.advance(step)
        app.tick()
        while worker.tick():
            pass


def test_s3_thirty_percent_of_notifications_lost_miss_nothing(account, clock, policy, monkeypatch):
    monkeypatch.setenv("SALESCHANNEL_NOTIFY_SECRET", SECRET)
    app = sandbox_app(clock, rate_limits=True, generate_per_minute=1.5, visibility_lag=20, seed=41)
    notifier = LossyNotifier(clock, 0.3, seed=7)
    app.notifier = notifier
    worker = Worker(clock=clock, policy=policy, client_factory=lambda a, c: account_client(
        account=a, clock=c, transport=app.transport()))
    drive(worker, app, clock, 75 * 60)
    app.generate_per_minute = 0
    drive(worker, app, clock, 60 * 60, step=30.0)
    assert notifier.dropped > 5 and notifier.sent > 3 * notifier.dropped
    assert 0 < notifier.fetches < notifier.sent - notifier.dropped, "some notifications spared their getOrder"
    assert OrderFetchRequest.objects.filter(done_at__isnull=False).exists()
    assert len(sandbox_statuses(app)) >= 80
    assert channel_statuses(account) == sandbox_statuses(app)
    assert_exactly_once(account)
    assert app.calls()["throttled"] == 0
    purposes = {k for run in SyncRun.objects.values_list("api_calls_by_purpose", flat=True) for k in run}
    assert {"incremental", "notification"} <= purposes
    app.close()
