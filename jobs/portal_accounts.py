"""From an XX_ARW_PORTAL_ACCOUNTS row to what a portal driver needs, secrets resolved.

The row holds secret *names*; resolving them happens here, per run, so a rotated password is
picked up by the next run without restarting the daemon.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import SecretStr

from connectors.oracle.records import PortalAccountRecord
from connectors.portals.base import PortalAccount, PortalLogin


def to_portal_account(
    record: PortalAccountRecord, resolve_secret: Callable[[str], SecretStr]
) -> PortalAccount:
    """Build the driver's view of an account; raises ``SecretNotFound`` naming the secret."""
    totp = resolve_secret(record.totp_secret_ref) if record.totp_secret_ref else None
    return PortalAccount(
        portal_account_id=record.portal_account_id,
        login=PortalLogin(
            portal_code=record.portal_code,
            portal_url=record.portal_url,
            login_name=record.login_name,
            password=resolve_secret(record.secret_ref),
            totp_secret=totp,
        ),
        buyer_name=record.buyer_name,
        supplier_portal_id=record.supplier_portal_id,
        options=dict(record.options),
    )
