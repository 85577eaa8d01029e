"""Settings for Minzheng (民政) — read from the environment.

SQLite is the embedded default so `make run` works on a bare machine; set DATABASE_URL for PostgreSQL.
Celery runs tasks in-process unless CELERY_BROKER_URL is set.
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


# Production unless told otherwise: `make run`, `make test` and the test settings (minzheng/test_settings.py) set
# DEBUG=1 themselves, so a server started any other way is never a debug server by accident.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Build-time commands neither serve requests nor sign anything that outlives them: they run without a configured
# key (a random one for this process), so `makemigrations --check` or `collectstatic` work on a bare checkout.
# `check` is not among them: `check --deploy` must see the key the deployment will use.
OFFLINE_COMMANDS = {"makemigrations", "collectstatic", "spectacular", "showmigrations", "sqlmigrate", "help"}
if not SECRET_KEY and not DEBUG and len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
    SECRET_KEY = secrets.token_urlsafe(50)
if not SECRET_KEY:
    if not DEBUG:
        # A fallback key in production would let anyone who read this file forge sessions and reset links.
        raise ImproperlyConfigured(
            "未设置 SECRET_KEY：生产模式（DEBUG 未开启）必须通过环境变量 SECRET_KEY 提供至少50个字符的随机密钥，"
            "例如 python3 -c 'import secrets; print(secrets.token_urlsafe(50))'。开发环境请用 make run 或设置 DEBUG=1。"
            " / SECRET_KEY is not set: production mode (DEBUG off) needs one.")
    SECRET_KEY = "dev-only-insecure-key-change-me-in-production-minzheng"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

# Transport security: on by default in production, each loosened only by its own explicit setting (for a
# deployment that terminates TLS elsewhere and speaks plain HTTP inside a trusted network, or a benchmark).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The load balancer probes the app servers directly over HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# The reverse proxy (nginx) terminates TLS and says so in this header; trust it only when it is the one
# talking to the app server. "" turns it off (the app is reached directly).
_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto")
SECURE_PROXY_SSL_HEADER = (f"HTTP_{_proxy_header.upper().replace('-', '_')}", "https") if _proxy_header else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Content-Security-Policy (web.middleware.SecurityHeadersMiddleware): scripts only from this server (htmx,
# app.js, ECharts are served from static; there are no inline scripts); inline style attributes are used by
# the templates (widths, progress bars) and by htmx's indicator style, so styles allow 'unsafe-inline'.
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
    "font-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
    "frame-ancestors 'none'",
]))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    # kernel
    "areas",
    "accounts",
    "audit",
    "registry",
    "workcalendar",
    "jobs",
    "imports",
    "programs",
    "casework",
    "assistance",
    "tasks",
    "monitoring",
    "payments",
    "indicators",
    # domains beyond the assistance core: disability, children, elderly care (养老服务, 探访关爱)
    "disability",
    "children",
    "eldercare",
    "carevisits",
    # platform-wide pieces with no models: stored-file cleanup (minzheng.orphan_files), its command
    "minzheng",
    # pages, demo
    "web",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their long cache headers; every other response is no-store + CSP.
    "web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "workcalendar.middleware.OneCalendarPerRequestMiddleware",
    # AxesMiddleware must be last: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "minzheng.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "minzheng.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the page poll a job's progress while the import writes. A transaction starts IMMEDIATE (takes the
    # write lock at BEGIN, waiting up to `timeout` seconds for it): a deferred one that reads first and then
    # writes cannot wait for a concurrent writer — SQLite answers "database is locked" at once, a 500 — so
    # simultaneous clicks queue up and each sees the others' result (one success, clear refusals).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 30, "init_command": "PRAGMA journal_mode=WAL;",
                                            "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")} if env_bool("SQLITE_FILE_TEST") else {}

# Read replica (只读副本, PostgreSQL streaming replication): reports, exports and the cockpit read from it inside
# `minzheng.db_router.reading_from_replica()`; every write and every read after a write stay on "default".
# Unset: one database, everything on "default" (README: 只读副本).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")))
    # Tests (if run with a replica configured) read the replica alias from the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["minzheng.db_router.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Login hardening (登录加固): Argon2 first, lockout after repeated failures, idle session timeout.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AccountLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_LOCKOUT_HOURS", "0.5"))
# Lock a username at one address (a town office sits behind one NAT address: one person's typos must not lock the
# office, and nobody can lock a colleague out from elsewhere); the account itself locks only after the higher
# ACCOUNT_LOCKOUT_LIMIT counted over every address (accounts.backends), which stops guessing from many addresses.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
ACCOUNT_LOCKOUT_LIMIT = int(os.environ.get("ACCOUNT_LOCKOUT_LIMIT", "20"))
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True  # the timeout counts from the last request: an idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "web" / "static", ("vendor", BASE_DIR / "node_modules")]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Stored files (存储文件): uploads, bank files, case documents. Never served from a public URL: every download
# goes through a view that checks the grant and logs the export, so MEDIA_URL is not routed anywhere.
MEDIA_URL = "media/"
# A local folder (MEDIA_ROOT) by default; an S3-compatible bucket when FILE_STORAGE=s3 (django-storages), with
# private objects and no public URLs. Back the folder or bucket up beside the database dump (deploy/backup.sh).
FILE_STORAGE = os.environ.get("FILE_STORAGE", "local").strip().lower()
if FILE_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("FILE_STORAGE 只能是 local（本地目录）或 s3（S3 兼容对象存储）")
# (no explicit location: the storage follows MEDIA_ROOT, which the tests point at a temporary folder)
_FILES = {"BACKEND": "django.core.files.storage.FileSystemStorage",
          "OPTIONS": {"file_permissions_mode": 0o640, "directory_permissions_mode": 0o750}}
if FILE_STORAGE == "s3":
    _FILES = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": os.environ.get("S3_BUCKET", ""),
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("S3_REGION") or None,
        "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        "location": os.environ.get("S3_PREFIX", ""),
        "default_acl": "private", "querystring_auth": True, "file_overwrite": False,
    }}
    if not _FILES["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("FILE_STORAGE=s3 时须设置 S3_BUCKET（存储桶名称）")
STORAGES = {
    "default": _FILES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# 无主文件 (minzheng.orphan_files): a stored file no row names is removed only once it is this old, so an upload
# whose row has not committed yet (a large feed being staged) is never taken for one.
STORED_FILES_GRACE_HOURS = int(os.environ.get("STORED_FILES_GRACE_HOURS", "24"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.KeysetPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.chinese_exception_handler",
    "PAGE_SIZE": 50,
    # Rate limits per user (and per address before sign-in); the cache decides, so give production a shared one.
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle",
                                 "rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_RATE_USER", "600/min"),
                               "anon": os.environ.get("API_RATE_ANON", "60/min")},
}
# API tokens (接口令牌): closed after this long unused, and after this long in any case; a password change ends them.
API_TOKEN_IDLE_SECONDS = int(os.environ.get("API_TOKEN_IDLE_SECONDS", str(8 * 3600)))
API_TOKEN_MAX_AGE_SECONDS = int(os.environ.get("API_TOKEN_MAX_AGE_SECONDS", str(7 * 24 * 3600)))
# Interface clients' tokens (接口客户端令牌, accounts.clients): short-lived, apart from people's idle/absolute limits.
API_CLIENT_TOKEN_SECONDS = int(os.environ.get("API_CLIENT_TOKEN_SECONDS", "3600"))
SPECTACULAR_SETTINGS = {
    "TITLE": "Minzheng 民政 API",
    "DESCRIPTION": "区民政局全业务智慧民政信息平台 — area-scoped REST API.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema_hooks.drop_database_integer_bounds",
    ],
    # Swagger UI / ReDoc from the drf-spectacular-sidecar package: the bureau's network has no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind", "unit" or "care_level" choice set; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "AssetKindEnum": "registry.models.Asset.Kind",
        "IncomeCategoryKindEnum": "registry.models.IncomeCategory.Kind",
        "ProgramUnitEnum": "programs.models.Program.Unit",
        "CareLevelEnum": "programs.models.CareLevel",
        "RelationEnum": "registry.models.Relation",
        "CloseRelationEnum": "casework.models.CloseRelation",
        "CustodyReasonEnum": "payments.models.BankCardCustody.Reason",
        # The assessment reasons (eldercare.api) keep their name beside the custody reasons.
        "ReasonEnum": ["first", "routine", "immediate", "review"],
        "CustodyStatusEnum": "payments.models.BankCardCustody.Status",
    },
}

# Jobs (后台任务): a real broker when configured, otherwise in-process so the embedded default needs nothing.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# Queues (任务队列, minzheng/queues.py): one worker pool per kind of work — imports, payroll, rules, default.
# `make worker` consumes all four; production runs a worker per queue (deploy/minzheng-worker@.service).
CELERY_TASK_DEFAULT_QUEUE = "default"
# Declared, so a worker started without -Q (make worker) consumes every queue; `-Q imports` narrows it to one.
CELERY_TASK_QUEUES = tuple(Queue(name, routing_key=name) for name in ("imports", "payroll", "rules", "default"))
CELERY_QUEUE_OF = {
    "import.": "imports",
    "payments.": "payroll",
    "periodic.open_payment_cycle": "payroll",
    "monitoring.": "rules",
    "periodic.auto_enrol_old_age": "rules",
    "periodic.disability_coverage_check": "rules",
    "periodic.detect_meter_alarms": "rules",
    "periodic.children_age_out": "rules",
}
CELERY_TASK_ROUTES = ["minzheng.queues.route"]

# Periodic work (定时任务), run by Celery beat (`make worker`, deploy/minzheng-beat.service); the tasks are in
# minzheng/periodic.py, each idempotent. Times are Beijing time. Re-rating joins here as
# their services land.
CELERY_BEAT_SCHEDULE = {
    "escalate-overdue-tasks": {"task": "periodic.escalate_tasks", "schedule": crontab(minute="*/15")},
    "schedule-rechecks": {"task": "periodic.schedule_rechecks", "schedule": crontab(hour=1, minute=0)},
    "auto-enrol-old-age": {"task": "periodic.auto_enrol_old_age", "schedule": crontab(hour=1, minute=30)},
    # Daily: a certificate issued mid-month is found the next day; each month's warnings are made once.
    "disability-coverage-check": {"task": "periodic.disability_coverage_check",
                                  "schedule": crontab(hour=2, minute=30)},
    "reassessment-tasks": {"task": "periodic.reassessment_tasks", "schedule": crontab(hour=1, minute=45)},
    # Daily, not only on the 1st: a server down on the 1st still gets the month's cycle the next day.
    "open-payment-cycle": {"task": "periodic.open_payment_cycle", "schedule": crontab(hour=2, minute=0)},
    "children-age-out": {"task": "periodic.children_age_out", "schedule": crontab(hour=1, minute=45)},
    # Daily: last month's final figures and this month's so far (re-runs rewrite only what changed).
    "indicator-snapshots": {"task": "periodic.indicator_snapshots", "schedule": crontab(hour=3, minute=0)},
    "refresh-care-roster": {"task": "periodic.refresh_care_roster", "schedule": crontab(hour=2, minute=30)},
    # Hourly: the alarm deadlines are counted in hours.
    "detect-meter-alarms": {"task": "periodic.detect_meter_alarms", "schedule": crontab(minute=5)},
    # Daily: last month's missing 卡折代管 checks become tasks once (re-runs create nothing).
    "custody-check-tasks": {"task": "periodic.custody_check_tasks", "schedule": crontab(hour=2, minute=15)},
    # Daily: the partitions of the append-only tables for this month and the next two (PostgreSQL; idempotent).
    "partitions-ahead": {"task": "periodic.partitions_ahead", "schedule": crontab(hour=0, minute=30)},
    # Daily: stored files no row names, older than STORED_FILES_GRACE_HOURS, are removed (a re-run finds none).
    "sweep-orphan-files": {"task": "periodic.sweep_orphan_files", "schedule": crontab(hour=4, minute=10)},
}
# The district officer in whose name the schedule opens each month's payment cycle; empty: opened by hand.
MINZHENG_PAYROLL_OPENER = os.environ.get("MINZHENG_PAYROLL_OPENER", "")

# Uploads (数据导入、部门数据、银行回盘 all go through imports): caps per file type, checked before any row is
# stored. An XLSX is a zip: its declared uncompressed size is checked before it is opened, so a small file that
# inflates to gigabytes (a zip bomb) is refused at once; its rows are then streamed (openpyxl read-only).
_MB = 1024 * 1024
IMPORT_LIMITS = {
    "csv": {"max_bytes": int(os.environ.get("IMPORT_CSV_MAX_MB", "200")) * _MB,
            "max_rows": int(os.environ.get("IMPORT_CSV_MAX_ROWS", "2000000"))},
    "xlsx": {"max_bytes": int(os.environ.get("IMPORT_XLSX_MAX_MB", "50")) * _MB,
             "max_rows": int(os.environ.get("IMPORT_XLSX_MAX_ROWS", "1048575")),  # Excel's own limit, less the header
             # A real 1 M-row sheet of a few columns is ~110 MB of XML; a 600 KB bomb of 2 M rows is 218 MB.
             "max_uncompressed_bytes": int(os.environ.get("IMPORT_XLSX_MAX_UNCOMPRESSED_MB", "150")) * _MB},
}

# Social assistance (社会救助): the Chongqing rules by default (群众评议; 低保 paid from the month of approval);
# "national" follows 《最低生活保障审核确认办法》 (no 评议; paid from the month after confirmation).
MINZHENG_ASSISTANCE_VARIANT = os.environ.get("MINZHENG_ASSISTANCE_VARIANT", "chongqing")

# Payroll generation chunks run this many at a time (PostgreSQL only; payments.generation.chunk_workers).
MINZHENG_PAYROLL_WORKERS = int(os.environ.get("MINZHENG_PAYROLL_WORKERS", "2"))

# The district this installation serves (区县代码, 6 digits). Demo: 沙坪坝区.
MINZHENG_DISTRICT_CODE = os.environ.get("MINZHENG_DISTRICT_CODE", "500106")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
