"""Workflow declarations (办理流程): states, transitions, who may take each, and deadlines in working days.

A new case type is one `Workflow` registered here plus its form: `casework.services.case_take` runs any declared
action — it refuses an out-of-order step (400), a user without the grant, at the wrong level, a declared close
relative or one whose duties must stay apart (403), runs the domain's hook for the action if one is registered
(`register_action`), and records the step with its deadlines, change log and event.

A programme's workflows are not registered one by one: a domain registers a *family* (`family_register`), a
function that builds the workflows of any `programs.Program` row naming that family in `Program.workflow`;
`workflow_get` builds them from the row the first time a code "<programme>.<…>" is asked for and keeps them
until the row changes. Hooks of such workflows are registered by resource (`register_action(…, resource=…)`),
since their codes are only known from the rows.

The figures of a deadline are never in the declaration: it names a `PolicyParameter` key, and the value in force
(with its source) is read for the case's area at the date the count starts.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# Area levels of the user who may take a step (areas.models.AreaLevel values).
DISTRICT, TOWN, COMMUNITY = "district", "town", "community"
LEVEL_NAMES = {DISTRICT: "区县民政部门", TOWN: "乡镇（街道）", COMMUNITY: "村（社区）"}
# Timeline entries the kernel writes itself, outside any declared transition.
KERNEL_ACTIONS = {"submit": "申请", "close_relative_filed": "近亲属备案"}


@dataclass(frozen=True)
class Transition:
    """One action: from which states, to which state (None: the service decides, e.g. 受理 or 补正材料), the grant
    `resource.grant` it needs, and the levels of user allowed to take it (empty = any level)."""

    action: str
    label: str
    sources: tuple[str, ...]
    target: str | None
    grant: str
    levels: tuple[str, ...] = ()
    level_rule: str = ""
    queue: bool = False  # main-line work: the case is "due" at the levels that take it (工作队列)
    # Separation of duties (职责分离): whoever took one of these actions on the case may not take this one.
    separate_from: tuple[str, ...] = ()
    separation_rule: str = ""
    # Kernel date fields this step sets to today when still empty (e.g. "accepted_on", from which deadlines
    # count), so a case type whose steps only record dates needs no hook.
    stamps: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeadlineRule:
    """A deadline of the case (a CaseDeadline row of this `kind`): `n` working days (PolicyParameter `key`, or
    `extended_key` once the flag `extended_flag` is set) after the first non-empty date among `bases` — kernel
    Case fields or fields of the workflow's domain record (`Workflow.detail`)."""

    kind: str
    key: str
    bases: tuple[str, ...]
    label: str
    extended_key: str = ""
    extended_flag: str = "extended"
    # "working" (工作日, the default) or "calendar" (日): the unit of `key` (the extended limit stays in working days).
    unit: str = "working"
    # A case or domain-record attribute giving the calendar days not counted in the limit (e.g. 评议 and 公示
    # periods under the Chongqing rule); they push the deadline back by as many days.
    not_counted: str = ""
    # (flag key, key): when the PolicyParameter `flag key` in force for the case's area is non-zero, the limit
    # is `key` in working days instead, with nothing excluded (e.g. 20 WD where confirmation is delegated).
    switch: tuple[str, str] = ()


@dataclass(frozen=True)
class Workflow:
    code: str
    name: str
    resource: str  # the Grant resource of every action ("application")
    program: str | None
    states: dict[str, str]  # code → 中文, in display order
    initial: str
    terminal: frozenset[str]
    transitions: tuple[Transition, ...]
    deadlines: tuple[DeadlineRule, ...] = ()
    # For each state, the deadline kinds that matter while the case is in it; the earliest is "the" deadline.
    state_deadlines: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sequence: str = ""  # the legal order, quoted in the refusal of an out-of-order step
    options: dict = field(default_factory=dict)
    # The one-to-one domain record of the case (reverse accessor, e.g. "application") whose fields deadline
    # bases may name; empty when the workflow keeps everything on the kernel Case.
    detail: str = ""
    # Labels of the timeline steps the domain records outside the transitions (e.g. "authorise": "电子授权").
    step_labels: dict[str, str] = field(default_factory=dict)

    def transition(self, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action), None)

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)

    def action_label(self, action: str) -> str:
        found = self.transition(action)
        return found.label if found else self.step_labels.get(action) or KERNEL_ACTIONS.get(action, action)

    def available(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def queue_states(self, grants: Iterable[str], level: str | None) -> set[str]:
        """States in which a user holding `grants` (action names) at `level` has main-line work to do."""
        grants = set(grants)
        return {state for t in self.transitions if t.queue and t.grant in grants
                and (not t.levels or level in t.levels) for state in t.sources}


@dataclass
class Outcome:
    """What a domain's action hook did: the state to move to (None: the transition's target, or the state the
    case is in when the transition has none), the event message, the timeline note and step parameters, and
    the record it made (an investigation, a notice) for the caller."""

    to_state: str | None = None
    message: str = ""
    note: str = ""
    params: dict = field(default_factory=dict)
    record: Any = None


# hook(*, case, acting_user, params, transition) -> Outcome: the domain's work for one action, run by
# `case_take` inside its transaction after every kernel check, on the locked case.
ActionHook = Callable[..., Outcome]

_REGISTRY: dict[str, Workflow] = {}
_HOOKS: dict[tuple[str, str], ActionHook] = {}
# Workflow families: name → (中文说明, build(program) → the programme's workflows, codes "<programme>.<…>").
FamilyBuilder = Callable[["Program"], Iterable[Workflow]]  # noqa: F821  (programs.models.Program)
_FAMILIES: dict[str, tuple[str, FamilyBuilder]] = {}
# Workflows built from programme rows, by programme code, with when they were built. The process that saves a
# row drops its entry at once (casework.signals); every other process (web workers, job workers) rebuilds an
# entry older than REBUILD_SECONDS, so an edit in the admin reaches them within that time.
_BUILT: dict[str, tuple[float, dict[str, Workflow]]] = {}
REBUILD_SECONDS = 60


def register(workflow: Workflow) -> Workflow:
    _REGISTRY[workflow.code] = workflow
    return workflow


def family_register(name: str, label: str, build: FamilyBuilder) -> None:
    _FAMILIES[name] = (label, build)


def families() -> dict[str, str]:
    """The registered workflow families a programme may name (code → 中文说明), for the admin and checks."""
    return {name: label for name, (label, _) in _FAMILIES.items()}


def family_programs(names: Iterable[str]) -> list[str]:
    """Codes of the programme rows whose workflow is one of the families `names`, in display order."""
    from programs.models import Program

    return list(Program.objects.filter(workflow__in=list(names)).order_by("sort", "code")
                .values_list("code", flat=True))


def _built(program_code: str) -> dict[str, Workflow]:
    entry = _BUILT.get(program_code)
    if entry is None or time.monotonic() - entry[0] > REBUILD_SECONDS:
        from programs.models import Program

        program = Program.objects.filter(code=program_code).first()
        family = _FAMILIES.get(program.workflow) if program is not None else None
        entry = (time.monotonic(), {w.code: w for w in family[1](program)} if family else {})
        _BUILT[program_code] = entry
    return entry[1]


def workflow_get(code: str) -> Workflow:
    found = _REGISTRY.get(code) or _built(code.partition(".")[0]).get(code)
    if found is None:
        raise LookupError(f"未登记的办理流程：{code}")
    return found


def workflows_forget(program_code: str | None = None) -> None:
    """Drop the workflows built from a programme row (all rows when None): the next use rebuilds them."""
    if program_code is None:
        _BUILT.clear()
    else:
        _BUILT.pop(program_code, None)


def workflows_all() -> list[Workflow]:
    built = [w for code in family_programs(_FAMILIES) for w in _built(code).values()]
    return list(_REGISTRY.values()) + built


def register_action(action: str, *, workflows: Iterable[str] = (), resource: str = ""
                    ) -> Callable[[ActionHook], ActionHook]:
    """Decorator: `hook` does the domain's work when `action` is taken on a case of one of `workflows` (codes),
    or of any workflow of `resource` (e.g. every programme's application workflow, built from the rows)."""
    keys = [(code, action) for code in workflows] + ([(f"resource:{resource}", action)] if resource else [])

    def decorate(hook: ActionHook) -> ActionHook:
        for key in keys:
            _HOOKS[key] = hook
        return hook
    return decorate


def action_hook(workflow: str, action: str) -> ActionHook | None:
    """The hook for `action` on a case of `workflow`: one registered for the code, else for its resource."""
    hook = _HOOKS.get((workflow, action))
    if hook is None:
        hook = _HOOKS.get((f"resource:{workflow_get(workflow).resource}", action))
    return hook
