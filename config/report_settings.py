"""Settings of the collections reports and of the outbound e-mail that delivers them.

Two sections of the settings tree (``[reports]``, ``[mail]``). The mail password is never a
setting: ``mail.password_ref`` names a secret, resolved like a portal's ``SECRET_REF`` (env
``ARWORKER_SECRET_<REF>`` or a file in the secrets directory). Without ``mail.host`` the reports
are still written to ``reports.output_dir``; nothing is sent.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from config.settings_section import SettingsSection

#: an address as far as a report needs to check it: something@domain.tld, no spaces or commas
_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def check_address(value: str) -> str:
    value = value.strip()
    if not _ADDRESS.match(value):
        raise ValueError(f"{value!r} is not an e-mail address such as ar-team@example.com")
    return value


class ReportSettings(SettingsSection):
    """The monthly report, the collectors' morning digest, and where their files go."""

    output_dir: Path = Field(
        Path("var/reports"),
        description="where report files and the messages sent are kept",
        examples=["/var/lib/arworker/reports"],
    )
    recipients: list[str] = Field(
        default_factory=list,
        description="who receives the monthly report (one e-mail each)",
        examples=[["ar-managers@example.com", "sales-ops@example.com"]],
    )
    min_balance: Decimal = Field(
        Decimal("10000"),
        ge=0,
        description="past-due report: list accounts more than this past due (ledger currency)",
        examples=[10000],
    )
    min_days: int = Field(
        60, ge=0, le=3650, description="past-due report: items more than this many days late"
    )
    buckets: str = Field(
        "7-Bucket Aging",
        min_length=1,
        description="AR_AGING_BUCKETS.BUCKET_NAME the reports age by",
        examples=["7-Bucket Aging"],
    )
    dso_period_months: int = Field(
        3, ge=1, le=12, description="months of credit sales of the standard DSO's period"
    )
    monthly_enabled: bool = Field(True, description="the daemon runs the monthly report")
    digest_enabled: bool = Field(True, description="the daemon sends the collectors' digest")
    workspace_url: str | None = Field(
        None,
        description="the web workspace's public URL; the digest links to it when set",
        examples=["https://arworker.example.com"],
    )

    @field_validator("recipients")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        return [check_address(v) for v in value]

    @field_validator("workspace_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"{value!r} is not an http(s) URL such as https://arworker.example.com"
            )
        return value.strip().rstrip("/")


class MailSettings(SettingsSection):
    """Outbound SMTP: STARTTLS by default, a login whose password comes from the secrets store."""

    host: str | None = Field(
        None,
        description="SMTP relay; unset: reports are written but not e-mailed",
        examples=["smtp.example.com"],
    )
    port: int = Field(587, ge=1, le=65535, examples=[587])
    security: Literal["starttls", "tls", "none"] = Field(
        "starttls",
        description="starttls (port 587), tls (implicit, port 465), or none (loopback relays only)",
    )
    username: str | None = Field(None, examples=["arworker@example.com"])
    password_ref: str | None = Field(
        None,
        description="SECRET_REF of the SMTP password (env ARWORKER_SECRET_<REF> or secrets file)",
        examples=["SMTP_PASSWORD"],
    )
    from_address: str | None = Field(
        None, description="the From: of every message", examples=["arworker@example.com"]
    )
    ca_file: Path | None = Field(
        None,
        description="extra CA certificates (PEM) to trust, for a relay with a private CA",
        examples=["/etc/ssl/certs/corp-ca.pem"],
    )
    timeout_s: float = Field(30.0, gt=0, le=600, examples=[30])
    max_attempts: int = Field(
        5, ge=1, le=50, description="sending attempts before a message is marked FAILED"
    )
    retry_base_s: float = Field(
        60.0, ge=0, description="first wait before another attempt; doubles each time"
    )

    @field_validator("from_address")
    @classmethod
    def _from(cls, value: str | None) -> str | None:
        return None if value is None else check_address(value)

    @model_validator(mode="after")
    def _complete(self) -> MailSettings:
        if self.host is None:
            return self
        if self.from_address is None:
            raise ValueError("mail.from_address is required when mail.host is set")
        if self.security == "none" and self.host not in LOOPBACK_HOSTS:
            raise ValueError(
                "mail.security = 'none' sends in clear text and is allowed only to a relay on "
                "this host (localhost); use 'starttls' for " + repr(self.host)
            )
        if (self.username is None) != (self.password_ref is None):
            raise ValueError("set both mail.username and mail.password_ref, or neither")
        return self

    @property
    def enabled(self) -> bool:
        return self.host is not None
