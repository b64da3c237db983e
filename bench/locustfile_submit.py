"""Residents filing appeals through the JSON API (driven by bench/submit.py)."""

import itertools
import json
import os
import random
import uuid

from locust import FastHttpUser, between, task

CLIENTS = json.loads(open(os.environ["GONGZHI_BENCH_CLIENTS"], encoding="utf-8").read())  # noqa: SIM115
TEXTS = CLIENTS.pop("texts")
_next = itertools.count()


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
