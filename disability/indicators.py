"""Indicators of the two disability subsidies (残疾人两项补贴覆盖率, seed 003 三(三), target 100 %), registered with
the indicators kernel: the eligible people of the month (disability.coverage.eligible) counted against, those of
them enrolled counted — the same lists the coverage check and page use."""

from datetime import date

from disability.coverage import eligible, enrolled_eligible
from disability.rules import CARE, LIVING
from indicators.registry import Measure, register_indicator

HUNDRED = 100


def _coverage(program: str, month: date) -> Measure:
    return Measure(records=enrolled_eligible(program, month), base=eligible(program, month), scale=HUNDRED,
                   resource="person")


@register_indicator("disability_living_subsidy_coverage", current_list=True)
def living_subsidy_coverage(month: date) -> Measure:
    """困难残疾人生活补贴覆盖率 = enrolled eligible people ÷ eligible people (低保 members holding a certificate)."""
    return _coverage(LIVING, month)


@register_indicator("disability_care_subsidy_coverage", current_list=True)
def care_subsidy_coverage(month: date) -> Measure:
    """重度残疾人护理补贴覆盖率 = enrolled eligible people ÷ eligible people (grade 1–2 certificate holders)."""
    return _coverage(CARE, month)
