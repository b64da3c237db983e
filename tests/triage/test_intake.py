"""Triage at intake and in the workflow: suggestions, auto-fill, staff confirmation, retraining,
duplicates, and that none of it can stop an appeal being filed."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils import timezone

from gongzhi.appeals.models import Appeal, Category
from gongzhi.appeals.selectors import duplicate_candidates
from gongzhi.appeals.services import appeal_transition
from gongzhi.appeals.triage import appeal_duplicates_flag, confirmed_examples, triage_model_train
from gongzhi.triage.models import TriageModel
from gongzhi.triage.services import active_classifier, forget_loaded_model

SCHOOL = ("学校强制学生去工厂实习", "老师说不去实习就不能毕业，每天在流水线上工作十二个小时，学生都很累。")
NOISE = (
    "楼下烧烤店油烟和噪音扰民",
    "小区临街门面的烧烤夜宵店营业到凌晨三点，油烟直排，噪音很大，老人孩子都睡不着。",
)
NOISE_AGAIN = (
    "烧烤店油烟噪音扰民到凌晨",
    "我们小区楼下的烧烤夜宵店每天营业到凌晨，油烟直接排到楼上，噪音吵得睡不着觉。",
)


@pytest.fixture
def tops(db):
    return {
        name: Category.objects.create(name=name, level=1)
        for name in ("教育文体", "环境保护", "城乡建设", "劳动和社会保障", "交通运输", "卫生计生", "商贸旅游")
    }


def test_intake_without_a_model_carries_on(world, file_appeal, tops):
    appeal = file_appeal(title=SCHOOL[0], body=SCHOOL[1])
    assert appeal.pk and appeal.suggested_category is None and appeal.category is None


def test_intake_records_the_suggestion(world, file_appeal, tops, active_model, settings):
    settings.GONGZHI_TRIAGE_AUTO_APPLY = 2.0  # never fill in
    appeal = file_appeal(title=SCHOOL[0], body=SCHOOL[1])
    assert appeal.suggested_category == tops["教育文体"]
    assert 0 < appeal.suggestion_confidence <= 1
    assert appeal.category is None and not appeal.category_auto
    submit = appeal.events.get(action="submit")
    assert submit.detail["suggested"] == tops["教育文体"].pk and submit.detail["auto"] is False


def test_confident_suggestions_fill_in_the_category(world, file_appeal, tops, active_model, settings):
    settings.GONGZHI_TRIAGE_AUTO_APPLY = 0.0
    appeal = file_appeal(title=SCHOOL[0], body=SCHOOL[1])
    assert appeal.category == tops["教育文体"] and appeal.category_auto and not appeal.category_confirmed


def test_a_chosen_category_is_never_overwritten(world, file_appeal, tops, active_model, settings):
    settings.GONGZHI_TRIAGE_AUTO_APPLY = 0.0
    appeal = file_appeal(title=SCHOOL[0], body=SCHOOL[1], category=tops["城乡建设"])
    assert appeal.category == tops["城乡建设"] and not appeal.category_auto
    assert appeal.suggested_category == tops["教育文体"]


def test_a_broken_model_does_not_stop_intake(world, file_appeal, tops, db):
    TriageModel.objects.create(blob=b"garbage", is_active=True)
    appeal = file_appeal(title=SCHOOL[0], body=SCHOOL[1])
    assert appeal.pk and appeal.suggested_category is None


def test_a_suggestion_names_a_category_that_exists(world, file_appeal, db, active_model):
    # No category tree loaded: the label has no Category row, so no suggestion rather than an error.
    appeal = file_appeal(title=SCHOOL[0], body=SCHOOL[1])
    assert appeal.suggested_category is None


def test_staff_set_and_confirm_the_category(world, file_appeal, tops, active_model, settings):
    settings.GONGZHI_TRIAGE_AUTO_APPLY = 0.0
    appeal = file_appeal(title=SCHOOL[0], body=SCHOOL[1])
    with pytest.raises(PermissionDenied):
        appeal_transition(actor=world.resident, appeal=appeal, action="categorise", category=tops["城乡建设"])
    with pytest.raises(PermissionDenied):  # the neighbouring community's staff
        appeal_transition(actor=world.a2_staff, appeal=appeal, action="categorise", category=tops["城乡建设"])
    appeal = appeal_transition(
        actor=world.commissioner, appeal=appeal, action="categorise", category=tops["城乡建设"]
    )
    assert appeal.category == tops["城乡建设"] and appeal.category_confirmed and not appeal.category_auto
    event = appeal.events.get(action="categorise")
    assert not event.public and event.detail["suggested"] == tops["教育文体"].pk


def test_accepting_confirms_a_category_a_person_chose_not_a_filled_in_one(
    world, file_appeal, tops, active_model, settings
):
    settings.GONGZHI_TRIAGE_AUTO_APPLY = 0.0
    chosen = file_appeal(title=SCHOOL[0], body=SCHOOL[1], category=tops["教育文体"])
    filled = file_appeal(title=SCHOOL[0], body=SCHOOL[1] + "。")
    assert appeal_transition(actor=world.commissioner, appeal=chosen, action="accept").category_confirmed
    assert not appeal_transition(actor=world.commissioner, appeal=filled, action="accept").category_confirmed


def test_staff_intake_with_a_category_is_confirmed(world, file_appeal, tops):
    appeal = file_appeal(
        actor=world.commissioner,
        node=world.cmp_a1a,
        channel="phone",
        category=tops["环境保护"],
        title=NOISE[0],
        body=NOISE[1],
    )
    assert appeal.category_confirmed


def test_retraining_uses_confirmed_appeals_and_switches_the_active_model(
    world, file_appeal, tops, active_model
):
    for n in range(8):  # enough confirmed appeals to teach a new category
        file_appeal(
            actor=world.commissioner,
            node=world.cmp_a1a,
            channel="phone",
            category=Category.objects.get_or_create(name="民政", level=1)[0],
            title=f"申请低保{n}",
            body=f"家里老人生病，收入很低，想申请最低生活保障和临时救助{n}。",
        )
    assert {e.label for e in confirmed_examples()} == {"民政"}
    row = triage_model_train(use_confirmed=True)
    assert row.is_active and row.confirmed_appeals == 8 and "民政" in row.labels
    assert list(TriageModel.objects.filter(is_active=True)) == [row]
    active_model.refresh_from_db()
    assert not active_model.is_active
    assert active_classifier().suggest("申请低保", "老人生病收入低，想申请最低生活保障").label == "民政"


def test_only_one_model_is_active(active_model):
    with pytest.raises(IntegrityError):
        TriageModel.objects.create(blob=b"x", is_active=True)


def test_only_an_administrator_retrains_through_the_service(world):
    with pytest.raises(PermissionDenied):
        triage_model_train(actor=world.sub_admin)


def test_the_loaded_model_follows_the_active_row(active_model, seed_blob):
    first = active_classifier()
    assert first is not None and active_classifier() is first  # loaded once
    TriageModel.objects.filter(pk=active_model.pk).update(is_active=False)
    forget_loaded_model()
    assert active_classifier() is None


# --- duplicates -------------------------------------------------------------------------------


def test_a_retold_problem_in_the_same_community_is_flagged(world, file_appeal, tops):
    first = file_appeal(title=NOISE[0], body=NOISE[1])
    unrelated = file_appeal(title=SCHOOL[0], body=SCHOOL[1])
    again = file_appeal(
        actor=world.a1_staff, node=world.cmp_a1b, channel="phone", title=NOISE_AGAIN[0], body=NOISE_AGAIN[1]
    )  # same community A1
    assert appeal_duplicates_flag(appeal_id=again.pk) == first.pk
    again.refresh_from_db()
    assert again.possible_duplicate == first
    assert appeal_duplicates_flag(appeal_id=unrelated.pk) is None


def test_other_communities_and_old_appeals_are_not_candidates(world, file_appeal, tops):
    other_place = file_appeal(
        actor=world.a2_staff, node=world.cmp_a2a, channel="phone", title=NOISE[0], body=NOISE[1]
    )
    old = file_appeal(title=NOISE[0], body=NOISE[1] + "（旧）")
    Appeal.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=45))
    again = file_appeal(title=NOISE_AGAIN[0], body=NOISE_AGAIN[1])
    assert other_place.pk and appeal_duplicates_flag(appeal_id=again.pk) is None


def test_closed_appeals_are_not_merge_targets(world, file_appeal, tops):
    first = file_appeal(title=NOISE[0], body=NOISE[1])
    Appeal.objects.filter(pk=first.pk).update(status="closed")
    again = file_appeal(title=NOISE_AGAIN[0], body=NOISE_AGAIN[1])
    assert appeal_duplicates_flag(appeal_id=again.pk) is None


def test_duplicate_candidates_are_scoped_to_who_asks(world, file_appeal, tops):
    first = file_appeal(title=NOISE[0], body=NOISE[1])
    again = file_appeal(
        actor=world.a1_staff, node=world.cmp_a1b, channel="phone", title=NOISE_AGAIN[0], body=NOISE_AGAIN[1]
    )
    found = duplicate_candidates(fetched_by=world.a1_staff, appeal=again)
    assert [a.pk for a, _score in found] == [first.pk] and found[0][1] >= 0.15
    # The commissioner of compound A1a does not handle A1b's appeal, and A2's staff see neither.
    assert duplicate_candidates(fetched_by=world.a2_staff, appeal=again) == []


def test_the_duplicate_check_runs_when_an_appeal_is_filed(
    world, file_appeal, tops, django_capture_on_commit_callbacks
):
    first = file_appeal(title=NOISE[0], body=NOISE[1])
    with django_capture_on_commit_callbacks(execute=True):
        again = file_appeal(title=NOISE_AGAIN[0], body=NOISE_AGAIN[1])
    again.refresh_from_db()
    assert again.possible_duplicate_id == first.pk


def test_merging_from_the_suggestion(world, file_appeal, tops):
    first = file_appeal(title=NOISE[0], body=NOISE[1])
    again = file_appeal(title=NOISE_AGAIN[0], body=NOISE_AGAIN[1])
    ((target, _score),) = duplicate_candidates(fetched_by=world.commissioner, appeal=again)
    merged = appeal_transition(actor=world.commissioner, appeal=again, action="merge", merge_into=target)
    assert merged.status == "merged" and merged.merged_into == first


def test_weekly_retrain_only_when_enough_is_new(world, file_appeal, tops, active_model):
    from gongzhi.appeals.triage import triage_model_retrain_if_due

    # No compound model yet: one is trained from the bundled set; then nothing is due.
    assert [row.tree for row in triage_model_retrain_if_due(min_new=2)] == ["compound"]
    assert triage_model_retrain_if_due(min_new=2) == []
    for n in range(2):
        file_appeal(
            actor=world.commissioner,
            node=world.cmp_a1a,
            channel="phone",
            category=tops["环境保护"],
            title=f"{NOISE[0]}{n}",
            body=NOISE[1],
        )
    (row,) = triage_model_retrain_if_due(min_new=2)
    assert row.tree == "hotline" and row.is_active and row.confirmed_appeals == 2
    assert triage_model_retrain_if_due(min_new=2) == []
