"""家庭监测链条 (一户一条救助链, RULES.md §6): one household's timeline in time order — the department records
about its members (past members too), the warnings they raised, each warning task's steps (created, started,
escalated, closed with its outcome), the enrolment changes (纳入, 调整, 渐退, 暂停/终止 = 停发), the re-checks the
warnings or deaths brought forward, payment exceptions about its lines, and the composition events (成员加入/离开,
登记死亡) and notices.

Every source is read through its own scope (`restrict` by the user's area and grant: a user without the payment
grant sees no payment exceptions, and so on), one query per source; each source is capped at `CAP` most recent
rows so a household with years of history still loads quickly (the page says when a source was cut).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.policy import restrict
from audit.models import DomainEvent, EventType
from monitoring.feeds import FEED_TYPES
from monitoring.selectors import dept_records_visible, warnings_visible
from tasks.models import Task, TaskEvent
from tasks.selectors import tasks_visible

CAP = 300
# Kinds of events, in the order they are listed when they fall at the same moment (a record before its warning).
KINDS = {"data": "部门数据", "warning": "预警", "task": "任务办理", "enrolment": "享受变更", "recheck": "复核",
         "payment": "发放异常", "household": "家庭事件"}
ORDER = {kind: n for n, kind in enumerate(KINDS)}
# Domain events that tell the household's story (the others repeat what another source already shows).
STORY_EVENTS = (EventType.HOUSEHOLD_CREATED, EventType.MEMBER_JOINED, EventType.MEMBER_LEFT, EventType.PERSON_DIED,
                EventType.AUTO_ENROL_NOTICE, EventType.RECHECK_NOTICE)
STOPS = ("suspend", "end")


@dataclass
class ChainEvent:
    """One line of the timeline: when, what kind, a title, details, a colour and where to read more."""

    at: datetime
    kind: str
    title: str
    detail: str = ""
    tone: str = "secondary"
    url: str = ""
    seq: int = 0

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


@dataclass
class Chain:
    events: list[ChainEvent] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)  # the sources that had more than CAP rows

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(KINDS, 0)
        for e in self.events:
            out[e.kind] += 1
        return {KINDS[k]: n for k, n in out.items() if n}


def _day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _recent(rows, label: str, chain: Chain, order: str) -> list:
    rows = list(rows.order_by(f"-{order}", "-id")[:CAP + 1])
    if len(rows) > CAP:
        chain.cut.append(label)
        rows = rows[:CAP]
    return rows


def household_chain(*, user, household) -> Chain:
    """The timeline of `household` as `user` may see it, oldest first. The caller has checked that the user may
    see the household itself (`registry.selectors.households_visible`)."""
    people = [m.person_id for m in household.members.all()]
    chain = Chain()
    _records(chain, user, people)
    _warnings(chain, user, people, household)
    _tasks(chain, user, people, household)
    enrolment_ids = _enrolment_changes(chain, user, people, household)
    _rechecks(chain, user, enrolment_ids)
    _payment_exceptions(chain, user, people, household)
    _story(chain, user, people, household)
    chain.events.sort(key=lambda e: (e.at, ORDER[e.kind], e.seq))
    return chain


def _records(chain: Chain, user, people: list[int]) -> None:
    rows = dept_records_visible(user).filter(person_id__in=people).select_related("person")
    for r in _recent(rows, KINDS["data"], chain, "event_date"):
        feed = FEED_TYPES.get(r.feed_type)
        source = f"{feed.department}{feed.name}" if feed else r.feed_type
        chain.events.append(ChainEvent(_day(r.event_date), "data", f"{source}：{r.person.name}",
                                       payload_text(feed, r.payload), seq=r.pk))


@cache
def _feed_labels(feed_code: str, schema_key: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """A feed's column headers and code-list labels (declarations: the same for every record of the feed)."""
    from imports.schemas import schema_get
    from monitoring.feed_parsers import code_lists

    headers = {c.key: c.header for c in schema_get(schema_key).columns}
    labels = {key: dict(codes.choices) for key, codes in code_lists().get(feed_code, {}).items()}
    return headers, labels


def payload_text(feed, payload: dict) -> str:
    """Payload cells under their Chinese headers, codes shown as their labels."""
    if feed is None:
        return "；".join(f"{k}：{v}" for k, v in payload.items())
    headers, labels = _feed_labels(feed.code, feed.schema_key)
    parts = []
    for key, value in payload.items():
        label = labels[key].get(value, value) if key in labels else value
        parts.append(f"{headers.get(key, key)}：{label}")
    return "；".join(parts)


def _warnings(chain: Chain, user, people: list[int], household) -> None:
    rows = (warnings_visible(user).filter(Q(person_id__in=people) | Q(household=household))
            .select_related("person", "rule"))
    for w in _recent(rows, KINDS["warning"], chain, "created_at"):
        chain.events.append(ChainEvent(
            w.created_at, "warning", f"预警：{w.rule.name}（{w.person.name}）",
            f"{w.get_warning_type_display()} · {w.get_severity_display()} · {w.get_status_display()}"
            + (f"（{dict(Task.Outcome.choices).get(w.outcome, w.outcome)}）" if w.outcome else "")
            + (f" · 处置建议：{w.rule.advice}" if w.rule.advice else ""),
            "danger" if w.severity <= 2 else "warning",
            reverse("task-detail", args=[w.task_id]) if w.task_id else "", seq=w.pk))


TASK_TONES = {TaskEvent.Kind.CREATED: "info", TaskEvent.Kind.STARTED: "info", TaskEvent.Kind.ESCALATED: "danger",
              TaskEvent.Kind.CLOSED: "success"}


def _tasks(chain: Chain, user, people: list[int], household) -> None:
    tasks = tasks_visible(user).filter(Q(person_id__in=people) | Q(household=household))
    rows = TaskEvent.objects.filter(task__in=tasks).select_related("task", "by")
    for e in _recent(rows, KINDS["task"], chain, "at"):
        task = e.task
        detail = e.message
        if e.kind == TaskEvent.Kind.CLOSED:
            detail += "".join([f"；转交{task.handed_to}" if task.handed_to else "",
                               f"；{task.outcome_note}" if task.outcome_note else ""])
        if e.by:
            detail += f" · {e.by}"
        chain.events.append(ChainEvent(e.at, "task", f"{e.get_kind_display()}：{task.title}", detail,
                                       TASK_TONES.get(e.kind, "info"), reverse("task-detail", args=[task.pk]),
                                       seq=e.pk))


def _enrolment_changes(chain: Chain, user, people: list[int], household) -> list[int]:
    from programs.models import Enrolment, EnrolmentChange

    enrolments = restrict(Enrolment.objects.filter(Q(household=household) | Q(person_id__in=people)), user, "view",
                          resource="enrolment", area_field="area_id")
    ids = list(enrolments.values_list("pk", flat=True))
    rows = EnrolmentChange.objects.filter(enrolment_id__in=ids).select_related(
        "enrolment__program", "enrolment__person", "by")
    for c in _recent(rows, KINDS["enrolment"], chain, "at"):
        e = c.enrolment
        who = f"（{e.person.name}）" if e.person_id else ""
        stop = c.kind in STOPS
        amounts = f"{c.from_amount if c.from_amount is not None else '—'} → " \
                  f"{c.to_amount if c.to_amount is not None else '—'} 元/月"
        detail = f"{amounts} · 自{c.effective_month:%Y年%m月}起" + (f" · {c.reason}" if c.reason else "")
        chain.events.append(ChainEvent(
            c.at, "enrolment", f"{e.program.name}{who}：{c.get_kind_display()}{'（停发）' if stop else ''}",
            detail + (f" · {c.by}" if c.by else " · 系统"), "danger" if stop else "primary", seq=c.pk))
    return ids


def _rechecks(chain: Chain, user, enrolment_ids: list[int]) -> None:
    from assistance.models import Recheck

    rows = Recheck.objects.filter(enrolment_id__in=enrolment_ids).select_related("enrolment__program", "done_by")
    for r in _recent(rows, KINDS["recheck"], chain, "scheduled_at"):
        url = reverse("assistance-recheck", args=[r.pk])
        chain.events.append(ChainEvent(
            r.scheduled_at, "recheck", f"{r.enrolment.program.name}：安排复核（{r.get_trigger_display()}）",
            f"应于 {r.due_on:%Y-%m-%d} 前复核 · {r.get_status_display()}" + (f" · {r.note}" if r.note else ""),
            "warning", url, seq=r.pk))
        if r.done_at:
            chain.events.append(ChainEvent(
                r.done_at, "recheck", f"{r.enrolment.program.name}：复核完成",
                (r.get_outcome_display() or "") + (f" · {r.done_by}" if r.done_by_id else ""), "success", url,
                seq=r.pk))


def _payment_exceptions(chain: Chain, user, people: list[int], household) -> None:
    from payments.selectors import exceptions_visible

    rows = exceptions_visible(user).filter(Q(line__person_id__in=people) | Q(line__household_id=household.pk))
    for x in _recent(rows, KINDS["payment"], chain, "found_at"):
        chain.events.append(ChainEvent(
            x.found_at, "payment", f"发放异常：{x.get_kind_display()}",
            f"{x.detail} · {x.get_status_display()}" + (f"（{x.resolution}）" if x.resolution else ""),
            "danger" if x.status == "open" else "secondary", seq=x.pk))


def _story(chain: Chain, user, people: list[int], household) -> None:
    """Composition events and notices: the household's own (its page shows them to whoever may see it) and those
    of its members the user may see (a former member now living elsewhere is out of scope)."""
    from registry.models import Person

    visible = restrict(Person.objects.filter(pk__in=people), user, "view", resource="person", area_field="area_id")
    rows = DomainEvent.objects.filter(Q(household=household) | Q(person_id__in=visible.values("pk")),
                                      type__in=STORY_EVENTS).select_related("user")
    for e in _recent(rows, KINDS["household"], chain, "time"):
        tone = "dark" if e.type == EventType.PERSON_DIED else "secondary"
        chain.events.append(ChainEvent(e.time, "household", e.message, f"经办：{e.user}" if e.user_id else "系统", tone,
                                       seq=e.pk))
