"""Response headers every page and download gets (生产安全响应头).

- `Cache-Control: no-store` (via Django's never-cache headers): pages, exports and documents carry personal data,
  and neither a shared proxy nor the browser's back button on a shared office PC may keep them. Static files are
  answered by WhiteNoise before this middleware and keep their own long cache headers; a view that sets its own
  Cache-Control (the favicon, the health check) keeps it.
- `Content-Security-Policy` from settings.CONTENT_SECURITY_POLICY ("" sends none).
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and not response.has_header("Content-Security-Policy"):
            response["Content-Security-Policy"] = policy
        return response
