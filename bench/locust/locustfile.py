"""Locust load test (负载测试): officers at work — home page, work queue, a case page, a person search.

Run by bench/locust/run.py, which builds the demo database, starts gunicorn and hands over, in the JSON file named
by MINZHENG_LOCUST_TARGETS, each demo account's password and what that account may open (case ids in its area,
names of residents in its area), so every request is one the officer is allowed to make and a refusal counts
as an error. Each simulated officer signs in once, then works: a page every 1–4 s (think time).
"""

import json
import os
import random
import re

from locust import HttpUser, between, task

TARGETS = json.loads(open(os.environ["MINZHENG_LOCUST_TARGETS"], encoding="utf-8").read())
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Officer(HttpUser):
    """One officer (经办人员), signed in with one of the demo accounts, round-robin over them."""

    wait_time = between(1, 4)
    _next = 0

    def on_start(self) -> None:
        accounts = TARGETS["accounts"]
        account = accounts[Officer._next % len(accounts)]
        Officer._next += 1
        self.cases, self.names = account["cases"], account["names"]
        page = self.client.get("/login/", name="登录页")
        token = _CSRF.search(page.text).group(1)
        with self.client.post("/login/", name="登录", catch_response=True, allow_redirects=False, data={
                "username": account["username"], "password": TARGETS["password"],
                "csrfmiddlewaretoken": token}) as response:
            if response.status_code != 302:
                response.failure(f"登录失败 {account['username']}: HTTP {response.status_code}")

    def _get(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(2)
    def home(self) -> None:
        self._get("/", "首页工作台")

    @task(3)
    def work_queue(self) -> None:
        self._get("/assistance/", "待办（社会救助）")

    @task(3)
    def case_page(self) -> None:
        if self.cases:
            self._get(f"/assistance/cases/{random.choice(self.cases)}/", "案件页")

    @task(3)
    def person_search(self) -> None:
        self._get(f"/persons/?q={random.choice(self.names)}", "人员检索")
