"""Residents filing appeals through the JSON API (driven by bench/submit.py)."""

import itertools
import json
import os
import random
import time
import uuid

from locust import FastHttpUser, between, events, task

CLIENTS = json.loads(open(os.environ["GONGZHI_BENCH_CLIENTS"], encoding="utf-8").read())  # noqa: SIM115
TEXTS = CLIENTS.pop("texts")
_next = itertools.count()
# Each request's end time and response time, so that the run can be read without its opening burst (all
# 50 residents tap send in the same instant when the run starts).
_times = open(os.environ["GONGZHI_BENCH_TIMES"], "a", encoding="utf-8")  # noqa: SIM115


@events.request.add_listener
def _record(response_time: float, exception: object, **_kwargs: object) -> None:
    if exception is None:
        _times.write(f"{time.time():.3f} {response_time:.1f}\n")


@events.quitting.add_listener
def _close(**_kwargs: object) -> None:
    _times.close()


class Resident(FastHttpUser):  # geventhttpclient: less of the shared CPU goes to the load generator
    # A resident types, then taps send: think time between submissions.
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        me = CLIENTS["residents"][next(_next) % len(CLIENTS["residents"])]
        self.token, self.node = me["token"], me["node"]

    @task
    def file_appeal(self) -> None:
        title, body = random.choice(TEXTS)
        self.client.post(
            "/api/v1/appeals",
            json={"node_id": self.node, "title": title[:120], "body": body[:5000]},
            headers={"Authorization": f"Bearer {self.token}", "Idempotency-Key": uuid.uuid4().hex},
            name="POST /api/v1/appeals",
        )
