"""`manage.py demo_logins` — print the table of demo logins again (username, password, role, area)."""

from django.core.management.base import BaseCommand

from demo.personas import demo_logins, logins_table


class Command(BaseCommand):
    help = "列出演示账号（用户名、密码、角色、所属区划）"

    def handle(self, *args, **options):
        logins = demo_logins()
        if not logins:
            self.stdout.write("尚未创建演示账号，请先运行：python manage.py load_demo")
            return
        self.stdout.write(logins_table(logins))
