"""Default grants of 卡折代管 (resource `custody`), registered in payments' `ready()` and seeded by
payments/migrations/0008_bank_card_custody.

- view: read the custody arrangements of one's area (lists, person page, API);
- add: register a custody under a signed agreement (登记代管);
- check: record the monthly check (月度核对) — the community worker and the town officer, who see the payee;
- end: end a custody (终止代管).
The district approver and the leader read; the town reviewer reads and checks (a second pair of eyes).
"""

CUSTODY_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "community_worker": {"custody": ("view", "add", "check", "end")},
    "town_officer": {"custody": ("view", "add", "check", "end")},
    "town_reviewer": {"custody": ("view", "check")},
    "district_officer": {"custody": ("view", "add", "check", "end")},
    "district_approver": {"custody": ("view",)},
    "leader": {"custody": ("view",)},
    "admin": {"custody": ("view",)},
}
