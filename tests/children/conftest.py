"""Fixtures for the children's tests: the assistance fixtures (staff, clock, API, families) and a helper that
builds a child with a file and the parents' situations through the children's services."""

from datetime import date

import pytest

from children.services import child_file_record, parent_situation_record
from tests.assistance.conftest import api, clock, families, staff  # noqa: F401  (re-exported fixtures)


class Kids:
    def __init__(self, builder, officer):
        self.families, self.officer = builder, officer

    def child(self, name: str, birth: str, *, reasons: tuple[str, str] | None = None, categories=(),
              placement: str = "family", hukou: str = "urban", education: bool = False, guardian_birth="19600101"):
        household, (guardian, child) = self.families.household([f"{name}监护人", name], hukou=hukou,
                                                               births=[guardian_birth, birth])
        file = child_file_record(acting_user=self.officer, person=child, categories=categories,
                                 placement=placement, guardian=guardian, full_time_education=education)
        for role, reason in zip(("father", "mother"), reasons or (), strict=False):
            parent_situation_record(acting_user=self.officer, file=file, role=role, reason=reason,
                                    evidence="证明材料（测试）", since=date(2020, 1, 1))
        return household, guardian, child, file


@pytest.fixture
def kids(families, staff, clock):  # noqa: F811
    return Kids(families, staff["district_officer"])
