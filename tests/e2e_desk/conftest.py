"""The desk browser tests use the assistance fixtures and the case builder of the page tests."""

from tests.assistance.conftest import clock, families, staff  # noqa: F401
from tests.assistance_pages.conftest import cases  # noqa: F401
