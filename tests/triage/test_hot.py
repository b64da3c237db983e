"""Hot-issue clustering on the 30 real public-board messages and on edge cases."""

import csv
from datetime import UTC, datetime, timedelta

from gongzhi.triage.duplicates import HOT_MESSAGES
from gongzhi.triage.hot import Item, Weights, hot_issues
from gongzhi.triage.training import DATA

END = datetime(2020, 1, 1, tzinfo=UTC)
START = END - timedelta(days=30)


def board(place=lambda row: "社区"):
    with HOT_MESSAGES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        Item(
            int(r["id"]),
            r["subject"],
            r["detail"],
            START + timedelta(days=n % 30),
            place(r),
            "",
            int(r["likes"]) - int(r["dislikes"]),
        )
        for n, r in enumerate(rows)
    ]


def test_the_two_real_runs_of_complaints_come_first():
    with (DATA / "duplicates_hot_groups.csv").open(encoding="utf-8") as handle:
        groups = {}
        for row in csv.DictReader(handle):
            groups.setdefault(row["group"], set()).add(int(row["id"]))
    issues = hot_issues(board(), start=START, end=END)
    assert [set(i.appeal_ids) for i in issues[:2]] == [groups["meili"], groups["jingji"]]
    assert issues[0].support == 18 and issues[0].size == 10
    # Nothing else forms a large group: at most one stray pair.
    assert all(i.size <= 2 for i in issues[2:]) and len(issues) <= 3


def test_other_places_need_closer_wording():
    """Different communities add 0.10 to the distance: the college's five messages (worded less alike) no
    longer form one group when split across two communities; the eateries' near-identical ones still do."""

    def place(row):
        return "甲社区" if int(row["id"]) % 2 else "乙社区"

    together = hot_issues(board(), start=START, end=END)
    apart = hot_issues(board(place), start=START, end=END)
    college = {360110, 360111, 360112, 360113, 360114}
    assert any(set(i.appeal_ids) == college for i in together)
    assert not any(set(i.appeal_ids) == college for i in apart)
    assert max(i.size for i in apart) >= 9  # the eateries, told in nearly the same words


def test_ranking_weights_and_edge_cases():
    items = board()
    assert hot_issues([], start=START, end=END) == []
    assert hot_issues(items[:1], start=START, end=END) == []
    by_support = hot_issues(items, start=START, end=END, weights=Weights(size=0, growth=0, support=1))
    assert by_support[0].support == max(i.support for i in by_support)
    assert len(hot_issues(items, start=START, end=END, limit=1)) == 1
