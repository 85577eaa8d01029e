"""Today (今天) for casework: one seam so that every "never in the future" check and every deadline count uses
the same local date (Asia/Shanghai), and tests can move the clock by patching `today`."""

from datetime import date

from django.utils import timezone


def today() -> date:
    return timezone.localdate()
