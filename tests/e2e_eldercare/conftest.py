"""The elderly-care browser tests use the eldercare fixtures (older people in town A and B)."""

from tests.eldercare.conftest import elders  # noqa: F401
