"""API of bank disbursement (银行代发), beside `payments.api` (whose paths stay as they are):

GET|POST /api/payment-cycles/{id}/bank-files/ · GET /api/bank-files/{id}/download/
POST /api/payment-cycles/{id}/bank-returns/ (multipart: bank_file, file) → 201 with the import batch
GET /api/bank-returns/{id}/ · POST /api/bank-returns/{id}/commit/ → 202 with the job
POST /api/payment-cycles/{id}/reissue/ → 201 with the reissue files
POST /api/payment-cycles/{id}/close/ {"reason": "…"} → the closed cycle
GET /api/payment-cycles/{id}/reconciliation/ · GET /api/payment-cycles/{id}/reconciliation/xlsx/
"""


from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import NOT_FOUND
from payments import selectors, services_bank
from payments.api import TAG, CycleSerializer, JobSerializer, _cycle, cycle_data
from payments.models import BankFile, BankFileLayout, BankReturn
from payments.reconciliation import reconciliation, reconciliation_xlsx
from web.downloads import XLSX, attachment, stream_attachment

CONTENT_TYPES = {"csv": "text/csv", "xlsx": XLSX}
FORBIDDEN = OpenApiResponse(description="无权限")


class BankFileSerializer(serializers.ModelSerializer):
    layout_name = serializers.CharField(source="layout.name")
    total_amount = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True)
    created_by = serializers.CharField(source="created_by.username")
    download = serializers.SerializerMethodField(help_text="下载地址")

    class Meta:
        model = BankFile
        fields = ["id", "cycle", "round", "bank_name", "layout", "layout_name", "format", "encoding", "filename",
                  "item_count", "total_amount", "checksum", "created_by", "created_at", "download"]

    def get_download(self, bank_file: BankFile) -> str:
        return f"/api/bank-files/{bank_file.pk}/download/"


class GenerateSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "请求内容应为 JSON 对象"}

    layout = serializers.PrimaryKeyRelatedField(
        queryset=BankFileLayout.objects.filter(active=True), required=False, allow_null=True,
        help_text="代发文件格式编号；不填则每个银行用其自己的格式（无则默认格式）",
        error_messages={"does_not_exist": "layout（代发文件格式）不存在或已停用", "incorrect_type": "layout 应为编号"})
    round = serializers.IntegerField(required=False, min_value=1, default=1,
                                     help_text="轮次：1为首次代发（默认），2起为重发",
                                     error_messages={"invalid": "round（轮次）应为正整数",
                                                     "min_value": "round（轮次）应为正整数"})


class ReturnUploadSerializer(serializers.Serializer):
    bank_file = serializers.IntegerField(help_text="回盘对应的代发文件编号",
                                         error_messages={"required": "缺少 bank_file（代发文件编号）",
                                                         "invalid": "bank_file（代发文件编号）应为数字"})
    file = serializers.FileField(help_text="回盘文件（CSV 或 XLSX）：序号、账号、金额、结果、失败原因，可选交易日期",
                                 error_messages={"required": "缺少 file（回盘文件）", "empty": "file（回盘文件）为空"})


class BankReturnSerializer(serializers.ModelSerializer):
    import_batch = serializers.IntegerField(source="import_batch_id")
    import_status = serializers.CharField(source="import_batch.status",
                                          help_text="staged 校验中；validated 已校验待保存；committed 已保存；"
                                                    "discarded 已放弃；failed 失败")
    filename = serializers.CharField(source="import_batch.original_filename")
    total_rows = serializers.IntegerField(source="import_batch.total_rows")
    good_rows = serializers.IntegerField(source="import_batch.good_rows")
    bad_rows = serializers.IntegerField(source="import_batch.bad_rows")
    duplicate_of = serializers.IntegerField(source="import_batch.duplicate_of_id", allow_null=True,
                                            help_text="与之字节完全相同、已保存的导入批次（重复上传不写入）")
    summary = serializers.JSONField(source="import_batch.summary",
                                    help_text="保存结果：paid 成功笔数、failed 失败笔数、already_recorded 已登记未变")
    error = serializers.CharField(source="import_batch.error")

    class Meta:
        model = BankReturn
        fields = ["id", "cycle", "bank_file", "import_batch", "import_status", "filename", "total_rows", "good_rows",
                  "bad_rows", "duplicate_of", "summary", "error", "created_at"]


class CellSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True)


class ReconciliationRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="项目代码或镇街区划代码")
    name = serializers.CharField()
    paid = CellSerializer(help_text="已发放")
    failed = CellSerializer(help_text="发放失败")
    reissued = CellSerializer(help_text="已重发待回盘")
    pending = CellSerializer(help_text="待发放（未回盘或未进入代发文件）")
    total = CellSerializer(help_text="合计")


class ReconciliationSerializer(serializers.Serializer):
    by_program = ReconciliationRowSerializer(many=True)
    by_town = ReconciliationRowSerializer(many=True)
    total = serializers.SerializerMethodField(help_text="合计：paid 已发放、failed 发放失败、reissued 已重发待回盘、"
                                                        "pending 待发放、total 合计，各含 count 与 amount")

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "object", "properties": {
        "count": {"type": "integer"}, "amount": {"type": "string"}}}})
    def get_total(self, report: dict) -> dict:
        return {k: CellSerializer(v).data for k, v in report["total"].items()}


def _bank_file(request: Request, pk: int) -> BankFile:
    bank_file = selectors.bank_files_visible(request.user).select_related("cycle").filter(pk=pk).first()
    if bank_file is None:
        raise NotFound(NOT_FOUND)
    return bank_file


def _bank_return(request: Request, pk: int) -> BankReturn:
    found = (selectors.bank_returns_visible(request.user).select_related("import_batch", "cycle")
             .filter(pk=pk).first())
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def _files_data(ids: list[int]) -> list[dict]:
    rows = BankFile.objects.filter(pk__in=ids).select_related("layout", "created_by")
    return BankFileSerializer(rows, many=True).data


class CycleBankFilesView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=[TAG], summary="银行代发文件列表（元数据与校验值）",
                   responses={200: BankFileSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        cycle = _cycle(request, pk)
        rows = selectors.bank_files_visible(request.user).filter(cycle=cycle).select_related("layout", "created_by")
        return Response(BankFileSerializer(rows, many=True).data)

    @extend_schema(tags=[TAG], summary="导出银行代发文件（按银行分文件；首次导出后批次为已导出）",
                   request=GenerateSerializer, responses={
                       201: BankFileSerializer(many=True), 400: OpenApiResponse(description="未审批或格式不可用"),
                       403: FORBIDDEN})
    def post(self, request: Request, pk: int) -> Response:
        form = GenerateSerializer(data=request.data or {})
        form.is_valid(raise_exception=True)
        files = services_bank.bank_files_generate(acting_user=request.user, cycle=_cycle(request, pk),
                                                  layout=form.validated_data.get("layout"),
                                                  round_=form.validated_data["round"])
        return Response(_files_data([f.pk for f in files]), status=status.HTTP_201_CREATED)


class BankFileDownloadView(APIView):
    @extend_schema(tags=[TAG], summary="下载银行代发文件（含完整账号，记录访问日志）",
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 403: FORBIDDEN})
    def get(self, request: Request, pk: int) -> HttpResponse:
        bank_file = _bank_file(request, pk)
        chunks = services_bank.bank_file_download(acting_user=request.user, bank_file=bank_file)
        response = stream_attachment(chunks, bank_file.filename, CONTENT_TYPES[bank_file.format])
        response["X-Checksum-SHA256"] = bank_file.checksum
        return response


class CycleBankReturnsView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(tags=[TAG], summary="上传银行回盘（暂存校验后再保存正确行）", request={
        "multipart/form-data": ReturnUploadSerializer}, responses={
        201: BankReturnSerializer, 400: OpenApiResponse(description="文件无法读取、缺少列或状态不允许"),
        403: FORBIDDEN})
    def post(self, request: Request, pk: int) -> Response:
        cycle = _cycle(request, pk)
        form = ReturnUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # The cycle is one the user sees; the service checks the grant and that their scope covers the district.
        bank_file = BankFile.objects.filter(pk=form.validated_data["bank_file"], cycle=cycle).first()
        if bank_file is None:
            raise serializers.ValidationError({"bank_file": ["bank_file（代发文件）不属于该发放批次"]})
        upload = form.validated_data["file"]
        bank_return = services_bank.bank_return_upload(acting_user=request.user, bank_file=bank_file,
                                                       filename=upload.name, content=upload.read())
        return Response(BankReturnSerializer(_bank_return(request, bank_return.pk)).data,
                        status=status.HTTP_201_CREATED)


class BankReturnDetailView(APIView):
    @extend_schema(tags=[TAG], summary="银行回盘：校验与保存结果", responses={200: BankReturnSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(BankReturnSerializer(_bank_return(request, pk)).data)


class BankReturnCommitView(APIView):
    @extend_schema(tags=[TAG], summary="保存回盘的正确行（成功、失败逐笔登记）", request=None,
                   responses={202: JobSerializer, 400: OpenApiResponse(description="尚未校验完成或已保存"),
                              403: FORBIDDEN})
    def post(self, request: Request, pk: int) -> Response:
        job = services_bank.bank_return_commit(acting_user=request.user, bank_return=_bank_return(request, pk))
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class CycleReissueView(APIView):
    @extend_schema(tags=[TAG], summary="重发：账户更正后的发放失败明细生成重发代发文件", request=None,
                   responses={201: BankFileSerializer(many=True),
                              400: OpenApiResponse(description="没有可重发的明细或状态不允许"), 403: FORBIDDEN})
    def post(self, request: Request, pk: int) -> Response:
        files = services_bank.payments_reissue(acting_user=request.user, cycle=_cycle(request, pk))
        return Response(_files_data([f.pk for f in files]), status=status.HTTP_201_CREATED)


class CycleCloseSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "请求内容应为 JSON 对象"}

    reason = serializers.CharField(label="结束原因", max_length=200, required=False, allow_blank=True, default="",
                                   help_text="尚有未到账明细（发放失败未重发、无银行账户）时必填",
                                   error_messages={"max_length": "reason（结束原因）不能超过200个字",
                                                   "invalid": "reason（结束原因）应为文字"})


class CycleCloseView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=[TAG], summary="结束发放批次（银行回盘全部到达后）", request=CycleCloseSerializer,
                   responses={200: CycleSerializer, 400: OpenApiResponse(description="尚有代发未回盘，或缺少结束原因"),
                              403: FORBIDDEN})
    def post(self, request: Request, pk: int) -> Response:
        form = CycleCloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services_bank.cycle_close(acting_user=request.user, cycle=_cycle(request, pk),
                                  reason=form.validated_data["reason"])
        return Response(cycle_data(request, pk))


class CycleReconciliationView(APIView):
    @extend_schema(tags=[TAG], summary="对账：已发放、失败、重发、待发放（笔数与金额），按项目与镇街",
                   responses={200: ReconciliationSerializer})
    def get(self, request: Request, pk: int) -> Response:
        report = reconciliation(user=request.user, cycle=_cycle(request, pk))
        return Response(ReconciliationSerializer(report).data)


class CycleReconciliationXlsxView(APIView):
    @extend_schema(tags=[TAG], summary="对账表下载（XLSX）", responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        cycle = _cycle(request, pk)
        content = reconciliation_xlsx(cycle=cycle, report=reconciliation(user=request.user, cycle=cycle))
        return attachment(content, f"{cycle.month:%Y%m}_发放对账表.xlsx", XLSX)
