"""每周探访达标快照 (compliance snapshot): the cells the compliance page reads, rewritten per community.

A visit, a plan change or a manual addition rewrites its community's cells for that week (the same statement as
the live figures, restricted to one community: ~100 people); the roster refresh rewrites the whole district's
for the current week. Measured in bench/carevisits.py: the live statement over 20,000 people and a week's 64,000
visits is ~150–250 ms on a loaded machine; the page now reads a few hundred rows.
"""

from django.db import transaction
from django.utils import timezone

from carevisits.models import ComplianceCell, RosterEntry, Visit
from carevisits.selectors import COMPLIANCE_FIGURES, Week, cells_from
from minzheng.lookups import prefix_q


@transaction.atomic
def compliance_snapshot_refresh(*, week: Week, area_prefix: str = "") -> int:
    """Rewrite the week's cells of the communities under `area_prefix` (a community code, or "" for all)."""
    entries = RosterEntry.objects.filter(active=True).filter(prefix_q("area_id", area_prefix))
    visits = Visit.objects.filter(prefix_q("area_id", area_prefix))
    cells = cells_from(entries, visits, week)
    ComplianceCell.objects.filter(week=week.monday).filter(prefix_q("area_id", area_prefix)).delete()
    now = timezone.now()
    ComplianceCell.objects.bulk_create([
        ComplianceCell(week=week.monday, area_id=c["area_id"], worker_id=c["worker_id"], computed_at=now,
                       **{k: c[k] for k in COMPLIANCE_FIGURES}) for c in cells], batch_size=1000)
    return len(cells)
