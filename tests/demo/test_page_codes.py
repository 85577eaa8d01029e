"""Plain Chinese for people (页面无内部代码): every page a district officer reaches from the home page of the demo
is scanned for internal codes and variable names, and for raw database ids put in labels (“户（27）”)."""

import re
from html import unescape
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db

# Codes and names that must never reach a reader (programmes, statuses, kinds, parameters, fields).
CODES = ("standard_urban", "standard_rural", "payment_day", "dibao", "tekun", "linshi", "gangxing_zhichu",
         "dibao_bianyuan", "warning", "confirmed", "phasing_out", "household_id", "person_id", "submitted",
         "accepted", "publicised", "pending", "bank_account_missing", "recheck", "visit", "community", "district")
CODE = re.compile(r"(?<![A-Za-z0-9_./-])(" + "|".join(CODES) + r"|[a-z]+_[a-z_]+)(?![A-Za-z0-9_./-])")
# A database id in a label: a CJK word followed by a number in full-width brackets, e.g. 户（27）.
RAW_ID = re.compile(r"[\u4e00-\u9fff]（\d+）")
SKIP = ("/logout/", "/admin/", "/api/", "/pdf/", "xlsx", "/download/", "reveal", "/static/", "/media/")
MAX_PAGES = 150
PER_PATTERN = 3  # pages of one shape (/persons/<id>/ …) are alike: a few of each, so every kind of page is reached


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", persons=1500, cases=30, seed=20261207, allow_non_debug=True, stdout=StringIO())
        yield
        transaction.set_rollback(True)


def visible_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", html)
    return unescape(re.sub(r"(?s)<[^>]+>", " ", html))


def links(html: str) -> list[str]:
    found = []
    for href in re.findall(r'href="([^"#][^"]*)"', html):
        url = urldefrag(unescape(href))[0]
        if urlsplit(url).netloc or not url.startswith("/") or any(part in url for part in SKIP):
            continue
        found.append(url)
    return found


def crawl(client: Client, start: str = "/") -> dict[str, str]:
    """Pages reachable from `start` (one page per path and query, breadth first), as their visible text."""
    seen, queue, pages, shapes = {start}, [start], {}, {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        shape = re.sub(r"\d+", "N", urlsplit(url).path) + ("?" if urlsplit(url).query else "")
        shapes[shape] = shapes.get(shape, 0) + 1
        if shapes[shape] > PER_PATTERN:
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[url] = visible_text(html)
        for link in links(html):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return pages


def test_no_internal_code_or_raw_id_on_the_district_officers_pages(demo):
    client = Client()
    client.force_login(User.objects.get(username="district_officer"))
    pages = crawl(client)
    assert len(pages) > 20, "the crawl reached the officer's pages"
    problems = []
    for url, text in pages.items():
        for match in CODE.finditer(text):
            problems.append(f"{url}: {match.group(0)!r} …{text[max(0, match.start() - 30):match.end() + 30]!r}")
        for match in RAW_ID.finditer(text):
            problems.append(f"{url}: {match.group(0)!r}")
    assert not problems, "\n".join(sorted(set(problems))[:80])
