"""The declared workflows hold together: every transition names declared states, every open state has a way
forward, and the variants and programmes differ exactly where the rules do. The workflows are built from the
seeded programme rows, so every test here reads the database."""

import pytest
from django.db import models

from assistance.workflows import OPEN_STATES, TERMINAL, VARIANTS, assistance_programs, workflow_codes
from casework.models import Case
from casework.workflows import DISTRICT, TOWN, workflow_get, workflows_all
from programs.models import Program

pytestmark = pytest.mark.django_db
# The seeded programmes that take applications (programs migration 0005).
PROGRAMS = ("dibao", "tekun", "dibao_bianyuan", "gangxing_zhichu", "linshi")
WORKFLOW_CODES = [f"{p}.{v}" for p in PROGRAMS for v in VARIANTS]


@pytest.mark.parametrize("code", WORKFLOW_CODES)
def test_transitions_name_declared_states(code):
    workflow = workflow_get(code)
    for transition in workflow.transitions:
        assert set(transition.sources) <= set(workflow.states), transition.action
        assert transition.target is None or transition.target in workflow.states, transition.action
        assert not set(transition.sources) & TERMINAL, transition.action
    for state in OPEN_STATES:
        assert workflow.available(state), f"{code}: no way out of {state}"
    # every deadline counts from a date field of the case or of the workflow's domain record (the application)
    detail = Case._meta.get_field(workflow.detail).related_model
    dates = {f.name for model in (Case, detail) for f in model._meta.concrete_fields
             if f.get_internal_type() == "DateField"}
    for rule in workflow.deadlines:
        assert set(rule.bases) <= dates, rule.kind
        assert not rule.extended_key or isinstance(detail._meta.get_field(rule.extended_flag), models.BooleanField)


def test_every_programme_and_variant_is_registered():
    # the assistance programmes first, then those another domain's family adds (children's categories)
    assert assistance_programs()[:len(PROGRAMS)] == list(PROGRAMS)
    assert workflow_codes()[:len(WORKFLOW_CODES)] == [f"{p}.{v}" for p in PROGRAMS for v in VARIANTS]
    assert {w.code for w in workflows_all()} >= set(WORKFLOW_CODES)
    assert workflow_get("dibao.chongqing").name == "最低生活保障申请（重庆规则）"
    assert workflow_get("dibao_bianyuan.national").name == "低保边缘家庭认定申请（全国规则）"


def test_a_changed_row_rebuilds_its_workflows():
    dibao = workflow_get("dibao.chongqing")
    program = Program.objects.get(code="dibao_bianyuan")
    program.workflow = "assistance_urgent"
    program.application_name = "低保边缘认定"
    program.save()
    rebuilt = workflow_get("dibao_bianyuan.chongqing")
    assert rebuilt.transition("urgent_approve") is not None and rebuilt.name.startswith("低保边缘认定申请")
    assert workflow_get("dibao.chongqing") is dibao  # other programmes' workflows are kept
    program.workflow = ""
    program.save()
    with pytest.raises(LookupError):
        workflow_get("dibao_bianyuan.chongqing")
    # The test's rollback sends no signal: put the row back the way a later save would.
    program.workflow, program.application_name = "assistance", "低保边缘家庭认定"
    program.save()


def test_variants_differ_only_by_evaluation_and_republication():
    chongqing, national = workflow_get("dibao.chongqing"), workflow_get("dibao.national")
    assert chongqing.transition("evaluate") is not None and national.transition("evaluate") is None
    assert chongqing.transition("review").sources == ("evaluated",)
    assert national.transition("review").sources == ("verified",)
    assert chongqing.options["republication_key"] == "publicity_days_after_objection"
    assert national.options["republication_key"] == "publicity_days"
    assert "群众评议" in chongqing.sequence and "群众评议" not in national.sequence


def test_programme_differences():
    assert workflow_get("tekun.chongqing").transition("extend") is None
    assert [r.kind for r in workflow_get("tekun.chongqing").deadlines] == ["town_review_due", "confirmation_due"]
    assert workflow_get("linshi.chongqing").transition("urgent_approve").levels == (TOWN,)
    assert all(workflow_get(f"{p}.chongqing").transition("urgent_approve") is None for p in PROGRAMS if p != "linshi")


def test_queue_states_follow_grants_and_level():
    workflow = workflow_get("dibao.chongqing")
    assert workflow.queue_states({"review"}, TOWN) == {"evaluated"}
    assert workflow.queue_states({"review"}, DISTRICT) == set()  # the town reviews
    assert workflow.queue_states({"confirm", "reject"}, DISTRICT) == {"publicised"}
    assert workflow.queue_states({"withdraw", "extend"}, TOWN) == set()  # not main-line work


def test_unknown_workflow_is_a_lookup_error():
    with pytest.raises(LookupError, match="未登记的办理流程"):
        workflow_get("nothing.here")
