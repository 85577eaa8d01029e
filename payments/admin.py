"""Admin (资金发放): read-only views of cycles, lines and exceptions — changes go through the services, which
enforce maker ≠ checker and the lock of an approved cycle."""

from django.contrib import admin

from payments.models import (
    BankAccount,
    BankFile,
    BankFileColumn,
    BankFileLayout,
    BankPayment,
    BankReturn,
    GenerationChunk,
    Overpayment,
    PaymentCycle,
    PaymentException,
    PaymentLine,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentCycle)
class PaymentCycleAdmin(ReadOnlyAdmin):
    list_display = ["month", "district", "status", "line_count", "total_amount", "created_by", "approved_by"]
    list_filter = ["status"]


@admin.register(PaymentLine)
class PaymentLineAdmin(ReadOnlyAdmin):
    list_display = ["id", "cycle", "program", "kind", "covered_month", "amount", "area", "status"]
    list_filter = ["kind", "status", "program"]
    raw_id_fields = ["cycle", "enrolment", "person", "household", "bank_account", "overpayment"]
    exclude = ["account_number"]  # the snapshot of the payee's account: the pages show it masked
    show_full_result_count = False


@admin.register(PaymentException)
class PaymentExceptionAdmin(ReadOnlyAdmin):
    list_display = ["id", "cycle", "kind", "status", "detail", "resolved_by"]
    list_filter = ["kind", "status"]


@admin.register(GenerationChunk)
class GenerationChunkAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "lo", "hi", "status", "attempts", "lines"]


@admin.register(Overpayment)
class OverpaymentAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "total", "instalment", "recovered", "status"]


@admin.register(BankAccount)
class BankAccountAdmin(ReadOnlyAdmin):
    list_display = ["person", "bank_name", "masked_number", "valid", "updated_at"]
    raw_id_fields = ["person"]
    exclude = ["account_number"]
    readonly_fields = ["masked_number"]


class BankFileColumnInline(admin.TabularInline):
    model = BankFileColumn
    extra = 1
    ordering = ["position"]


@admin.register(BankFileLayout)
class BankFileLayoutAdmin(admin.ModelAdmin):
    """代发文件格式 are configuration, edited here: columns in order, headers, encoding, totals row."""

    list_display = ["name", "bank_name", "format", "encoding", "totals_row", "active"]
    list_filter = ["format", "active"]
    inlines = [BankFileColumnInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # files exported in a layout keep referring to it; switch it off instead


@admin.register(BankFile)
class BankFileAdmin(ReadOnlyAdmin):
    list_display = ["filename", "cycle", "round", "bank_name", "item_count", "total_amount", "checksum", "created_by"]
    exclude = ["file"]  # full account numbers: downloaded through the logged service only


@admin.register(BankPayment)
class BankPaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "cycle", "round", "bank_name", "seq", "masked_account", "amount", "status", "paid_on"]
    list_filter = ["status", "round"]
    exclude = ["account_number"]
    raw_id_fields = ["cycle", "enrolment", "person", "reissue_of"]
    show_full_result_count = False


@admin.register(BankReturn)
class BankReturnAdmin(ReadOnlyAdmin):
    list_display = ["id", "bank_file", "import_batch", "created_by", "created_at"]
