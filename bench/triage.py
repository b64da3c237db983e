"""Smart triage speed: model load time, classification throughput on one core, the duplicate check an
intake triggers, and hot-issue clustering of a month's appeals. No database needed.

Run with `make bench-triage`; figures go in docs/benchmarks.md.
"""

import os

# One core, one thread: the target is per core.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from gongzhi.triage import duplicates  # noqa: E402
from gongzhi.triage.classifier import CategoryClassifier  # noqa: E402
from gongzhi.triage.hot import Item, hot_issues  # noqa: E402
from gongzhi.triage.training import lexicon, seed_examples, taxonomy_documents  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "triage.json"


def main() -> None:
    rng = random.Random(7)
    examples = seed_examples()
    replies = duplicates.csv_rows(duplicates.REPLIES)
    texts = [(e.subject, e.detail) for e in examples] + [(r["subject"], r["detail"]) for r in replies]
    out: dict[str, object] = {
        "machine": f"{os.cpu_count()} cores, measured on one",
        "python": sys.version.split()[0],
    }

    started = time.perf_counter()
    model = CategoryClassifier.train(examples, lexicon=lexicon(), extra=taxonomy_documents())
    out["train_s"] = round(time.perf_counter() - started, 2)
    blob = model.dumps()
    out["model_bytes"] = len(blob)

    loads = []
    for _ in range(20):
        t = time.perf_counter()
        CategoryClassifier.loads(blob)
        loads.append((time.perf_counter() - t) * 1000)
    out["load_ms_median"] = round(statistics.median(loads), 1)
    with tempfile.NamedTemporaryFile(suffix=".npz") as handle:
        handle.write(blob)
        handle.flush()
        probe = (
            "import sys,time; t=time.perf_counter(); "
            "from gongzhi.triage.classifier import CategoryClassifier; "
            f"m=CategoryClassifier.loads(open({handle.name!r},'rb').read()); m.suggest('路灯不亮','小区路灯坏了'); "
            "print(time.perf_counter()-t)"
        )
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
        cold = float(subprocess.check_output([sys.executable, "-c", probe], env=env, text=True))  # noqa: S603
    out["cold_start_s"] = round(cold, 3)  # a new process: imports, load, first suggestion

    batch = [rng.choice(texts) for _ in range(20_000)]
    mean_chars = statistics.mean(len(s) + len(d) for s, d in batch)
    t = time.perf_counter()
    for i in range(0, len(batch), 1000):
        model.suggest_many(batch[i : i + 1000])
    out["batch_messages_per_s"] = round(len(batch) / (time.perf_counter() - t))
    out["mean_message_chars"] = round(mean_chars)
    single = batch[:2000]
    t = time.perf_counter()
    for subject, detail in single:
        model.suggest(subject, detail)
    out["single_messages_per_s"] = round(len(single) / (time.perf_counter() - t))

    duplicates.vectoriser()  # fitted once per process
    timings = []
    for _ in range(200):
        pool = [rng.choice(texts) for _ in range(300)]
        t = time.perf_counter()
        duplicates.similarities([rng.choice(texts)], pool)
        timings.append((time.perf_counter() - t) * 1000)
    cuts = statistics.quantiles(timings, n=20)
    out["duplicate_check_300_ms_p50"] = round(statistics.median(timings), 1)
    out["duplicate_check_300_ms_p95"] = round(cuts[18], 1)

    end = datetime(2026, 11, 1, tzinfo=UTC)
    places = [f"社区{n}" for n in range(40)]
    items = [
        Item(n, *rng.choice(texts), end - timedelta(days=rng.uniform(0, 30)), rng.choice(places), "", 0)
        for n in range(2000)
    ]
    t = time.perf_counter()
    found = hot_issues(items, start=end - timedelta(days=30), end=end)
    out["hot_issues_2000_s"] = round(time.perf_counter() - t, 2)
    out["hot_issues_found"] = len(found)

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for key, value in out.items():
        print(f"{key}={value}")


if __name__ == "__main__":
    main()
