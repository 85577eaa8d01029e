# Minzheng — `make run` and `make test` do all set-up on a fresh machine.
PY      := .venv/bin/python
PIP     := .venv/bin/pip
STAMP   := .venv/.installed
NPMSTAMP := node_modules/.installed
HOST    ?= 127.0.0.1
PORT    ?= 8000
PERSONS ?= 20000
WORKERS ?= 4
# Test processes (pytest-xdist): one per core; each gets its own test database.
TEST_PROCESSES ?= auto

.PHONY: run test install install-browser migrate demo lint test-sqlite test-postgres bench serve worker schema clean

# The settings default to production (DEBUG off, SECRET_KEY required). These targets are the development ones:
# they run with DEBUG=1 unless DEBUG is given (`DEBUG=0 make demo` refuses, as load_demo should).
run test lint migrate demo schema worker: export DEBUG ?= 1

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

$(NPMSTAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPMSTAMP)

install: $(STAMP) $(NPMSTAMP)

# Debian's chromium for the browser tests, CJK fonts for PDFs and screenshots (WenQuanYi is one reportlab can
# embed), poppler for checking PDFs; nothing downloads a browser.
install-browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/pdftoppm ] || [ ! -d /usr/share/fonts/truetype/wqy ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fonts-wqy-microhei poppler-utils >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fonts-wqy-microhei poppler-utils >/dev/null; fi; \
	fi

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo --persons $(PERSONS)  # prints the demo logins; re-runs keep existing data

run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Minzheng 正在运行：http://$(HOST):$(PORT)/  （Ctrl-C 停止）"
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	.venv/bin/ruff check .
	.venv/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

test: install install-browser lint
	$(PY) manage.py collectstatic --noinput --verbosity 0
	.venv/bin/pytest -q -n $(TEST_PROCESSES)

bench: install
	$(PY) bench/run.py --db both --persons 200000 --import-rows 20000
	$(PY) bench/payroll.py --db both --enrolments 100000  # issue 4 sizes: 300000, and 1000000 --db postgres
	$(PY) bench/bank_files.py --db both --enrolments 50000
	$(PY) bench/payment_reports.py --db both --enrolments 50000
	$(PY) bench/rerate.py --db both --enrolments 50000  # issue 9 size: 300000
	$(PY) bench/coverage.py --db both --persons 300000  # issue 15 size: 1500000 (60,000 certificates)
	$(PY) bench/cockpit.py --db both --enrolments 50000  # issue 14 size: 300000 --db postgres
	$(PY) bench/carevisits.py  # PostgreSQL: 250,000 over 60, 20,000 on the roster, 1 M readings, 10,000 meters × 30 days

# Production web server: gunicorn with WORKERS processes behind a TLS-terminating proxy (README: 生产部署).
# Needs SECRET_KEY and ALLOWED_HOSTS in the environment (DEBUG stays off); deploy/ has the systemd units.
serve: install
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	.venv/bin/gunicorn minzheng.wsgi:application --config deploy/gunicorn.conf.py --workers $(WORKERS) --bind $(HOST):$(PORT)

# Development: background jobs and the periodic schedule (CELERY_BEAT_SCHEDULE in settings) in one Celery worker
# with an embedded beat, next to `make run`. Needs CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0). Production
# runs worker and beat as separate services (deploy/minzheng-worker.service, deploy/minzheng-beat.service).
# The worker consumes every queue (imports, payroll, rules, default: settings.CELERY_TASK_QUEUES); production can run
# one worker per queue (deploy/minzheng-worker@.service).
worker: install
	.venv/bin/celery -A minzheng worker --beat -l info --schedule $${CELERY_BEAT_SCHEDULE_FILE:-/tmp/minzheng-celerybeat-schedule}

schema: install
	$(PY) manage.py spectacular --file docs/openapi.yaml --validate --fail-on-warn

clean:
	rm -rf .venv node_modules staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
