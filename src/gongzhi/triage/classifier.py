"""The category classifier: dictionary words → TF-IDF → linear SVM, calibrated to give a confidence.

Chosen by repeated 5-fold cross-validation on the 338 real messages (docs/triage.md has the table):
dictionary-word matching beat jieba segmentation and character n-grams, the taxonomy's second- and
third-level terms as extra examples added about 0.035 macro-F1, and calibration both gives the
confidence and evens out the small classes.

scikit-learn trains it; the result is then reduced to a few numpy arrays (vocabulary, idf, the fold
models' weights and their sigmoid calibrations). Suggesting a category is a sparse product and a
sigmoid, about 0.2 ms a message, and a stored model is an ``.npz`` file read without pickle.
"""

import io
import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.special import expit

from gongzhi.triage.text import LATIN_WORD, LONGEST_WORD, LexiconAnalyzer, document

FORMAT = 2
MIN_EXAMPLES = 8  # a category needs this many real messages before it is ever suggested
FOLDS = 5


class ModelError(Exception):
    """The model cannot be trained or the stored one cannot be used."""


@dataclass(frozen=True)
class Example:
    subject: str
    detail: str
    label: str


@dataclass(frozen=True)
class Suggestion:
    label: str
    confidence: float


class WordIndex:
    """Counts vocabulary n-grams in many documents at once, in numpy: the counts scikit-learn's analyzers
    give (LexiconAnalyzer for the classifier, character n-grams for the duplicate finder), about five
    times faster.

    Each n-character window of a document becomes one 64-bit key (16 bits a character; characters
    outside the Basic Multilingual Plane become U+FFFF and vocabulary entries containing one are left
    out), and a sorted key table answers which windows are in the vocabulary and which column each is.
    With ``latin_words`` (the classifier), all-Latin entries are words found by LATIN_WORD instead.
    """

    def __init__(self, vocabulary: dict[str, int], sizes: Iterable[int], *, latin_words: bool = True) -> None:
        self.tables: list[tuple[int, np.ndarray, np.ndarray]] = []
        for n in sizes:
            words = [
                w
                for w in vocabulary
                if len(w) == n and not (latin_words and w.isascii()) and max(map(ord, w)) < 0xFFFF
            ]
            if not words:
                continue
            keys = self._keys(self._codes("".join(words)), n)[::n]
            order = np.argsort(keys)
            columns = np.array([vocabulary[w] for w in words], dtype=np.int64)
            self.tables.append((n, keys[order], columns[order]))
        self.latin = {w: c for w, c in vocabulary.items() if w.isascii()} if latin_words else {}
        self.size = len(vocabulary)

    @staticmethod
    def _codes(text: str) -> np.ndarray:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        codes[codes > 0xFFFF] = 0xFFFF
        return codes

    @staticmethod
    def _keys(codes: np.ndarray, n: int) -> np.ndarray:
        count = len(codes) - n + 1
        keys = codes[:count].copy()
        for j in range(1, n):
            keys = (keys << np.uint64(16)) | codes[j : j + count]
        return keys

    def counts(self, docs: Sequence[str]) -> csr_matrix:
        """(documents × vocabulary) word counts."""
        # One string for the batch; NUL separates documents and is in no word.
        joined = "\0".join(docs)
        codes = self._codes(joined)
        starts = np.cumsum([0] + [len(d) + 1 for d in docs[:-1]])
        rows, cols = [], []
        for n, keys, columns in self.tables:
            if len(codes) < n:
                continue
            windows = self._keys(codes, n)
            position = np.searchsorted(keys, windows)
            position[position == len(keys)] = 0
            hit = np.flatnonzero(keys[position] == windows)
            rows.append(np.searchsorted(starts, hit, side="right") - 1)
            cols.append(columns[position[hit]])
        if self.latin:
            for row, doc in enumerate(docs):
                found = [self.latin[w] for w in LATIN_WORD.findall(doc) if w in self.latin]
                rows.append(np.full(len(found), row, dtype=np.int64))
                cols.append(np.array(found, dtype=np.int64))
        row_ids = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        col_ids = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        matrix = csr_matrix((np.ones(len(row_ids)), (row_ids, col_ids)), shape=(len(docs), self.size))
        matrix.sum_duplicates()
        return matrix


def tfidf(counts: csr_matrix, idf: np.ndarray) -> csr_matrix:
    """scikit-learn's sublinear TF-IDF with unit-length rows, from raw counts."""
    counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(counts.multiply(1.0 / norms[:, None]))


@dataclass
class CategoryClassifier:
    labels: list[str]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (V,)
    weights: np.ndarray  # (V, folds × outputs)
    intercepts: np.ndarray  # (folds × outputs,)
    slope: np.ndarray  # (folds, outputs): sigmoid calibration p = expit(-(a·d + b))
    offset: np.ndarray  # (folds, outputs)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index = WordIndex(self.vocabulary, range(2, LONGEST_WORD + 1))

    # -- training ---------------------------------------------------------------------------

    @classmethod
    def train(
        cls, examples: Sequence[Example], *, lexicon: set[str], extra: Iterable[tuple[str, str]] = ()
    ) -> "CategoryClassifier":
        """Fit on real ``examples``; ``extra`` (label, text) rows (taxonomy terms) help only categories
        that have at least MIN_EXAMPLES real examples: the others are never suggested."""
        return cls._from_pipeline(*cls.fit_pipeline(examples, lexicon=lexicon, extra=extra))

    @staticmethod
    def fit_pipeline(
        examples: Sequence[Example], *, lexicon: set[str], extra: Iterable[tuple[str, str]] = ()
    ) -> tuple[Any, dict[str, int]]:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import Pipeline
        from sklearn.svm import LinearSVC

        counts = Counter(e.label for e in examples)
        keep = {label for label, n in counts.items() if n >= MIN_EXAMPLES}
        if len(keep) < 2:
            raise ModelError(f"At least two categories need {MIN_EXAMPLES} examples each.")
        texts = [document(e.subject, e.detail) for e in examples if e.label in keep]
        targets = [e.label for e in examples if e.label in keep]
        for label, text in extra:
            if label in keep:
                texts.append(document("", text))
                targets.append(label)
        pipeline = Pipeline(
            [
                (
                    "words",
                    TfidfVectorizer(analyzer=LexiconAnalyzer(lexicon, LONGEST_WORD), sublinear_tf=True),
                ),
                (
                    "svm",
                    CalibratedClassifierCV(
                        LinearSVC(C=1.0, class_weight="balanced", random_state=0), method="sigmoid", cv=FOLDS
                    ),
                ),
            ]
        )
        pipeline.fit(texts, targets)
        return pipeline, {label: counts[label] for label in sorted(keep)}

    @classmethod
    def _from_pipeline(cls, pipeline: Any, trained_on: dict[str, int]) -> "CategoryClassifier":
        vectoriser, calibrated = pipeline.named_steps["words"], pipeline.named_steps["svm"]
        labels = [str(c) for c in calibrated.classes_]
        weights, intercepts, slope, offset = [], [], [], []
        for fold in calibrated.calibrated_classifiers_:
            svm = fold.estimator
            if list(svm.classes_) != list(calibrated.classes_):
                raise ModelError("A cross-validation fold lacked a category.")
            weights.append(svm.coef_)
            intercepts.append(svm.intercept_)
            slope.append([c.a_ for c in fold.calibrators])
            offset.append([c.b_ for c in fold.calibrators])
        vocabulary = {word: int(col) for word, col in vectoriser.vocabulary_.items()}
        return cls(
            labels=labels,
            vocabulary=vocabulary,
            idf=vectoriser.idf_.astype(np.float64),
            weights=np.vstack(weights).T.astype(np.float64),
            intercepts=np.concatenate(intercepts).astype(np.float64),
            slope=np.array(slope, dtype=np.float64),
            offset=np.array(offset, dtype=np.float64),
            meta={"trained_on": trained_on, "trained_at": time.time(), "format": FORMAT},
        )

    # -- use -------------------------------------------------------------------------------------

    def vectors(self, docs: Sequence[str]) -> csr_matrix:
        """TF-IDF rows of normalised documents as scikit-learn computes them: (1 + log tf) · idf, unit length."""
        return tfidf(self._index.counts(docs), self.idf)

    def probabilities(self, docs: Sequence[str]) -> np.ndarray:
        """(n, labels) calibrated probabilities of normalised documents, averaged over the fold models."""
        return self._probabilities(self.vectors(docs))

    def _probabilities(self, vectors: csr_matrix) -> np.ndarray:
        folds, outputs = self.slope.shape
        decision = np.asarray(vectors @ self.weights) + self.intercepts
        decision = decision.reshape(vectors.shape[0], folds, outputs)
        proba = expit(-(self.slope * decision + self.offset))
        if len(self.labels) == 2:  # one output: the second label's probability
            proba = np.concatenate([1.0 - proba, proba], axis=2)
        else:
            total = proba.sum(axis=2, keepdims=True)
            proba = np.divide(proba, total, out=np.full_like(proba, 1 / len(self.labels)), where=total != 0)
        return proba.mean(axis=1)

    def suggest_many(self, pairs: Sequence[tuple[str, str]]) -> list[Suggestion | None]:
        """(subject, detail) pairs → a suggestion each, or None for a text with no word the model knows."""
        if not pairs:
            return []
        vectors = self.vectors([document(subject or "", detail or "") for subject, detail in pairs])
        proba = self._probabilities(vectors)
        known = vectors.getnnz(axis=1) > 0
        out: list[Suggestion | None] = []
        for row, ok in zip(proba, known, strict=True):
            if not ok:
                out.append(None)
                continue
            best = int(row.argmax())
            out.append(Suggestion(label=self.labels[best], confidence=round(float(row[best]), 4)))
        return out

    def suggest(self, subject: str, detail: str) -> Suggestion | None:
        return self.suggest_many([(subject, detail)])[0]

    # -- storage: an .npz file, no pickle -------------------------------------------------------

    def dumps(self) -> bytes:
        words = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            labels=np.array(self.labels),
            words=np.array(words),
            idf=self.idf,
            weights=self.weights.astype(np.float32),
            intercepts=self.intercepts,
            slope=self.slope,
            offset=self.offset,
            meta=np.array(json.dumps(self.meta, ensure_ascii=False)),
        )
        return buffer.getvalue()

    @classmethod
    def loads(cls, blob: bytes) -> "CategoryClassifier":
        try:
            with np.load(io.BytesIO(blob), allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("format") != FORMAT:
                    raise ModelError("The stored model has an older format; run `gongzhi triage train`.")
                words = [str(w) for w in data["words"]]
                model = cls(
                    labels=[str(label) for label in data["labels"]],
                    vocabulary={w: i for i, w in enumerate(words)},
                    idf=data["idf"],
                    weights=data["weights"].astype(np.float64),
                    intercepts=data["intercepts"],
                    slope=data["slope"],
                    offset=data["offset"],
                    meta=meta,
                )
        except ModelError:
            raise
        except Exception as exc:  # a truncated or foreign file
            raise ModelError(f"The stored model cannot be read: {exc}") from exc
        if model.weights.shape != (len(words), model.slope.size):
            raise ModelError("The stored model is inconsistent; run `gongzhi triage train`.")
        return model
