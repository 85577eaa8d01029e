"""File downloads (下载): one response shape for every XLSX/CSV a page or the API hands out.

The file name goes in RFC 6266's `filename*=UTF-8''…` form, so Chinese names (发放对账表.xlsx) arrive intact in
every browser; callers log exports of personal data themselves (they know what was exported).
"""

from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def attachment(content: bytes, filename: str, content_type: str = XLSX) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def stream_attachment(chunks, filename: str, content_type: str = XLSX) -> StreamingHttpResponse:
    """A download sent as it is produced (a stored file read in pieces, a CSV written row by row, a temporary
    XLSX file): the whole file is never held in the web process's memory."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
