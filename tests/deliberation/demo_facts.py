"""The demo reproduces the issue's deliberation and mediation facts (慧园, 七古登, 南八苑, 望湖, 上塘).
``check_demo_facts`` runs inside tests/core/test_demo.py, after the one load of the whole demo."""

from gongzhi.accounts.models import User
from gongzhi.appeals.models import Appeal
from gongzhi.deliberation.models import (
    Ballot,
    Council,
    MediationCase,
    Meeting,
    OwnedUnit,
    Topic,
    TopicRating,
    Vote,
)


def check_demo_facts() -> None:
    # unscoped-module: the test reads the demo world as the system
    # 慧园: 议享幸福 with 20+ settled topics, among them 地下车库渗漏 (an owners' vote) and 垃圾箱体改造.
    huiyuan = Council.objects.get(name="议享幸福党群议事会")
    done = Topic.objects.filter(council=huiyuan, status="done")
    assert done.count() >= 20
    assert done.filter(title="地下车库渗漏").exists() and done.filter(title="垃圾箱体改造").exists()
    garage_vote = Vote.objects.get(topic__title="地下车库渗漏", kind="owners")
    assert garage_vote.major and garage_vote.result["participation_ok"] and garage_vote.result["approved"]
    # The demo resident owns two flats: one head and two units in the register; both are open for them to
    # vote from the phone in the open owners' vote (one ballot per unit).
    resident = User.objects.get(username="huiyuan-resident")
    flats = OwnedUnit.objects.filter(owner=resident, node=huiyuan.node)
    assert sorted(flats.values_list("number", flat=True)) == ["1-101", "3-601"]
    assert flats.values("owner_key").distinct().count() == 1
    register = OwnedUnit.objects.filter(node=huiyuan.node)
    assert garage_vote.result["units"] == register.count() == 96
    assert garage_vote.result["total_owners"] == register.values("owner_key").distinct().count() == 95
    open_vote = Vote.objects.get(topic__council=huiyuan, kind="owners", status="open")
    assert not Ballot.objects.filter(vote=open_vote, unit__in=flats).exists()
    assert Ballot.objects.filter(vote=open_vote).exists()
    # 七古登: the sorting points chosen by ranked vote; the first round's leader did not win.
    ranked = Vote.objects.get(topic__council__name="大家谈·红桥议事会", kind="ranked")
    rounds = ranked.result["rounds"]
    assert len(rounds) == 2 and rounds[0].index(max(rounds[0])) != ranked.result["winner"]
    # 南八苑: three round tables on the green belt, the garden done, the appeal resolved and rated.
    belt = Topic.objects.get(council__name="百姓圆桌会", source="appeal")
    assert belt.status == "done" and "口袋花园" in belt.decision
    assert Meeting.objects.filter(council__name="百姓圆桌会").count() == 3
    assert TopicRating.objects.filter(topic=belt).count() >= 3
    assert Appeal.objects.get(pk=belt.appeal_id).status == "closed"
    # 望湖: 月月谈 at three levels; the three settled matters; parking moved up from the compound.
    assert set(Council.objects.filter(series="月月谈").values_list("node__kind", flat=True)) == {
        "subdistrict",
        "community",
        "compound",
    }
    for title in ("自行车棚", "智能健身驿站", "停车秩序"):
        assert Topic.objects.get(title=title, node__name="望湖社区").status == "done"
    assert Topic.objects.get(title="停车秩序").events.filter(action="escalate").exists()
    # Mediation at 望湖 and 上塘, one at risk, one written agreement followed up.
    cases = MediationCase.objects.all()
    assert (
        cases.filter(node__path__startswith=Council.objects.get(name="望湖街道月月谈").node.path).count() == 3
    )
    assert cases.filter(node__name="上塘社区").count() == 2
    assert cases.filter(at_risk=True).count() == 1 and cases.filter(status="follow_up").count() == 1
