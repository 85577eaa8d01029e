"""API of the fund-supervision reports (资金监管报表):

GET /api/payment-reports/{report}/?from=YYYY-MM&to=YYYY-MM&area=…&program=… → JSON tables
GET /api/payment-reports/{report}/xlsx/?… → the same report as an XLSX download (access-logged)

`report` is amounts (金额：项目 × 区划 × 月份), recipients (对象分类), ontime (按时发放率) or exceptions (异常处理).
The figures are those of the lines the user may see (area-scoped). Money and rates are strings (Decimal).
"""


from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.policy import allowed
from minzheng.db_router import reading_from_replica
from payments.report_xlsx import report_export
from payments.reports import Report, ReportFilter, filter_parse, report_build
from web.downloads import XLSX, attachment

TAG = "资金监管报表"
PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.STR, required=True, description="起始月份 YYYY-MM"),
    OpenApiParameter("to", OpenApiTypes.STR, description="截止月份 YYYY-MM（含；默认同起始月份）"),
    OpenApiParameter("area", OpenApiTypes.STR, description="镇街或村社区12位代码（选镇街时按村社区细分）"),
    OpenApiParameter("program", OpenApiTypes.STR, description="项目代码，如 dibao"),
]


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField(help_text="text 文字；int 整数；money 金额（元，字符串）；rate 比率（0–1，字符串）")


class TableSerializer(serializers.Serializer):
    title = serializers.CharField()
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.DictField(), help_text="每行按列 key 取值")
    totals = serializers.DictField(allow_null=True, help_text="合计行")


class ReportSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    period = serializers.CharField()
    filters = serializers.DictField()
    tables = TableSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())


def _plain(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)  # Decimal money and rates keep their exact digits as strings


def report_json(report: Report, f: ReportFilter) -> dict:
    return {"key": report.key, "title": report.title, "period": report.period, "filters": f.as_dict(),
            "notes": report.notes, "tables": [{
                "title": t.title, "columns": [{"key": c.key, "title": c.title, "kind": c.kind} for c in t.columns],
                "rows": [{k: _plain(v) for k, v in row.items()} for row in t.rows],
                "totals": {k: _plain(v) for k, v in t.totals.items()} if t.totals is not None else None,
            } for t in report.tables]}


def _filter(request: Request) -> ReportFilter:
    if not allowed(request.user, "payment", "view"):
        raise PermissionDenied("无此操作权限（资金发放）")
    q = request.query_params
    return filter_parse(user=request.user, start=q.get("from", ""), end=q.get("to", ""), area=q.get("area", ""),
                        program=q.get("program", ""))


class _ReportView(APIView):
    key = ""

    def get(self, request: Request) -> Response:
        f = _filter(request)
        with reading_from_replica():
            return Response(report_json(report_build(user=request.user, key=self.key, f=f), f))


class _ReportXlsxView(APIView):
    key = ""

    def get(self, request: Request) -> HttpResponse:
        with reading_from_replica():
            name, content = report_export(user=request.user, key=self.key, f=_filter(request))
        return attachment(content, name)


def _json_schema(key: str, summary: str):
    return extend_schema(tags=[TAG], summary=summary, parameters=PARAMETERS, operation_id=f"payment_reports_{key}",
                         responses={200: ReportSerializer, 400: OpenApiResponse(description="参数错误"),
                                    403: OpenApiResponse(description="无权限")})


def _xlsx_schema(key: str, summary: str):
    return extend_schema(
        tags=[TAG], summary=f"{summary}（导出 XLSX，记入访问记录）", parameters=PARAMETERS,
        operation_id=f"payment_reports_{key}_xlsx",
        responses={(200, XLSX): OpenApiResponse(response=OpenApiTypes.BINARY, description="XLSX 文件"),
                   400: OpenApiResponse(description="参数错误"), 403: OpenApiResponse(description="无权限")})


AMOUNTS = "资金发放金额统计（项目 × 区划 × 月份）"
RECIPIENTS = "享受对象分类统计（户籍、残疾）"
ONTIME = "按时发放率（按项目每月发放日）"
EXCEPTIONS = "发放异常发现与处理情况"


class AmountsReportView(_ReportView):
    key = "amounts"

    @_json_schema(key, AMOUNTS)
    def get(self, request: Request) -> Response:
        return super().get(request)


class AmountsReportXlsxView(_ReportXlsxView):
    key = "amounts"

    @_xlsx_schema(key, AMOUNTS)
    def get(self, request: Request) -> HttpResponse:
        return super().get(request)


class RecipientsReportView(_ReportView):
    key = "recipients"

    @_json_schema(key, RECIPIENTS)
    def get(self, request: Request) -> Response:
        return super().get(request)


class RecipientsReportXlsxView(_ReportXlsxView):
    key = "recipients"

    @_xlsx_schema(key, RECIPIENTS)
    def get(self, request: Request) -> HttpResponse:
        return super().get(request)


class OntimeReportView(_ReportView):
    key = "ontime"

    @_json_schema(key, ONTIME)
    def get(self, request: Request) -> Response:
        return super().get(request)


class OntimeReportXlsxView(_ReportXlsxView):
    key = "ontime"

    @_xlsx_schema(key, ONTIME)
    def get(self, request: Request) -> HttpResponse:
        return super().get(request)


class ExceptionsReportView(_ReportView):
    key = "exceptions"

    @_json_schema(key, EXCEPTIONS)
    def get(self, request: Request) -> Response:
        return super().get(request)


class ExceptionsReportXlsxView(_ReportXlsxView):
    key = "exceptions"

    @_xlsx_schema(key, EXCEPTIONS)
    def get(self, request: Request) -> HttpResponse:
        return super().get(request)
