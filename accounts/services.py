"""Account actions (账号管理)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Role, User
from accounts.roles import ROLE_NAMES
from areas.models import Area


@transaction.atomic
def user_create(*, username: str, password: str, roles: list[str], area_code: str, full_name: str = "",
                validate: bool = True) -> User:
    """Create a staff account at one area with its roles. Unknown roles or areas are refused by name."""
    unknown = [r for r in roles if r not in ROLE_NAMES]
    if unknown:
        raise ValidationError({"role": [f"未知角色：{', '.join(unknown)}（可选：{', '.join(ROLE_NAMES)}）"]})
    area = Area.objects.filter(code=area_code).first()
    if area is None:
        raise ValidationError({"area": [f"区划代码不存在：{area_code}"]})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [f"用户名已存在：{username}"]})
    user = User(username=username, first_name=full_name, area=area, is_staff="admin" in roles)
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    user.roles.set(Role.objects.filter(code__in=roles))
    return user
