"""Desk blocks of monitoring (动态监测预警): open warnings, department data waiting — and the reader's count of
open warnings."""

from datetime import date

from django.urls import reverse

from accounts.policy import allowed
from monitoring.models import FeedBatch, MatchReview, Warning
from monitoring.selectors import feed_batches_visible, match_reviews_visible, warnings_visible
from web.desk import LIST_SIZE, Block, desk_block, desk_overview

WARNING_ROW = "monitoring/_desk_warning_row.html"
FEED_ROW = "monitoring/_desk_feed_row.html"


@desk_block(80)
def open_warnings(user, today: date) -> Block | None:
    """处理中的预警 of my area, newest first."""
    if not allowed(user, "warning", "view"):
        return None
    open_ = warnings_visible(user).filter(status=Warning.Status.OPEN)
    rows = list(open_.select_related("person", "area").order_by("-id")[:LIST_SIZE])
    block = Block("warnings", "处理中的预警", row_template=WARNING_ROW, rows=rows, empty="辖区暂无处理中的预警",
                  more_url=reverse("monitoring-warnings") + "?status=open")
    block.figures = [("处理中", open_.order_by().count() if len(rows) == LIST_SIZE else len(rows), "warning")]
    return block


@desk_block(60)
def feeds_waiting(user, today: date) -> Block | None:
    """部门数据: rows waiting for a person to match them, and batches still running or failed."""
    if not allowed(user, "feed", "review"):
        return None
    pending = match_reviews_visible(user).filter(status=MatchReview.Status.PENDING).count()
    batches = feed_batches_visible(user).filter(status__in=[FeedBatch.Status.RUNNING, FeedBatch.Status.FAILED])
    rows = list(batches.order_by("-id")[:LIST_SIZE])
    block = Block("feeds", "部门数据待处理", row_template=FEED_ROW, rows=rows, empty="暂无处理中或失败的数据批次",
                  more_url=reverse("monitoring-feeds"), more_label="查看部门数据")
    block.figures = [("待人工匹配", pending, "warning"), ("处理中或失败的批次", len(rows), "danger")]
    if pending:
        block.note = "待人工匹配的记录请在“人工匹配”页确认。"
    return block


@desk_overview
def warning_figures(user, today: date) -> dict:
    if not allowed(user, "warning", "view"):
        return {}
    return {"warnings_open": warnings_visible(user).filter(status=Warning.Status.OPEN).order_by().count()}
