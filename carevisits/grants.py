"""Default grants of the care-visit resources: "carevisit" (名册、探访计划与记录) and "meter" (智能水表: change =
bind, run = push readings). Seeded by migration 0002 (its own frozen copy); joined to accounts.roles.DEFAULT_GRANTS
when the app is ready."""

VIEW = ("view",)
CAREVISITS_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "community_worker": {"carevisit": ("view", "add", "change"), "meter": VIEW},
    "town_officer": {"carevisit": ("view", "add", "change"), "meter": ("view", "change")},
    "town_reviewer": {"carevisit": VIEW, "meter": VIEW},
    "district_officer": {"carevisit": ("view", "add", "change"), "meter": ("view", "change", "run")},
    "district_approver": {"carevisit": VIEW, "meter": VIEW},
    "leader": {"carevisit": VIEW, "meter": VIEW},
    "admin": {"carevisit": VIEW, "meter": ("view", "run")},
}
