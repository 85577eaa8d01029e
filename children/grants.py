"""Default grants of the children's resources (seeded by migration 0003; editable in the admin as Grant rows).

- `child`: the child's file, parents' situations, assessments, visits and support records (儿童档案与关爱服务);
- `child_network`: child directors, supervisors, trainings and protection stations (儿童关爱服务网络);
- `adoption`: adoption registration (收养登记, the district bureau's registrar).
"""

WRITE = ("view", "add", "change")
CHILDREN_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "community_worker": {"child": WRITE, "child_network": ("view",)},
    "town_officer": {"child": WRITE, "child_network": WRITE},
    "town_reviewer": {"child": ("view",), "child_network": ("view",)},
    "district_officer": {"child": WRITE, "child_network": WRITE, "adoption": ("view", "add")},
    "district_approver": {"child": ("view",), "child_network": ("view",), "adoption": ("view",)},
    "leader": {"child": ("view",), "child_network": ("view",), "adoption": ("view",)},
    "admin": {"child": ("view",), "child_network": WRITE, "adoption": ("view",)},
}
