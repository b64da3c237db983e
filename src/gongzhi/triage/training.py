"""Where training examples come from: the bundled real messages, the taxonomy, and staff-confirmed
appeals in the database."""

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from gongzhi.triage.classifier import Example

DATA = Path(__file__).resolve().parent / "data"
SEED_MESSAGES = DATA / "messages_train.csv"
TAXONOMY = Path(__file__).resolve().parent.parent / "appeals" / "data" / "taxonomy.csv"
# The compound tree (物业服务, 停车管理 …) and its labelled set (docs/triage.md: what is in it and why).
COMPOUND_TREE = Path(__file__).resolve().parent.parent / "appeals" / "data" / "compound_tree.csv"
COMPOUND_REAL = DATA / "compound_real.csv"
COMPOUND_WRITTEN = DATA / "compound_written.csv"
COLUMNS = ("id", "user", "subject", "time", "detail", "category")


class DataError(ValueError):
    """A training or evaluation file is not in the expected shape."""


def read_messages(path: Path) -> list[Example]:
    """Rows of a CSV with the columns of messages_train.csv; rows without a category are rejected."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise DataError(f"Cannot open {path}: {exc.strerror}") from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("subject", "detail", "category") if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path} lacks the column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}.")
        examples = []
        for line, row in enumerate(reader, start=2):
            label = (row.get("category") or "").strip()
            if not label:
                raise DataError(f"{path}, row {line}: no category.")
            examples.append(
                Example((row.get("subject") or "").strip(), (row.get("detail") or "").strip(), label)
            )
    return examples


def seed_examples() -> list[Example]:
    return read_messages(SEED_MESSAGES)


def compound_real() -> tuple[list[Example], list[str]]:
    """The real messages that concern a compound, relabelled to the compound tree, and the group of each
    (copies of one complaint share a group, so that cross-validation never splits them)."""
    examples, groups = [], []
    with COMPOUND_REAL.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            examples.append(Example(row["subject"].strip(), row["detail"].strip(), row["category"].strip()))
            groups.append(row["group"])
    return examples, groups


def compound_written() -> list[Example]:
    """Examples written for the labelled set from the compounds' named problems (kept apart from the real)."""
    return read_messages(COMPOUND_WRITTEN)


def compound_examples() -> list[Example]:
    return compound_real()[0] + compound_written()


def compound_tree_documents(path: Path = COMPOUND_TREE) -> list[tuple[str, str]]:
    """One (level-1 name, text) row per second-level entry of the compound tree: its name."""
    with path.open(encoding="utf-8") as handle:
        return [(row["level1"].strip(), row["level2"].strip()) for row in csv.DictReader(handle)]


def taxonomy_documents(path: Path = TAXONOMY) -> list[tuple[str, str]]:
    """One (level-1 name, text) row per second-level entry: its name and its third-level terms."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            groups[(row["level1"].strip(), row["level2"].strip())].append(row["level3"].strip())
    return [(level1, " ".join([level2, *terms])) for (level1, level2), terms in groups.items()]


def _term_parts(text: str) -> Iterator[str]:
    for part in re.split(r"[、，,和及与/（）()\s]", text):
        if 2 <= len(part) <= 4:
            yield part


def lexicon() -> set[str]:
    """Words of 2–4 characters from jieba's dictionary, plus the taxonomy's terms.

    jieba is needed only here, at training time; the trained model carries the words it uses."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    words = {w for w, freq in jieba.dt.FREQ.items() if freq > 0 and 2 <= len(w) <= 4}
    for _label, text in taxonomy_documents() + compound_tree_documents():
        words.update(_term_parts(text))
    return words
