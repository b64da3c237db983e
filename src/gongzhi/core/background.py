"""Background work that survives a consumer killed in the middle of a task, or started twice.

- **Leases, not locks.** ``lock_task(name)`` (Huey's decorator, as the apps use it) takes a lease on the
  ``core.Job`` row of that name: it expires ``GONGZHI_LEASE_SECONDS`` after it was taken or last renewed,
  and a thread renews it while the task runs. A process that dies holding it blocks the work until the
  lease runs out, never for good. The row records when the work last ran to the end (``job_status``).
- **One scheduler.** Every consumer started without ``--no-periodic`` runs a scheduler; before queueing a
  periodic task for a period, it claims that period on the task's ``Job`` row with a compare-and-set,
  so the task is queued once per period however many schedulers run.
- **Periods.** ``Every(name, seconds)`` is a periodic schedule that settings can shorten
  (``GONGZHI_PERIODS``); ``GONGZHI_SCHEDULER_TICK`` is how often the schedulers look (60 seconds).

The queue itself gives no acknowledgement (Huey takes a task off Redis before running it): what must
happen is found again in the database by each app's periodic reconciler.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from huey import RedisHuey, SqliteHuey
from huey.consumer import Consumer, Scheduler
from huey.exceptions import TaskLockedException

log = logging.getLogger("gongzhi.background")

F_ = TypeVar("F_", bound=Callable[..., Any])


def lease_seconds() -> float:
    """How long a lease lasts without renewal (longer than a renewal interval, shorter than a period)."""
    return float(getattr(settings, "GONGZHI_LEASE_SECONDS", 120))


def scheduler_tick() -> int:
    return int(getattr(settings, "GONGZHI_SCHEDULER_TICK", 60))


def period_seconds(name: str, default: int) -> int:
    return int(getattr(settings, "GONGZHI_PERIODS", {}).get(name, default))


def _job_row(name: str) -> None:
    from gongzhi.core.models import Job

    if not Job.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                Job.objects.create(name=name)
        except IntegrityError:
            pass  # another process made it meanwhile


def _as_aware(moment: datetime) -> datetime:
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


# Leases ------------------------------------------------------------------------------------------------


def lease_acquire(name: str, holder: str, seconds: float | None = None) -> bool:
    """Take the lease ``name`` for ``holder`` if nobody holds it or the last holder's lease ran out."""
    from gongzhi.core.models import Job

    _job_row(name)
    now = timezone.now()
    return bool(
        Job.objects.filter(
            Q(held_until__isnull=True) | Q(held_until__lte=now) | Q(holder=holder), name=name
        ).update(
            holder=holder,
            held_until=now + timedelta(seconds=seconds or lease_seconds()),
            last_started_at=now,
            runs=F("runs") + 1,
        )
    )


def lease_renew(name: str, holder: str, seconds: float | None = None) -> bool:
    """Extend ``holder``'s lease; False when it is no longer theirs."""
    from gongzhi.core.models import Job

    until = timezone.now() + timedelta(seconds=seconds or lease_seconds())
    return bool(Job.objects.filter(name=name, holder=holder).update(held_until=until))


def lease_release(name: str, holder: str, *, succeeded: bool) -> None:
    """Give the lease back and record how the run ended."""
    from gongzhi.core.models import Job

    now = timezone.now()
    Job.objects.filter(name=name).update(
        **({"last_succeeded_at": now} if succeeded else {"last_failed_at": now})
    )
    Job.objects.filter(name=name, holder=holder).update(holder="", held_until=None)


class Lease:
    """``lock_task(name)``: a decorator and context manager that runs its work under the lease ``name``,
    renewed every third of its length while the work runs. Raises Huey's ``TaskLockedException`` (the
    consumer logs "not run, unable to acquire lock") while another live process holds it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.holder = ""
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    def __call__(self, fn: F_) -> F_:
        @wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return inner  # type: ignore[return-value]

    def __enter__(self) -> Lease:
        self.acquire()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._stop_renewing()
        lease_release(self.name, self.holder, succeeded=exc_type is None)

    def acquire(self) -> bool:
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:120]
        if not lease_acquire(self.name, self.holder):
            raise TaskLockedException(f"unable to acquire lock {self.name}")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"lease {self.name}", daemon=True)
        self._thread.start()
        return True

    def _renew(self) -> None:
        assert self._stop is not None
        try:
            while not self._stop.wait(lease_seconds() / 3):
                try:
                    if not lease_renew(self.name, self.holder):
                        log.warning("lease %s was taken over while %s still ran", self.name, self.holder)
                        return
                except Exception:
                    log.warning("could not renew lease %s", self.name, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    def _stop_renewing(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._stop = self._thread = None

    def is_locked(self) -> bool:
        from gongzhi.core.models import Job

        return Job.objects.filter(name=self.name, held_until__gt=timezone.now()).exists()

    locked = is_locked

    def clear(self) -> None:
        from gongzhi.core.models import Job

        Job.objects.filter(name=self.name).update(holder="", held_until=None)

    release = clear


# Status --------------------------------------------------------------------------------------------------


def job_status(name: str, *, period: int, now: datetime | None = None) -> dict[str, Any]:
    """When the work ``name`` last ran to the end, how many minutes ago, and whether it is late (more than
    two periods ago, or never since it was first tried). For the health endpoint and the cockpit."""
    from gongzhi.core.models import Job

    now = now or timezone.now()
    job = Job.objects.filter(name=name).first()
    last = job.last_succeeded_at if job else None
    since = job.last_started_at if job and last is None else last
    late = since is not None and (now - since).total_seconds() > 2 * period
    return {
        "last_succeeded_at": last.isoformat() if last else None,
        "minutes_ago": int((now - last).total_seconds() // 60) if last else None,
        "period_seconds": period,
        "late": late,
        "running": bool(job and job.held_until and job.held_until > now),
    }


def background_status(now: datetime | None = None) -> dict[str, dict[str, Any]]:
    """``job_status`` of every schedule the apps watch (``GongzhiApp.watched_jobs``), by name."""
    from gongzhi.core.registry import watched_jobs

    return {every.name: job_status(every.name, period=every.period, now=now) for every in watched_jobs()}


# Scheduling ----------------------------------------------------------------------------------------------


class Every:
    """A periodic schedule: once every ``seconds`` (``settings.GONGZHI_PERIODS[name]`` if set), periods
    counted from the Unix epoch."""

    def __init__(self, name: str, seconds: int) -> None:
        self.name = name
        self.seconds = seconds

    @property
    def period(self) -> int:
        return period_seconds(self.name, self.seconds)

    def slot(self, now: datetime) -> datetime:
        """The start of the period ``now`` falls in."""
        epoch = _as_aware(now).timestamp()
        return datetime.fromtimestamp(epoch // self.period * self.period, UTC)

    def __call__(self, now: datetime) -> bool:
        # For a plain Huey scheduler: true in the first tick of each period.
        return _as_aware(now).timestamp() % self.period < scheduler_tick()


def slot_of(schedule: Callable[[datetime], bool] | None, task: Any, now: datetime) -> datetime | None:
    """The period a periodic task is due for at ``now`` (None if not due): an ``Every``'s period, or the
    scheduler's tick for any other schedule (a crontab) that says yes."""
    if isinstance(schedule, Every):
        return schedule.slot(now)
    if not task.validate_datetime(now):
        return None
    epoch = _as_aware(now).timestamp()
    return datetime.fromtimestamp(epoch // scheduler_tick() * scheduler_tick(), UTC)


def period_claim(name: str, slot: datetime) -> bool:
    """True for exactly one caller per ``name`` and ``slot``: the scheduler that queues it."""
    from gongzhi.core.models import Job

    _job_row(name)
    return bool(
        Job.objects.filter(Q(queued_for__isnull=True) | Q(queued_for__lt=slot), name=name).update(
            queued_for=slot
        )
    )


class OnceScheduler(Scheduler):
    """Huey's scheduler, queueing each periodic task once per period across every scheduler running."""

    def __init__(self, huey: Any, interval: int, periodic: bool) -> None:
        super().__init__(huey, interval, periodic)
        self.periodic_task_seconds = scheduler_tick()

    def enqueue_periodic_tasks(self, now: datetime | None) -> None:
        now = now or self.huey._get_timestamp()
        if not connection.in_atomic_block:  # (a test's transaction): otherwise drop a stale connection
            close_old_connections()
        for task in self.huey._registry.periodic_tasks:
            try:
                slot = slot_of(getattr(type(task), "gongzhi_schedule", None), task, now)
                if slot is None or not period_claim(task.name, slot):
                    continue
            except Exception:
                log.exception("could not claim the period of %s", task.name)
                continue
            # The period is named: under load the line may be written after the period it was queued for ended.
            self._logger.info("Enqueueing periodic task %s for the period from %s.", task, slot.isoformat())
            self.huey.enqueue(task)


class OnceConsumer(Consumer):
    scheduler_class = OnceScheduler


class _GongzhiHuey:
    """What Gongzhi changes in Huey: expiring leases for ``lock_task``, one scheduler per period."""

    def create_consumer(self, **options: Any) -> Consumer:
        return OnceConsumer(self, **options)

    def lock_task(self, lock_name: str) -> Lease:
        return Lease(lock_name)

    def periodic_task(self, validate_datetime: Callable[[datetime], bool], *args: Any, **kwargs: Any) -> Any:
        inner = super().periodic_task(validate_datetime, *args, **kwargs)  # type: ignore[misc]

        def decorator(func: Any) -> Any:
            wrapper = inner(func)
            wrapper.task_class.gongzhi_schedule = validate_datetime
            return wrapper

        return decorator


class GongzhiRedisHuey(_GongzhiHuey, RedisHuey):
    pass


class GongzhiSqliteHuey(_GongzhiHuey, SqliteHuey):
    pass
