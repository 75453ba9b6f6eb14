"""The running sandbox's admin endpoints (``/__sandbox/*``), for assertions and fault injection.

One client for every tier that talks to a stand-in portal served over HTTP: what the portals
received, who tried to log in, the faults to inject, and each family's lifecycle endpoints (a
Coupa or upload invoice's status, an Ariba invoice's two tracks and back-dating rule).
"""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.server import RunningSandbox

ADMIN_TIMEOUT_S = 10.0


class SandboxAdmin:
    """The running sandbox's admin endpoints, for assertions and fault injection in tests."""

    def __init__(self, running: RunningSandbox, http: httpx.AsyncClient) -> None:
        self.url = running.url
        self._running = running
        self._http = http

    def portal_url(self, family: str) -> str:
        return self._running.portal_url(family)

    async def received(self) -> list[dict[str, Any]]:
        """Every upload the portals accepted (confirmation page lost or not)."""
        return await self._get("/__sandbox/received")

    async def logins(self) -> list[dict[str, Any]]:
        """Every login attempt the portals saw."""
        return await self._get("/__sandbox/logins")

    async def page_loads(self, family: str) -> int:
        """Page requests the family's portal received since the last reset (assets aside)."""
        answer = await self._http.get("/__sandbox/requests")
        answer.raise_for_status()
        counts: dict[str, dict[str, int]] = answer.json()
        return sum(counts.get(family, {}).values())

    async def set_faults(self, **changes: Any) -> dict[str, Any]:
        return await self._post("/__sandbox/faults", changes)

    async def reset(self) -> None:
        (await self._http.post("/__sandbox/reset")).raise_for_status()

    async def set_coupa_status(
        self, invoice_number: str, *, buyer: str, status: str, **fields: str
    ) -> dict[str, Any]:
        """Move a Coupa invoice along its lifecycle (approved, disputed, paid, voided)."""
        return await self._post(
            f"/__sandbox/coupa/invoices/{invoice_number}/status",
            {"buyer": buyer, "status": status, **fields},
        )

    async def set_ariba_status(self, invoice_number: str, **body: str) -> dict[str, Any]:
        """Move a Globex invoice on its Ariba routing and/or invoice track."""
        return await self._post(
            f"/__sandbox/ariba/invoices/{invoice_number}/status", {"buyer": "GLOBEX", **body}
        )

    async def set_max_backdate_days(self, days: int) -> None:
        """Globex's Ariba back-dating rule."""
        await self._post("/__sandbox/ariba/buyers/GLOBEX/rules", {"max_backdate_days": days})

    async def set_upload_status(
        self, invoice_number: str, status: str, **fields: str
    ) -> dict[str, Any]:
        """Move an invoice of the upload portal along its lifecycle."""
        return await self._post(
            f"/__sandbox/upload/invoices/{invoice_number}/status", {"status": status, **fields}
        )

    async def set_validation_delay(self, seconds: float) -> None:
        """How long the upload portal takes to validate an upload."""
        await self._post("/__sandbox/upload/settings", {"validation_delay_s": seconds})

    async def upload_page_loads(self) -> dict[str, int]:
        """The upload portal's page requests per path since the last reset (assets aside)."""
        answer = await self._http.get("/__sandbox/requests")
        answer.raise_for_status()
        counts: dict[str, dict[str, int]] = answer.json()
        return counts.get("upload", {})

    async def _get(self, path: str) -> list[dict[str, Any]]:
        answer = await self._http.get(path)
        answer.raise_for_status()
        result: list[dict[str, Any]] = answer.json()
        return result

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = await self._http.post(path, json=body)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result
