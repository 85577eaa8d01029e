"""`manage.py add_user USERNAME --password PW --role ROLE [--role ROLE] --area CODE` — bootstrap staff accounts."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import ROLE_NAMES
from accounts.services import user_create


class Command(BaseCommand):
    help = "新建工作人员账号。角色可选：" + "、".join(f"{k}（{v}）" for k, v in ROLE_NAMES.items())

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", action="append", required=True, choices=list(ROLE_NAMES))
        parser.add_argument("--area", required=True, help="所属区划12位代码")
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args, username, password, role, area, name, **options):
        try:
            user = user_create(username=username, password=password, roles=role, area_code=area, full_name=name)
        except ValidationError as exc:
            raise CommandError("；".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(self.style.SUCCESS(f"已创建用户 {user.username}（{user.area.name}，{'、'.join(role)}）"))
