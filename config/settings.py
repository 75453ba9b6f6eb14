"""The worker's settings tree.

Everything configurable lives here, so that a bad value is caught once, at start-up, with the
key that holds it and an example of a good one, rather than at 02:00 in the middle of a run.
Sources, strongest first: explicit arguments, ``ARWORKER_*`` environment variables (nested with
``__``), a ``.env`` file, the secrets directory, then the TOML file named by ``ARWORKER_CONFIG``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from config.report_settings import MailSettings, ReportSettings
from config.schedule_checks import cron_problem, zone_problem
from config.settings_keys import (
    ENV_PREFIX,
    covered_by,
    env_name,
    json_env_problems,
    unknown_env_names,
    unknown_env_problems,
    unknown_key_problem,
)
from config.settings_section import SettingsSection

CONFIG_FILE_ENV = "ARWORKER_CONFIG"
DOTENV_FILE = ".env"
DEFAULT_DATABASE_URL = "sqlite:///var/arworker.db"
SUPPORTED_URL_SCHEMES = ("sqlite", "postgresql+psycopg", "oracle+oracledb")
#: database secrets that may also come from ``<secrets_dir>/database__<key>`` files
SECRET_DATABASE_KEYS = ("password", "wallet_password")


def default_page_concurrency() -> int:
    """Pages at once: three per core. The browser, not Python, is the cost; each page also waits
    on the portal, so fewer pages leave cores idle. Measured on 2 cores against the stand-in at
    150 ms per request (``benchmarks/throughput.py``): 4 pages kept the machine 72 % busy, 6 pages
    91 % (the best rate), 8 pages 94 % with no further gain."""
    cpus = os.cpu_count() or 2
    return max(2, min(16, cpus * 3))


class ConfigError(Exception):
    """The configuration is not usable; the message says which key, what is wrong, and a fix."""

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class DatabaseSettings(SettingsSection):
    """Where open AR is read from and notes are written to."""

    url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL without the password",
        examples=["oracle+oracledb://apps_ro@dbhost:1521/?service_name=EBSPROD"],
    )
    user: str | None = Field(
        None, description="login, when kept out of the URL", examples=["XXARW"]
    )
    password: SecretStr | None = Field(None, description="never put it in the URL")
    org_ids: list[int] = Field(
        default_factory=lambda: [204],
        description="operating units (ORG_ID) whose _ALL rows the worker may read",
        examples=[[204, 458]],
    )
    include_debit_memos: bool = Field(False, description="also submit CLASS='DM' schedules")
    pool_size: int = Field(4, ge=1, le=64, examples=[4])
    call_timeout_ms: int = Field(30_000, ge=1_000, examples=[30_000])
    arraysize: int = Field(1_000, ge=10, le=100_000, examples=[1_000])
    thick_mode: bool = Field(False, description="Oracle thick mode (Instant Client)")
    instant_client_dir: Path | None = Field(None, examples=["/opt/oracle/instantclient_23_5"])
    tns_admin: Path | None = Field(None, examples=["/etc/oracle/network/admin"])
    wallet_location: Path | None = Field(None, examples=["/etc/oracle/wallet"])
    wallet_password: SecretStr | None = None
    notes_mode: Literal["table", "api"] = Field(
        "table", description="'table' inserts JTF_NOTES_* rows; 'api' calls JTF_NOTES_PUB"
    )
    note_user_id: int = Field(
        -1, description="FND_USER.USER_ID written as ENTERED_BY/CREATED_BY", examples=[1318]
    )
    note_type: str | None = Field(
        None, description="JTF_NOTE_TYPE lookup code", examples=["IEX_CA"]
    )

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = value.split("://", 1)[0]
        if "://" not in value or scheme not in SUPPORTED_URL_SCHEMES:
            raise ValueError(
                f"unsupported database URL scheme {scheme!r}; use one of "
                + ", ".join(SUPPORTED_URL_SCHEMES)
            )
        if scheme != "sqlite":
            authority = value.split("://", 1)[1].split("/", 1)[0]
            if ":" in authority.split("@", 1)[0] and "@" in authority:
                raise ValueError(
                    "the URL carries a password; set it in ARWORKER_DATABASE__PASSWORD "
                    "(or the secrets directory) instead"
                )
        return value


class BrowserSettings(SettingsSection):
    """How Chromium is found, launched and bounded."""

    executable_path: Path | None = Field(
        None,
        description="Chromium to launch; default: Playwright's own build, else chromium on PATH",
        examples=["/usr/bin/chromium"],
    )
    headless: bool = True
    max_pages: int = Field(
        default_factory=default_page_concurrency,
        ge=1,
        le=64,
        description="portal pages open at once across all portal accounts (K)",
        examples=[4],
    )
    portal_max_pages: dict[str, int] = Field(
        default_factory=dict,
        description="per portal code, at most this many pages at once (some forbid parallel "
        "sessions)",
        examples=[{"ariba": 1}],
    )
    portal_pacing_s: dict[str, float] = Field(
        default_factory=dict,
        description="per portal code, at least this many seconds between operations",
        examples=[{"coupa": 0.5}],
    )
    recycle_after_invoices: int = Field(100, ge=1, examples=[100])
    navigation_timeout_ms: int = Field(30_000, ge=1_000, examples=[30_000])
    action_timeout_ms: int = Field(10_000, ge=500, examples=[10_000])
    trace_on_failure: bool = True
    lean_flags: bool = Field(True, description="disable Chromium's per-window omnibox renderer")
    artifacts_dir: Path = Field(Path("var/artifacts"), examples=["/var/lib/arworker/artifacts"])
    state_dir: Path = Field(Path("var/browser-state"), examples=["/var/lib/arworker/state"])


class QueueSettings(SettingsSection):
    """Leases, retries and backoff of the submission queue."""

    lease_duration_s: int = Field(300, ge=10, examples=[300])
    claim_batch: int = Field(10, ge=1, le=500, examples=[10])
    max_attempts: int = Field(5, ge=1, le=50, examples=[5])
    backoff_base_s: float = Field(60.0, ge=0, examples=[60])
    backoff_max_s: float = Field(3_600.0, ge=0, examples=[3600])
    in_attempt_retries: int = Field(3, ge=1, le=10, examples=[3])
    breaker_threshold: int = Field(
        5,
        ge=1,
        le=1000,
        description="unavailability faults in a row (refused connections, timeouts, 5xx) after "
        "which a portal's outage breaker opens and its items are handed back uncounted",
        examples=[5],
    )
    breaker_cooldown_s: float = Field(
        600.0,
        ge=1,
        description="how long an open outage breaker keeps a portal untried (every worker)",
        examples=[600],
    )
    portal_reprobe_after_s: float = Field(
        21_600.0,
        ge=0,
        description="a portal paused because its pages changed is re-probed with one invoice "
        "this often (one worker of the fleet); 0: only an operator resumes it",
        examples=[21600],
    )
    status_list_max_pages: int = Field(
        40,
        ge=0,
        le=1000,
        description="list pages one status read of a portal account loads at most; invoices "
        "the lists did not show are read from their own pages (0: always their own pages)",
        examples=[40],
    )
    shutdown_grace_s: float = Field(30.0, ge=0, examples=[30])
    journal_path: Path = Field(Path("var/outcome-journal.jsonl"), examples=["/var/lib/arworker/j"])


class SchedulerSettings(SettingsSection):
    """When the daemon (`arworker run`) does what."""

    timezone: str = Field("UTC", examples=["America/Chicago"])
    nightly_cron: str = Field("0 1 * * *", examples=["30 0 * * mon-fri"])
    queue_poll_interval_s: int = Field(
        300,
        ge=1,
        description="how often the daemon drains retries whose backoff has elapsed",
        examples=[300],
    )
    status_poll_interval_s: int = Field(3_600, ge=10, examples=[3600])
    resync_poll_interval_s: int = Field(60, ge=1, examples=[60])
    action_poll_interval_s: int = Field(
        10,
        ge=1,
        description="how often a worker looks for workspace actions (retry, submit now, "
        "test login)",
        examples=[10],
    )
    misfire_grace_time_s: int = Field(3_600, ge=1, examples=[3600])
    monthly_report_cron: str = Field("0 6 1 * *", examples=["0 6 1 * *"])
    digest_cron: str = Field("0 7 * * mon-fri", examples=["30 7 * * mon-fri"])
    delivery_retry_interval_s: int = Field(300, ge=10, examples=[300])

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        problem = zone_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("nightly_cron", "monthly_report_cron", "digest_cron")
    @classmethod
    def _cron_that_fires(cls, value: str) -> str:
        problem = cron_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


class WebSettings(SettingsSection):
    """The collector workspace and JSON API (``arworker web``)."""

    host: str = Field(
        "127.0.0.1",
        description="address to listen on; put a TLS proxy in front for anything but loopback",
        examples=["127.0.0.1"],
    )
    port: int = Field(8780, ge=1, le=65535, examples=[8780])
    auth: Literal["basic", "proxy", "none"] = Field(
        "basic",
        description="basic: local users with argon2 passwords; proxy: trust the user header "
        "from trusted_proxies only (SSO in front); none: everyone is admin, loopback only",
        examples=["proxy"],
    )
    trusted_proxies: list[str] = Field(
        default_factory=lambda: ["127.0.0.1/32", "::1/128"],
        description="addresses or networks whose proxy_user_header is believed (auth = proxy)",
        examples=[["10.0.4.7/32"]],
    )
    proxy_user_header: str = Field(
        "X-Forwarded-User",
        description="the header the SSO proxy puts the signed-in user's name in",
        examples=["X-Auth-Request-User"],
    )
    proxy_default_role: Literal["NONE", "VIEWER", "COLLECTOR"] = Field(
        "VIEWER",
        description="role of a proxy-signed-in user who is not in XX_ARW_WEB_USERS "
        "(NONE refuses them)",
        examples=["NONE"],
    )
    session_secret: SecretStr | None = Field(
        None,
        description="signs session cookies; same on every web host. Unset: read from (or "
        "created in) <secrets_dir>/web__session_secret",
    )
    session_max_age_s: int = Field(8 * 3600, ge=60, examples=[28800])
    secure_cookies: bool | None = Field(
        None,
        description="send cookies over HTTPS only; default: yes when public_url is https",
        examples=[True],
    )
    public_url: str | None = Field(
        None,
        description="the workspace's external base URL (links in notes and e-mails)",
        examples=["https://arworker.example.com"],
    )
    not_approved_after_days: int = Field(
        14,
        ge=1,
        description="a submitted invoice not approved after this many days is on the worklist",
        examples=[14],
    )
    page_size: int = Field(100, ge=10, le=1000, examples=[100])


class MetricsSettings(SettingsSection):
    """The worker's operator endpoints (``arworker run``): /metrics, /healthz, /readyz."""

    port: int | None = Field(
        None,
        ge=0,
        le=65535,
        description="serve /metrics, /healthz and /readyz on this port (unset: not served)",
        examples=[9464],
    )
    host: str = Field("127.0.0.1", examples=["0.0.0.0"])
    database_cache_s: float = Field(
        5.0,
        ge=0,
        description="queue gauges read from the database at most this often (seconds)",
        examples=[5],
    )


class LoggingSettings(SettingsSection):
    """Log level and rendering."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto: JSON when stderr is not a terminal"
    )


class SupplierSettings(SettingsSection):
    """Who bills: printed as the seller on the PDF arworker renders when EBS holds none.

    No default: a PDF naming a placeholder (or someone else's company) would reach the
    customer's accounts-payable team through the portal. Until ``name`` is set, the commands
    that upload refuse to start and ``config check`` says so.
    """

    name: str | None = Field(
        None,
        description="the legal name printed as the seller on rendered invoice PDFs",
        examples=["Northwind Supply Co."],
    )
    address: list[str] = Field(
        default_factory=list,
        description="address lines printed under the name",
        examples=[["1200 Harbor Way", "Oakland, CA 94607", "United States"]],
    )
    tax_id: str | None = Field(
        None,
        description="tax registration (VAT, EIN, GST) printed under the address",
        examples=["EIN 12-3456789"],
    )
    remit_to: str | None = Field(
        None,
        description="payment instructions printed under the totals",
        examples=["Remit to: Northwind Supply Co., First Example Bank, account 000123456789"],
    )

    @field_validator("name", "tax_id", "remit_to")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class Settings(BaseSettings):
    """The whole configuration; build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=DOTENV_FILE,
        env_file_encoding="utf-8",
        extra="forbid",
        # .env like the environment: settings' own names only; every other ARWORKER_ name is
        # refused by name in load_settings(), and non-ARWORKER_ lines belong to other tools
        dotenv_filtering="only_existing",
        secrets_dir=None,
    )

    database: DatabaseSettings = DatabaseSettings()
    browser: BrowserSettings = BrowserSettings()
    queue: QueueSettings = QueueSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    logging: LoggingSettings = LoggingSettings()
    supplier: SupplierSettings = SupplierSettings()
    reports: ReportSettings = ReportSettings()
    mail: MailSettings = MailSettings()
    web: WebSettings = WebSettings()
    metrics: MetricsSettings = MetricsSettings()
    secrets_dir: Path | None = Field(
        Path("var/secrets"),
        description="directory of secret files, one per SECRET_REF (e.g. /run/secrets)",
        examples=["/run/secrets/arworker"],
    )
    config_file: Path | None = Field(None, description="the TOML file that was read, if any")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [
            init_settings,
            env_settings,
            dotenv_settings,
            file_secret_settings,
        ]
        toml_path = os.environ.get(CONFIG_FILE_ENV)
        if toml_path:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(toml_path)))
        return tuple(sources)


def _example_for(loc: tuple[int | str, ...]) -> str | None:
    """Find the documented example of the field at ``loc`` to show next to the error."""
    model: Any = Settings
    field = None
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not isinstance(part, str) or fields is None or part not in fields:
            break
        field = fields[part]
        model = field.annotation
    if field is None:
        return None
    if field.examples:
        return repr(field.examples[0])
    if field.default is not None and not callable(field.default):
        return repr(field.default)
    return None


def describe_validation_error(
    exc: ValidationError,
    *,
    environ: Mapping[str, str | None] | None = None,
    config_file: Path | None = None,
    reported: Sequence[str] = (),
) -> list[str]:
    """Turn pydantic's report into lines a person can act on: key, problem, example.

    ``environ`` (variable names) and ``config_file`` say where an unknown key came from;
    errors caused by the unknown variables in ``reported`` are left out (already said).
    """
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if covered_by(loc, list(reported)):
            continue
        if err["type"] == "extra_forbidden":
            lines.append(
                unknown_key_problem(Settings, loc, environ=environ or {}, config_file=config_file)
            )
            continue
        key = ".".join(str(p) for p in loc)
        problem = err["msg"].removeprefix("Value error, ")
        line = f"{key} ({env_name(loc)}): {problem}"
        example = _example_for(loc)
        if example is not None:
            line += f"; for example {key} = {example}"
        lines.append(line)
    return lines


def dotenv_variables() -> dict[str, str | None]:
    """The variables of ``.env`` in the working directory: the file pydantic-settings reads."""
    path = Path(DOTENV_FILE)
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return dict(dotenv_values(path, encoding="utf-8"))


def _invalid(problems: list[str]) -> ConfigError:
    return ConfigError("invalid configuration:\n  " + "\n  ".join(problems), problems=problems)


def load_settings(**overrides: Any) -> Settings:
    """Read the configuration from every source, or raise :class:`ConfigError` naming the keys.

    Every problem is reported at once: unknown names, values that are not JSON where JSON is
    needed, and values the settings refuse.
    """
    toml_path = os.environ.get(CONFIG_FILE_ENV)
    if toml_path and not Path(toml_path).is_file():
        raise ConfigError(
            f"{CONFIG_FILE_ENV} names {toml_path!r}, which is not a readable file; "
            "point it at a TOML file such as config/arworker.example.toml"
        )
    dotenv = dotenv_variables()
    sources = (("environment", dict(os.environ)), (DOTENV_FILE, dotenv))
    unknown = [
        p for origin, env in sources for p in unknown_env_problems(Settings, env, origin=origin)
    ]
    reported = [n for _, env in sources for n in unknown_env_names(Settings, env)]
    unreadable = [
        p for origin, env in sources for p in json_env_problems(Settings, env, origin=origin)
    ]
    if unreadable:
        raise _invalid(unknown + unreadable)
    secrets_dir = os.environ.get(ENV_PREFIX + "SECRETS_DIR", "var/secrets")
    try:
        settings = Settings(
            _secrets_dir=secrets_dir
            if secrets_dir and Path(secrets_dir).is_dir()
            else None,  # pydantic-settings init option
            **overrides,
        )
    except ValidationError as exc:
        described = describe_validation_error(
            exc,
            environ=dotenv | dict(os.environ),
            config_file=Path(toml_path) if toml_path else None,
            reported=reported,
        )
        raise _invalid(unknown + described) from exc
    except SettingsError as exc:  # a value no check above foresaw, e.g. in the secrets dir
        raise ConfigError(
            f"a setting's value cannot be read: {exc}; lists, tables and sections are written "
            "in JSON outside the TOML file, e.g. ARWORKER_DATABASE__ORG_IDS='[204]'"
        ) from exc
    except ValueError as exc:  # TOML syntax errors and unreadable dotenv files
        source = toml_path or DOTENV_FILE
        raise ConfigError(f"invalid configuration file {source}: {exc}") from exc
    if unknown:
        raise _invalid(unknown)
    if toml_path:
        settings = settings.model_copy(update={"config_file": Path(toml_path)})
    return _secrets_from_files(settings)


def _secrets_from_files(settings: Settings) -> Settings:
    """Fill unset secret settings from ``<secrets_dir>/<section>__<key>`` files.

    pydantic-settings reads only top-level names from a secrets directory; nested secrets such
    as the database password are looked up here, the same way a portal secret is.
    """
    directory = settings.secrets_dir
    if directory is None or not directory.is_dir():
        return settings
    changes: dict[str, SecretStr] = {}
    for key in SECRET_DATABASE_KEYS:
        path = directory / f"database__{key}"
        if getattr(settings.database, key) is None and path.is_file():
            changes[key] = SecretStr(path.read_text(encoding="utf-8").strip())
    web_secret = directory / "web__session_secret"
    if settings.web.session_secret is None and web_secret.is_file():
        secret = SecretStr(web_secret.read_text(encoding="utf-8").strip())
        web = settings.web.model_copy(update={"session_secret": secret})
        settings = settings.model_copy(update={"web": web})
    if not changes:
        return settings
    return settings.model_copy(update={"database": settings.database.model_copy(update=changes)})
