"""Forms of the 分档 page (分档救助金额): a new tier set for a programme and an area — the month it starts, the
cited source, and up to `ROWS` tiers typed as rows (no script: blank rows are ignored). The service
(programs.tiers.amount_tiers_set) decides what is valid; these forms check each row's shape on its own fields."""

from django import forms

from web.forms import MonthField, StyledForm

ROWS = 5
MONEY = {"required": False, "min_value": 0, "max_digits": 12, "decimal_places": 2}


class TierRowForm(StyledForm):
    """One tier: 月人均收入 from (inclusive) to (exclusive; blank = no upper limit), and the amount per person."""

    income_from = forms.DecimalField(label="月人均收入自（含，元）", **MONEY)
    income_to = forms.DecimalField(label="至（不含，元）", **MONEY)
    amount = forms.DecimalField(label="每人每月补助（元）", **MONEY)

    def is_blank(self) -> bool:
        return all(self.cleaned_data.get(f) is None for f in self.fields)

    def clean(self):
        data = super().clean()
        if self.errors or self.is_blank():
            return data
        if data.get("income_from") is None:
            self.add_error("income_from", "请填写月人均收入下限")
        if data.get("amount") is None:
            self.add_error("amount", "请填写每人每月补助")
        low, high = data.get("income_from"), data.get("income_to")
        if low is not None and high is not None and high <= low:
            self.add_error("income_to", "上限应大于下限")
        return data

    def tier(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in ("income_from", "income_to", "amount")}


class BaseTierRows(forms.BaseFormSet):
    def tiers(self) -> list[dict]:
        """The filled rows, in page order."""
        return [form.tier() for form in self.forms if form.is_valid() and not form.is_blank()]

    def clean(self):
        if any(self.errors):
            return
        if not self.tiers():
            raise forms.ValidationError("请至少填写一档")


TierRows = forms.formset_factory(TierRowForm, formset=BaseTierRows, extra=ROWS, max_num=ROWS, validate_max=True)


class TierSetForm(StyledForm):
    valid_from = MonthField(label="生效月份", help_text="自该月1日起执行；本区划现行分档于前一日截止")
    source = forms.CharField(label="依据文件", max_length=200,
                             help_text="文件名称与文号，如：××区民政局关于……的通知（×民发〔2026〕×号）")
    verified = forms.BooleanField(label="已核对原文件", required=False,
                                  help_text="未勾选时，金额计算过程中显示“未核实”")
