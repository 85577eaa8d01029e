"""Helpers shared by the pages: grant checks, area filters, service errors on forms, history and timeline rows."""

from dataclasses import dataclass, field

from django import forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from accounts.policy import allowed, area_in_scope, scope_prefix
from areas.models import Area, AreaLevel
from audit.models import ChangeLog, DomainEvent
from registry.identity import mask_certificate_number, mask_id_number, mask_phone
from registry.models import IncomeCategory, Person

PAGE_SIZE = 50
# Internal columns that say nothing to a reader of the history.
HIDDEN_HISTORY_FIELDS = {"id", "created_at", "updated_at", "name_pinyin", "name_initials"}
# Full ID numbers are only ever shown through the logged reveal, so history shows them masked.
# Personal numbers shown masked in history as everywhere (the full value only through a logged reveal).
MASKED_FIELDS = {"id_number": mask_id_number, "phone": mask_phone, "certificate_number": mask_certificate_number,
                 "account_number": mask_id_number, "custodian_contact": mask_phone}
# Foreign keys shown by name rather than by key.
REFERENCES: dict[str, type[Model]] = {"area_id": Area, "person_id": Person, "category_id": IncomeCategory}


def require(user, resource: str, action: str) -> None:
    """Refuse a page outright when the user's roles lack the grant (the services check again on write)."""
    if not allowed(user, resource, action):
        raise PermissionDenied("无此操作权限")


def service_error_text(exc: Exception) -> str:
    """A service's refusal as one line for a flash message: a ValidationError's messages, or PermissionDenied's."""
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or "无此操作权限"


def after_cursor(request: HttpRequest) -> int | None:
    value = request.GET.get("after", "")
    return int(value) if value.isdigit() else None


def service_errors_to_form(form: forms.BaseForm, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: on the named field when the form has it, else on top."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for name, messages in errors.items():
        target = (rename or {}).get(name, name)
        form.add_error(target if target in form.fields else None, messages)


@dataclass
class AreaFilter:
    """The town (镇街) and community (村社区) filters of a list page, offering only areas in the user's scope."""

    town: str = ""
    community: str = ""
    towns: list[Area] = field(default_factory=list)
    communities: list[Area] = field(default_factory=list)

    @classmethod
    def from_request(cls, request: HttpRequest) -> "AreaFilter":
        user = request.user
        prefix = scope_prefix(user) or ""
        town = request.GET.get("town", "")
        town = town if len(town) == 12 and area_in_scope(user, town) else ""
        community = request.GET.get("community", "")
        community = community if len(community) == 12 and area_in_scope(user, community) else ""
        current = Area.objects.filter(valid_to__isnull=True)
        towns = list(current.filter(level=AreaLevel.TOWN, code__startswith=prefix)) if len(prefix) == 6 else []
        town_prefix = town[:9] if town else (prefix if len(prefix) == 9 else "")
        communities = (list(current.filter(level=AreaLevel.COMMUNITY, code__startswith=town_prefix))
                       if town_prefix else [])
        if community and town_prefix and not community.startswith(town_prefix):
            community = ""  # the town changed: the community chosen under the old town no longer applies
        return cls(town=town, community=community, towns=towns, communities=communities)

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.community:
            return queryset.filter(area_id=self.community)
        if self.town:
            # `area__code` (not `area_id`) is how a prefix lookup is spelt on a foreign key; no join results.
            return queryset.filter(area__code__startswith=self.town[:9])
        return queryset


# ---- history (变更记录) and timeline (业务事件) -------------------------------------------------------------


@dataclass
class HistoryRow:
    entry: ChangeLog
    what: str
    changes: list[tuple[str, str, str]]


def history_rows(entries: QuerySet[ChangeLog], limit: int = 100) -> list[HistoryRow]:
    """Change-log entries as rows a reader understands: Chinese field names, choice labels, masked ID numbers."""
    entries = list(entries.select_related("user")[:limit])
    names = _reference_names(entries)
    rows = []
    for entry in entries:
        model = apps.get_model(entry.model)
        rows.append(HistoryRow(entry=entry, what=str(model._meta.verbose_name), changes=_changes(model, entry, names)))
    return rows


def history_for(records: dict[type[Model], list]) -> QuerySet[ChangeLog]:
    """The change log of several records at once (e.g. a household and its members), newest first."""
    condition = Q(pk__in=[])
    for model, ids in records.items():
        if ids:
            condition |= Q(model=model._meta.label_lower, object_id__in=[str(pk) for pk in ids])
    return ChangeLog.objects.filter(condition).order_by("-time", "-id")


def _changes(model: type[Model], entry: ChangeLog, names: dict[str, dict]) -> list[tuple[str, str, str]]:
    creating = entry.before is None
    changes = []
    for name, before, after in entry.changed_fields:
        if name in HIDDEN_HISTORY_FIELDS or (creating and after in (None, "", False)):
            continue
        changes.append((_label(model, name), _show(model, name, before, names), _show(model, name, after, names)))
    return changes


def _label(model: type[Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _show(model: type[Model], name: str, value, names: dict[str, dict]) -> str:
    if value is None or value == "":
        return "—"
    if name in MASKED_FIELDS:
        return MASKED_FIELDS[name](str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if name in names:
        return str(names[name].get(value, value))
    try:
        choices = dict(model._meta.get_field(name).flatchoices)
    except FieldDoesNotExist:
        choices = {}
    return str(choices.get(value, value))


def _reference_names(entries: list[ChangeLog]) -> dict[str, dict]:
    """Names for the foreign keys a history shows (area, person, income category), one query per kind.

    The entries belong to records the user may already see, so the people they name are that record's own."""
    wanted: dict[str, set] = {name: set() for name in REFERENCES}
    for entry in entries:
        for snap in (entry.before or {}, entry.after or {}):
            for name in REFERENCES.keys() & snap.keys():
                if snap[name] is not None:
                    wanted[name].add(snap[name])
    return {name: dict(REFERENCES[name].objects.filter(pk__in=values).values_list("pk", "name"))
            for name, values in wanted.items() if values}


def timeline(events: QuerySet[DomainEvent], limit: int = 100) -> list[DomainEvent]:
    return list(events.select_related("user").order_by("-time", "-id")[:limit])
