"""Upload form (上传导入文件): cheap checks here, the header check in the service."""

from django import forms

from imports.reading import SUPPORTED_EXTENSIONS
from imports.schemas import schema_choices


class UploadForm(forms.Form):
    schema = forms.ChoiceField(label="导入模板", choices=())
    file = forms.FileField(label="文件（CSV 或 XLSX）", error_messages={
        "required": "请选择要上传的文件", "empty": "文件为空", "invalid": "请选择要上传的文件"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schema"].choices = schema_choices()
        self.fields["schema"].error_messages["required"] = "请选择导入模板"
        self.fields["schema"].error_messages["invalid_choice"] = "请选择有效的导入模板"
        self.fields["file"].widget.attrs["accept"] = ",".join(SUPPORTED_EXTENSIONS)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(tuple(SUPPORTED_EXTENSIONS)):
            raise forms.ValidationError("仅支持 CSV 或 XLSX（Excel 2007 及以上）文件")
        if not upload.size:
            raise forms.ValidationError("文件为空")
        return upload
