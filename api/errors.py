"""API errors as JSON with Chinese messages; Django's ValidationError and PermissionDenied map to 400/403."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler

NOT_FOUND = "未找到该记录，或不在您的管辖范围内"


def chinese_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "无此操作权限")
    elif isinstance(exc, Http404):
        # The same words whether the record does not exist or is outside the user's area: no leak.
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, exceptions.ParseError):
        # DRF's message carries the parser's English text and is not translated.
        exc = exceptions.ParseError("请求内容无法解析，请提交合法的 JSON")
    return exception_handler(exc, context)


def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Unknown paths under /api/ answer in JSON too, not with the site's HTML 404 page."""
    return JsonResponse({"detail": "接口不存在，请查阅 /api/docs/"}, status=404,
                        json_dumps_params={"ensure_ascii": False})
