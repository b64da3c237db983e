"""Leases that expire, one scheduler per period, no stored results (gongzhi.core.background; issue 24)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from huey import MemoryHuey
from huey.exceptions import TaskLockedException

from gongzhi.core.background import (
    Every,
    OnceScheduler,
    _GongzhiHuey,
    job_status,
    lease_acquire,
    period_claim,
)
from gongzhi.core.models import Job

pytestmark = pytest.mark.postgres


class _Huey(_GongzhiHuey, MemoryHuey):
    pass


def test_a_dead_holder_blocks_the_sweep_until_its_lease_runs_out(db):
    """A consumer killed while it held the sweep's lock used to switch the sweep off for good."""
    from gongzhi.appeals.tasks import SWEEP, sla_sweep

    dead = sla_sweep.huey.lock_task(SWEEP.name)
    dead.acquire()
    dead._stop_renewing()  # ... and the process dies: nothing renews or releases it
    held_until = Job.objects.get(name=SWEEP.name).held_until
    with pytest.raises(TaskLockedException):
        sla_sweep.call_local()
    with time_machine.travel(timezone.now() + timedelta(seconds=121)):
        sla_sweep.call_local()
        job = Job.objects.get(name=SWEEP.name)
        assert job.last_succeeded_at is not None and job.last_started_at > held_until
        assert job.holder == "" and job.held_until is None and job.runs == 2
        status = job_status(SWEEP.name, period=SWEEP.period)
        assert status["minutes_ago"] == 0 and status["late"] is False and status["running"] is False


def test_a_failed_run_is_not_a_success_and_frees_the_lease(db):
    huey = _Huey("t")

    @huey.lock_task("boom")
    def boom() -> None:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        boom()
    job = Job.objects.get(name="boom")
    assert job.last_failed_at is not None and job.last_succeeded_at is None and job.held_until is None
    assert lease_acquire("boom", "someone else")


@pytest.mark.django_db
def test_two_schedulers_queue_each_periodic_task_once_per_period():
    """Two consumers started without --no-periodic used to run every periodic task twice."""
    huey = _Huey("t")
    ran: list[str] = []

    @huey.periodic_task(Every("every-ten", 600))
    def every_ten() -> None:
        ran.append("x")

    first, second = OnceScheduler(huey, 1, True), OnceScheduler(huey, 1, True)
    now = datetime(2026, 12, 3, 10, 0, 5)  # Huey's clock: naive UTC
    first.enqueue_periodic_tasks(now)
    second.enqueue_periodic_tasks(now)
    second.enqueue_periodic_tasks(now + timedelta(minutes=5))  # same period
    assert huey.pending_count() == 1
    first.enqueue_periodic_tasks(now + timedelta(minutes=10))  # the next one
    assert huey.pending_count() == 2
    assert period_claim("every-ten", datetime(2026, 12, 3, 10, 20, tzinfo=UTC))
    assert not period_claim("every-ten", datetime(2026, 12, 3, 10, 20, tzinfo=UTC))


@pytest.mark.django_db
def test_a_crontab_task_is_claimed_once_per_minute():
    from huey import crontab

    huey = _Huey("t")

    @huey.periodic_task(crontab(minute="17", hour="3"))
    def nightly() -> None:
        pass

    schedulers = [OnceScheduler(huey, 1, True) for _ in range(3)]
    for scheduler in schedulers:
        scheduler.enqueue_periodic_tasks(datetime(2026, 12, 3, 3, 17, 1))
        scheduler.enqueue_periodic_tasks(datetime(2026, 12, 3, 3, 18, 1))
    assert huey.pending_count() == 1


def test_periods_can_be_shortened_by_settings(settings):
    settings.GONGZHI_PERIODS = {"every-ten": 8}
    every = Every("every-ten", 600)
    assert every.period == 8
    assert every.slot(datetime(2026, 12, 3, 10, 0, 5, tzinfo=UTC)).second == 0


def test_results_are_not_stored():
    from huey.contrib.djhuey import HUEY

    assert HUEY.results is False


@pytest.mark.django_db
def test_health_shows_when_the_sweep_last_ran_and_whether_it_is_late(client):
    from gongzhi.appeals.tasks import SWEEP, sla_sweep

    assert client.get("/healthz").json()["background"][SWEEP.name]["last_succeeded_at"] is None
    sla_sweep.call_local()
    sweep = client.get("/healthz").json()["background"][SWEEP.name]
    assert sweep["minutes_ago"] == 0 and sweep["late"] is False and sweep["period_seconds"] == 600
    with time_machine.travel(timezone.now() + timedelta(minutes=25)):
        answer = client.get("/healthz").json()
        assert answer["status"] == "ok"
        assert answer["background"][SWEEP.name]["minutes_ago"] == 25
        assert answer["background"][SWEEP.name]["late"] is True
