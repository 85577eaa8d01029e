"""Tag each request with an id and its source so the change log can say which request wrote a row."""

import uuid

from audit.context import ActingContext, _current


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        source = "api" if request.path.startswith("/api/") else "page"
        # The user is resolved lazily (token auth happens inside DRF), so services read it from the
        # acting_user they are given; the context carries the source and request id.
        token = _current.set(ActingContext(user_id=None, source=source, request_id=request.request_id))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
