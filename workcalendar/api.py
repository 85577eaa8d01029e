"""REST API of the working-day calendar (工作日历): deadline arithmetic for forms and other services.

Both views are read-only and need only a signed-in user (the project default permission); the calendar is
the same for every area.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workcalendar.services import CalendarNotPublished, add_working_days, working_days_between

# Ten years of working days: far beyond any statutory deadline, and it bounds the day-by-day walk.
MAX_DAYS = 2500
DATE_FORMAT = "%Y-%m-%d"


def _date_field(name: str, label: str) -> serializers.DateField:
    # Only YYYY-MM-DD: a bare ISO parser would also accept datetimes, whose time part we would drop silently.
    return serializers.DateField(
        input_formats=[DATE_FORMAT],
        error_messages={
            "required": f"缺少参数 {name}（{label}，格式 YYYY-MM-DD）",
            "invalid": f"{name}（{label}）日期格式应为 YYYY-MM-DD",
            "null": f"{name}（{label}）不能为空",
        },
    )


class _AddWorkingDaysQuery(serializers.Serializer):
    start = _date_field("start", "起始日期")
    days = serializers.IntegerField(
        min_value=0,
        max_value=MAX_DAYS,
        error_messages={
            "required": "缺少参数 days（工作日天数）",
            "invalid": "days（工作日天数）应为整数",
            "min_value": "days（工作日天数）不能为负数",
            "max_value": f"days（工作日天数）不能超过 {MAX_DAYS}",
            "max_string_length": "days（工作日天数）数值过大",
            "null": "days（工作日天数）不能为空",
        },
    )


class _WorkingDaysBetweenQuery(serializers.Serializer):
    start = _date_field("start", "起始日期")
    end = _date_field("end", "截止日期")


class CalendarNotPublishedError(APIException):
    """该年度日历尚未发布: a client error (pick another date, or ask the administrator), never a 500."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "该年度的法定节假日安排尚未发布"
    default_code = "calendar_not_published"


def _parse(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


_ERROR_RESPONSE = OpenApiResponse(
    response=inline_serializer(
        name="WorkingDaysError",
        fields={"detail": serializers.CharField(required=False, help_text="日历未发布等错误说明")},
    ),
    description="参数错误（以参数名为键，值为错误说明列表），或该年度日历尚未发布（detail）",
)
_START_PARAM = OpenApiParameter(
    "start", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=True, description="起始日期，YYYY-MM-DD（不计入）"
)


class AddWorkingDaysView(APIView):
    """n个工作日后的日期: GET ?start=YYYY-MM-DD&days=N → the N-th working day after start."""

    @extend_schema(
        operation_id="calendar_add_working_days",
        summary="计算 N 个工作日后的日期",
        tags=["工作日历"],
        parameters=[
            _START_PARAM,
            OpenApiParameter(
                "days",
                {"type": "integer", "minimum": 0, "maximum": MAX_DAYS},
                OpenApiParameter.QUERY,
                required=True,
                description=f"工作日天数，0 至 {MAX_DAYS}",
            ),
        ],
        responses={
            200: inline_serializer(
                name="AddWorkingDaysResult",
                fields={
                    "start": serializers.DateField(help_text="起始日期"),
                    "days": serializers.IntegerField(help_text="工作日天数"),
                    "date": serializers.DateField(help_text="第 N 个工作日的日期"),
                },
            ),
            400: _ERROR_RESPONSE,
        },
    )
    def get(self, request: Request) -> Response:
        query = _parse(_AddWorkingDaysQuery, request)
        try:
            result = add_working_days(query["start"], query["days"])
        except CalendarNotPublished as exc:
            raise CalendarNotPublishedError(str(exc)) from exc
        return Response({"start": query["start"].isoformat(), "days": query["days"], "date": result.isoformat()})


class WorkingDaysBetweenView(APIView):
    """两日期之间的工作日数: GET ?start=&end= → working days after start up to and including end."""

    @extend_schema(
        operation_id="calendar_working_days_between",
        summary="计算两个日期之间的工作日数",
        tags=["工作日历"],
        parameters=[
            _START_PARAM,
            OpenApiParameter(
                "end",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=True,
                description="截止日期，YYYY-MM-DD（计入）",
            ),
        ],
        responses={
            200: inline_serializer(
                name="WorkingDaysBetweenResult",
                fields={
                    "start": serializers.DateField(help_text="起始日期"),
                    "end": serializers.DateField(help_text="截止日期"),
                    "days": serializers.IntegerField(help_text="工作日数；截止日期早于起始日期时为负数"),
                },
            ),
            400: _ERROR_RESPONSE,
        },
    )
    def get(self, request: Request) -> Response:
        query = _parse(_WorkingDaysBetweenQuery, request)
        try:
            days = working_days_between(query["start"], query["end"])
        except CalendarNotPublished as exc:
            raise CalendarNotPublishedError(str(exc)) from exc
        return Response({"start": query["start"].isoformat(), "end": query["end"].isoformat(), "days": days})
