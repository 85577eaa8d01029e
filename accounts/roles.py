"""Roles (角色) and their default grants — the permission table as data.

The grants below seed the `Grant` table (data migration `0002`); an administrator may change the table in
the admin. Code never tests a role by name to decide access: it asks `policy.allowed(user, resource, action)`.
"""

COMMUNITY_WORKER = "community_worker"
TOWN_OFFICER = "town_officer"
TOWN_REVIEWER = "town_reviewer"
DISTRICT_OFFICER = "district_officer"
DISTRICT_APPROVER = "district_approver"
LEADER = "leader"
ADMIN = "admin"
# A care home's own account (养老机构填报员): grants from the eldercare app's migration, scoped to its own home.
CARE_PROVIDER = "care_provider"
# Another department's system pushing its data (接口客户端：部门数据报送): department feeds only, nothing personal to
# read back (accounts/migrations/0011 seeds the role and its grants).
API_CLIENT_FEEDS = "api_client_feeds"

ROLE_NAMES = {
    COMMUNITY_WORKER: "村社区协理员",
    TOWN_OFFICER: "镇街经办人",
    TOWN_REVIEWER: "镇街审核人",
    DISTRICT_OFFICER: "区民政经办人",
    DISTRICT_APPROVER: "区民政审批人",
    LEADER: "领导",
    ADMIN: "系统管理员",
    CARE_PROVIDER: "养老机构填报员",
    API_CLIENT_FEEDS: "接口客户端（部门数据报送）",
}

# Registry resources: every personal record kind the registry keeps.
REGISTRY = ("person", "household", "income", "asset", "disability")
READ = ("view",)
WRITE = ("view", "add", "change")

# Assistance (救助): who may read or set policy parameters and enrolments.
POLICY_READ = {"policy": READ, "enrolment": READ}
POLICY_WRITE = {"policy": ("view", "change"), "enrolment": ("view", "add", "change")}

# Assistance applications (救助申请) by step; close-relative declarations (近亲属备案).
APPLICATION_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    COMMUNITY_WORKER: {"application": ("view", "add", "withdraw"), "close_relative": ("view", "add")},
    TOWN_OFFICER: {
        "application": ("view", "add", "accept", "investigate", "verify", "evaluate", "publish", "objection",
                        "extend", "withdraw", "urgent_approve"),
        "close_relative": ("view", "add"),
        # A town enrols a 临时救助 急难型 case it approves first, within its delegated limit, and carries out
        # the periodic re-checks (定期核查 is the 乡镇's duty), which change enrolments.
        "enrolment": ("view", "add", "change"),
    },
    TOWN_REVIEWER: {"application": ("view", "review")},
    DISTRICT_OFFICER: {
        "application": ("view", "add", "investigate", "verify", "objection", "extend", "withdraw"),
        "close_relative": ("view", "add"),
    },
    # The approver prints the decision and rejection notices they issue: an export of personal data.
    DISTRICT_APPROVER: {"application": ("view", "confirm", "reject"), "export": ("run",)},
    LEADER: {"application": ("view",), "close_relative": ("view",)},
    ADMIN: {"application": ("view",), "close_relative": ("view", "add")},
}

# role -> {resource: actions}. Nothing personal is ever hard-deleted, so no role holds "delete" on it.
DEFAULT_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    COMMUNITY_WORKER: {**{r: WRITE for r in REGISTRY}, "id_number": ("reveal",), "area": READ, **POLICY_READ},
    TOWN_OFFICER: {**{r: WRITE for r in REGISTRY}, "id_number": ("reveal",), "export": ("run",), "area": READ,
                   **POLICY_READ},
    TOWN_REVIEWER: {**{r: READ for r in REGISTRY}, "area": READ, **POLICY_READ},
    DISTRICT_OFFICER: {
        **{r: WRITE for r in REGISTRY},
        "id_number": ("reveal",),
        "export": ("run",),
        "import": ("run", "view"),
        "area": READ,
        **POLICY_WRITE,
    },
    # The approver may set a standard (a new figure re-rates enrolments only once a district officer confirms).
    DISTRICT_APPROVER: {**{r: READ for r in REGISTRY}, "id_number": ("reveal",), "area": READ,
                        "policy": ("view", "change"), "enrolment": ("view", "add", "change")},
    LEADER: {**{r: READ for r in REGISTRY}, "area": READ, **POLICY_READ},
    ADMIN: {
        **{r: WRITE for r in REGISTRY},
        "id_number": ("reveal",),
        "export": ("run",),
        "import": ("run", "view"),
        "area": ("view", "change"),
        "calendar": ("change",),
        **POLICY_WRITE,
    },
}

for _role, _resources in APPLICATION_GRANTS.items():
    for _resource, _actions in _resources.items():
        DEFAULT_GRANTS[_role][_resource] = tuple(dict.fromkeys(DEFAULT_GRANTS[_role].get(_resource, ()) + _actions))

# Monitoring and closed-loop tasks (动态监测预警、任务): task view/close (close = handle at one's level or below),
# warning view, department feeds (run = upload, review = the unmatched-row queue), rules (change = switch/edit).
MONITORING_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    COMMUNITY_WORKER: {"task": ("view", "close"), "warning": ("view",)},
    TOWN_OFFICER: {"task": ("view", "close"), "warning": ("view",)},
    TOWN_REVIEWER: {"task": ("view",), "warning": ("view",)},
    DISTRICT_OFFICER: {"task": ("view", "close"), "warning": ("view",), "feed": ("run", "view", "review"),
                       "rule": ("view", "change")},
    DISTRICT_APPROVER: {"task": ("view",), "warning": ("view",)},
    LEADER: {"task": ("view",), "warning": ("view",), "rule": ("view",)},
    ADMIN: {"task": ("view",), "warning": ("view",), "feed": ("view",), "rule": ("view", "change")},
}
for _role, _resources in MONITORING_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_resources)

# Funds (资金发放): the officer opens and generates a cycle (maker), the approver approves it (checker); everyone
# else reads the lines of their own area. Seeded by payments/migrations/0002 when the payments tables appear;
# "export" (bank disbursement files, with full account numbers) by accounts/migrations/0007.
PAYMENT_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    DISTRICT_OFFICER: {"payment": ("view", "run", "export")},
    DISTRICT_APPROVER: {"payment": ("view", "approve")},
    **{role: {"payment": READ} for role in (ADMIN, LEADER, TOWN_OFFICER, TOWN_REVIEWER, COMMUNITY_WORKER)},
}
for _role, _resources in PAYMENT_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_resources)

# Bank accounts (银行账户): who registers a payee's account ("change") and who confirms a change of a current payee's
# account ("confirm" — a second person, never the one who entered it; payments.services checks maker ≠ checker).
# Seeded by accounts/migrations/0009.
BANK_ACCOUNT_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    COMMUNITY_WORKER: {"bank_account": ("view", "change")},
    TOWN_OFFICER: {"bank_account": ("view", "change", "confirm")},
    TOWN_REVIEWER: {"bank_account": ("view", "confirm")},
    DISTRICT_OFFICER: {"bank_account": ("view", "change", "confirm")},
    DISTRICT_APPROVER: {"bank_account": ("view", "confirm")},
    LEADER: {"bank_account": READ},
    ADMIN: {"bank_account": READ},
}
for _role, _resources in BANK_ACCOUNT_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_resources)

# Elderly care (养老服务): ability assessments, care homes ("inspect" = the bureau's monthly inspection; "report" =
# a home's monthly figures and daily self-inspection; "own" = a care home's account sees only its linked homes),
# home-service orders, consumption vouchers (issue / redeem / settle through the payroll), the time bank.
# Seeded by eldercare/migrations/0002.
ELDERCARE_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    COMMUNITY_WORKER: {"assessment": ("view", "add"), "carehome": READ, "service_order": ("view", "add"),
                       "voucher": READ, "time_bank": ("view", "add")},
    TOWN_OFFICER: {"assessment": ("view", "add"), "carehome": ("view", "inspect"), "service_order": ("view", "add"),
                   "voucher": ("view", "redeem"), "time_bank": ("view", "add")},
    TOWN_REVIEWER: {"assessment": READ, "carehome": READ, "service_order": READ, "voucher": READ, "time_bank": READ},
    DISTRICT_OFFICER: {"assessment": ("view", "add"), "carehome": ("view", "change", "inspect"),
                       "service_order": ("view", "add"), "voucher": ("view", "issue", "redeem", "settle"),
                       "time_bank": ("view", "add")},
    DISTRICT_APPROVER: {"assessment": READ, "carehome": READ, "service_order": READ, "voucher": READ,
                        "time_bank": READ},
    LEADER: {"assessment": READ, "carehome": READ, "service_order": READ, "voucher": READ, "time_bank": READ},
    ADMIN: {"assessment": READ, "carehome": ("view", "change"), "service_order": READ, "voucher": READ,
            "time_bank": READ},
    CARE_PROVIDER: {"carehome": ("view", "report", "own")},
}
for _role, _resources in ELDERCARE_GRANTS.items():
    DEFAULT_GRANTS.setdefault(_role, {}).update(_resources)

# Indicators (指标, 数字驾驶舱): leaders and the bureau's staff view; the district officer refreshes the current
# month on demand. Seeded by indicators/migrations/0003.
INDICATOR_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    LEADER: {"indicator": READ},
    DISTRICT_OFFICER: {"indicator": ("view", "run")},
    DISTRICT_APPROVER: {"indicator": READ},
    ADMIN: {"indicator": ("view", "run")},
}
for _role, _resources in INDICATOR_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_resources)


# 特困认定抽查 (the district draws and records; seeded by assistance/migrations/0012) and 重复登记合并 (person
# "merge", the district officer and the administrator; seeded by registry/migrations/0006).
ISSUE12_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    DISTRICT_OFFICER: {"spot_check": ("view", "add")},
    DISTRICT_APPROVER: {"spot_check": ("view", "add")},
    LEADER: {"spot_check": READ},
    ADMIN: {"spot_check": READ},
}
for _role, _resources in ISSUE12_GRANTS.items():
    DEFAULT_GRANTS[_role].update(_resources)
for _role in (DISTRICT_OFFICER, ADMIN):
    DEFAULT_GRANTS[_role]["person"] = tuple(dict.fromkeys(DEFAULT_GRANTS[_role]["person"] + ("merge",)))


# Interface clients (接口客户端): the district administrator registers, lists and revokes them ("change"); the
# client role itself may push department feed batches and read their status. Seeded by accounts/migrations/0011.
API_CLIENT_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    ADMIN: {"api_client": ("view", "change")},
    # "import": department feeds are staged through the import kernel, which asks for it (a client has no
    # password, so it never reaches the import pages; there is no import API).
    API_CLIENT_FEEDS: {"feed": ("run", "view"), "import": ("run", "view")},
}
for _role, _resources in API_CLIENT_GRANTS.items():
    DEFAULT_GRANTS.setdefault(_role, {}).update(_resources)


def default_grants_add(grants: dict[str, dict[str, tuple[str, ...]]]) -> None:
    """A domain app's default grants (its own resources), merged into DEFAULT_GRANTS when the app is ready, so the
    table stays the one list of what a fresh installation grants; the app's migration seeds the same rows."""
    for role, resources in grants.items():
        DEFAULT_GRANTS.setdefault(role, {}).update(resources)
