"""Resolve a portal account's ``SECRET_REF`` to the secret itself.

The database only ever holds the *name* of a secret, so that a DBA reading
``XX_ARW_PORTAL_ACCOUNTS`` never sees a password. The worker resolves the name at run time from
the environment (``ARWORKER_SECRET_<REF>``, also read from ``.env`` like every other setting) or
from a file of that name in the secrets directory (the Docker/Kubernetes/systemd-credentials
convention).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import SecretStr

from config.settings import ConfigError, dotenv_variables

SECRET_ENV_PREFIX = "ARWORKER_SECRET_"
_REF_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


class SecretNotFound(ConfigError):
    """A portal account names a secret that neither the environment nor the secrets dir holds."""


def secret_env_name(ref: str) -> str:
    """The environment variable that holds ``ref``: upper case, non-alphanumerics as ``_``."""
    return SECRET_ENV_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", ref).upper()


def resolve_secret(ref: str, secrets_dir: Path | None) -> SecretStr:
    """Return the secret named ``ref``; raise :class:`SecretNotFound` saying where it was sought."""
    if not _REF_PATTERN.match(ref):
        raise SecretNotFound(
            f"SECRET_REF {ref!r} is not a valid secret name; use letters, digits, '_', '-' or '.'"
        )
    env_name = secret_env_name(ref)
    value = os.environ.get(env_name) or dotenv_variables().get(env_name)
    if value:
        return SecretStr(value)
    if secrets_dir is not None:
        path = secrets_dir / ref
        if path.is_file():
            return SecretStr(path.read_text(encoding="utf-8").strip())
    where = f"environment variable {env_name} (or in .env)"
    if secrets_dir is not None:
        where += f" or file {secrets_dir / ref}"
    raise SecretNotFound(f"secret {ref!r} not found: set {where}")
