"""Text handling shared by the classifier, duplicate finder and hot-issue clustering.

Residents' messages mix full-width and half-width forms, traditional punctuation, digits and
pseudonymised place codes ("A3区", "K9县"). ``normalise`` folds all of that so two residents describing
the same problem in different typography look alike.
"""

import re
import unicodedata

MAX_CHARS = 2000  # longer messages are cut: the problem is stated at the start, and time stays bounded
SUBJECT_WEIGHT = 2
LONGEST_WORD = 4  # the subject is repeated: it is the resident's own one-line summary

_PLACE_CODE = re.compile(r"[A-Z]\d{0,2}[省市区县镇]")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
LATIN_WORD = re.compile(r"[a-z][a-z0-9]+|[0-9]+[a-z][a-z0-9]*")


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower case, pseudonymised place codes and digit runs folded."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _PLACE_CODE.sub("", text)
    text = text.lower()
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip()


def document(subject: str, detail: str) -> str:
    """One string for an appeal: subject (weighted) and the start of the details."""
    subject = normalise(subject)[:200]
    detail = normalise(detail)[:MAX_CHARS]
    return "。".join([subject] * SUBJECT_WEIGHT + [detail])


class LexiconAnalyzer:
    """Every dictionary word of 2–``longest`` characters found anywhere in the text, plus Latin words.

    Unlike segmentation it keeps overlapping words (``小区物业`` gives 小区, 物业 and 小区物业), which
    suits short noisy messages, and it is a set lookup per position: no dictionary to load at run time.
    After training the lexicon is cut down to the words the model knows.
    """

    def __init__(self, lexicon: set[str], longest: int = LONGEST_WORD, latin: set[str] | None = None) -> None:
        # Words of the Basic Multilingual Plane only: the fast matcher (classifier.WordIndex) packs a
        # character into 16 bits.
        self.lexicon = frozenset(
            w for w in lexicon if not w.isascii() and 2 <= len(w) <= longest and max(map(ord, w)) < 0xFFFF
        )
        self.longest = longest
        # Latin words: all of them while training; afterwards only those the model knows.
        self.latin = None if latin is None else frozenset(latin)

    def __call__(self, text: str) -> list[str]:
        contains = self.lexicon.__contains__
        out: list[str] = []
        for n in range(2, self.longest + 1):
            out.extend(filter(contains, [text[i : i + n] for i in range(len(text) - n + 1)]))
        if self.latin is None:
            out.extend(LATIN_WORD.findall(text))
        else:
            out.extend(w for w in LATIN_WORD.findall(text) if w in self.latin)
        return out
