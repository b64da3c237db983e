"""Likely duplicates: the same problem told twice, by the same or another resident.

Text similarity is the cosine of character 1–2-gram TF-IDF vectors (idf from the bundled real
messages). It beat dictionary words on the labelled set (data/duplicates_*.csv; docs/triage.md):
paraphrases keep the place name and the key characters even when the wording changes. Place and time
narrow the candidates before any text is compared: the same community, filed in the last weeks, still
open.
"""

import csv
import itertools
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

from gongzhi.triage.classifier import WordIndex, tfidf
from gongzhi.triage.text import document
from gongzhi.triage.training import DATA, SEED_MESSAGES

THRESHOLD = 0.15  # cosine at or above which two appeals are offered as duplicates (docs/triage.md)
HOT_MESSAGES = DATA / "messages_hot.csv"
REPLIES = Path(__file__).resolve().parent / "data" / "messages_with_replies.csv"


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class Vectoriser:
    """Character 1–2-gram TF-IDF, fitted by scikit-learn, applied with WordIndex (same vectors, faster)."""

    def __init__(self, fitted: TfidfVectorizer) -> None:
        self.idf = fitted.idf_
        self.index = WordIndex(fitted.vocabulary_, (1, 2), latin_words=False)

    def transform(self, docs: list[str]) -> csr_matrix:
        return tfidf(self.index.counts(docs), self.idf)


@lru_cache(maxsize=1)
def vectoriser() -> Vectoriser:
    """Fitted once per process on the bundled messages (the same files on every machine)."""
    corpus = [document(r["subject"], r["detail"]) for r in csv_rows(SEED_MESSAGES) + csv_rows(REPLIES)]
    return Vectoriser(TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit(corpus))


def similarities(texts: list[tuple[str, str]], others: list[tuple[str, str]]) -> np.ndarray:
    """(len(texts), len(others)) cosine similarities of (subject, detail) pairs."""
    if not texts or not others:
        return np.zeros((len(texts), len(others)))
    vec = vectoriser()
    a = vec.transform([document(s, d) for s, d in texts])
    b = vec.transform([document(s, d) for s, d in others])
    return np.asarray((a @ b.T).todense())


@dataclass(frozen=True)
class Scores:
    pairs: int
    duplicates: int
    precision: float
    recall: float
    threshold: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


Pair = tuple[tuple[str, str], tuple[str, str], bool, str]  # text, text, duplicate?, which set


def labelled_pairs(hot: Path = HOT_MESSAGES, replies: Path = REPLIES) -> list[Pair]:
    """The labelled set: every pair of the 30 public-board messages (two real runs of one complaint are
    grouped in data/duplicates_hot_groups.csv), and 24 hand-written re-tellings of real messages
    (data/duplicates_paraphrases.csv) against all 120 messages with replies."""
    groups = {r["id"]: r["group"] for r in csv_rows(DATA / "duplicates_hot_groups.csv")}
    pairs = []
    board = csv_rows(hot)
    for a, b in itertools.combinations(board, 2):
        same = a["id"] in groups and groups[a["id"]] == groups.get(b["id"])
        pairs.append(((a["subject"], a["detail"]), (b["subject"], b["detail"]), same, "board"))
    messages = csv_rows(replies)
    for p in csv_rows(DATA / "duplicates_paraphrases.csv"):
        for m in messages:
            pairs.append(
                (
                    (p["subject"], p["detail"]),
                    (m["subject"], m["detail"]),
                    p["source_id"] == m["id"],
                    "retelling",
                )
            )
    return pairs


def evaluate(pairs: list[Pair], threshold: float = THRESHOLD) -> Scores:
    if not pairs:
        raise ValueError("No labelled pairs.")
    vec = vectoriser()
    a = vec.transform([document(*p[0]) for p in pairs])
    b = vec.transform([document(*p[1]) for p in pairs])
    scores = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    truth = np.array([p[2] for p in pairs])
    flagged = scores >= threshold
    precision = float(truth[flagged].mean()) if flagged.any() else 0.0
    recall = float(flagged[truth].mean()) if truth.any() else 0.0
    return Scores(len(pairs), int(truth.sum()), precision, recall, threshold)
