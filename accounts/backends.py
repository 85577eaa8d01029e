"""Account-wide lockout (账号锁定) on top of django-axes' per-address lockout.

Axes locks a username *at one client address* after `AXES_FAILURE_LIMIT` failures, so nobody can lock a colleague
out of the whole system by typing their username wrongly from elsewhere, and an office behind one NAT address is
not locked out by one person. Guessing from many addresses is still stopped: after `ACCOUNT_LOCKOUT_LIMIT`
failures from all addresses within the cool-off period, the account itself is locked.
"""

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils import timezone


def account_failures(username: str) -> int:
    """Failed sign-ins of this username from every address within the cool-off period."""
    since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start"))["n"]
    return total or 0


class AccountLockoutBackend:
    """Refuses every sign-in of a username that has failed too often overall; authenticates nobody itself.

    Deliberately without `get_user`: Django stores in the session the first backend that has one (`force_login`,
    sessions), and this one never holds a user."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and account_failures(username) >= settings.ACCOUNT_LOCKOUT_LIMIT:
            if request is not None:
                request.axes_locked_out = True  # the login page and the token view answer as for axes' lockout
            raise PermissionDenied("账号登录失败次数过多，已被锁定")
        return None
