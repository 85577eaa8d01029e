"""动态监测预警查询: what a user may see of batches, records, review rows, warnings and rules."""

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.policy import allowed, restrict
from monitoring.models import DeptRecord, FeedBatch, MatchReview, Rule, RuleFailure, Warning
from tasks.models import Task


def feed_batches_visible(user) -> QuerySet[FeedBatch]:
    return restrict(FeedBatch.objects.all(), user, "view", resource="feed", area_field="area_id")


def dept_records_visible(user) -> QuerySet[DeptRecord]:
    return restrict(DeptRecord.objects.all(), user, "view", resource="warning", area_field="area_id")


def match_reviews_visible(user) -> QuerySet[MatchReview]:
    return restrict(MatchReview.objects.all(), user, "review", resource="feed", area_field="area_id")


def warnings_visible(user) -> QuerySet[Warning]:
    """预警 about communities inside the user's area, with their task's id, deadline and holder."""
    tasks = Task.objects.filter(source_type="monitoring.warning", source_id=OuterRef("pk"))
    return (restrict(Warning.objects.all(), user, "view", resource="warning", area_field="area_id")
            .annotate(task_id=Subquery(tasks.values("pk")[:1]), task_deadline=Subquery(tasks.values("deadline")[:1]),
                      task_assigned_area=Subquery(tasks.values("assigned_area_id")[:1])))


def rules_visible(user) -> QuerySet[Rule]:
    return Rule.objects.all() if allowed(user, "rule", "view") else Rule.objects.none()


def rule_failures_visible(user) -> QuerySet[RuleFailure]:
    return RuleFailure.objects.all() if allowed(user, "rule", "view") else RuleFailure.objects.none()
