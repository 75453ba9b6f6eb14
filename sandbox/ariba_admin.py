"""The Ariba-style portal's admin endpoints: what the customer's AP system would do to invoices.

Tests and the demo need invoices to move after submission (routing Failed, Approved with a
scheduled payment date, Rejected with a reason, Paid with a remittance reference) and a
customer whose back-dating rule is strict, without a browser. Mounted by the sandbox server
under ``/__sandbox/ariba`` and never subject to faults::

    POST /invoices/{invoice_number}/status
         {"buyer": "GLOBEX", "routing": "failed", "status": "approved", "reason": "...",
          "projected_payment_date": "2031-03-15", "payment_date": "2031-04-01",
          "payment_reference": "RA-9", "supplier": "login (when several have the number)"}
         200 with the invoice, 400 bad body, 404 unknown invoice, 409 impossible move
    POST /buyers/{buyer_code}/rules   {"max_backdate_days": 2}   (reset restores the catalog's)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.admin_bodies import date_field, iso_day, str_field
from sandbox.ariba_records import (
    ROUTING_NAMES,
    STATUS_NAMES,
    AribaInvoice,
    AribaRecords,
    LifecycleRefused,
    StatusChange,
)


class AribaAdmin:
    """The admin routes over one portal's books."""

    def __init__(self, records: AribaRecords) -> None:
        self.records = records

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/invoices/{invoice_number:path}/status", self._change_status, methods=["POST"]),
            Route("/buyers/{buyer_code}/rules", self._rules, methods=["POST"]),
        ]

    async def _change_status(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "body must be JSON"}, status_code=400)
        try:
            buyer_code, change, supplier = _status_change(body)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        try:
            invoice = self.records.change_status(
                buyer_code=buyer_code,
                number=request.path_params["invoice_number"],
                change=change,
                today=dt.date.today(),
                supplier=supplier,
            )
        except LookupError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except LifecycleRefused as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        return JSONResponse(_invoice_json(invoice))

    async def _rules(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "body must be JSON"}, status_code=400)
        days = body.get("max_backdate_days") if isinstance(body, dict) else None
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            return JSONResponse(
                {"error": "'max_backdate_days' must be an integer >= 0"}, status_code=400
            )
        code = request.path_params["buyer_code"]
        try:
            self.records.set_max_backdate_days(code, days)
        except LookupError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        return JSONResponse({"buyer": code, "max_backdate_days": days})


def _status_change(body: Any) -> tuple[str, StatusChange, str | None]:
    """Read the admin endpoint's JSON body; ValueError names what is wrong."""
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    buyer = body.get("buyer")
    if not isinstance(buyer, str) or not buyer:
        raise ValueError("'buyer' (customer code) is required")
    routing_name = str_field(body, "routing")
    status_name = str_field(body, "status")
    if routing_name is None and status_name is None:
        raise ValueError("give 'routing', 'status' or both")
    routing = status = None
    if routing_name is not None:
        routing = ROUTING_NAMES.get(routing_name.strip().lower())
        if routing is None:
            raise ValueError(f"'routing' must be one of {sorted(ROUTING_NAMES)}")
    if status_name is not None:
        status = STATUS_NAMES.get(status_name.strip().lower())
        if status is None:
            raise ValueError(f"'status' must be one of {sorted(STATUS_NAMES)}")
    supplier = str_field(body, "supplier")
    change = StatusChange(
        routing=routing,
        status=status,
        reason=str_field(body, "reason"),
        scheduled_payment_date=date_field(body, "projected_payment_date"),
        payment_date=date_field(body, "payment_date"),
        payment_reference=str_field(body, "payment_reference"),
    )
    return buyer, change, supplier or None


def _invoice_json(inv: AribaInvoice) -> dict[str, Any]:
    return {
        "invoice_number": inv.number,
        "buyer": inv.buyer_code,
        "document_id": inv.document_id,
        "routing": inv.routing.value,
        "status": inv.status.value,
        "status_date": iso_day(inv.status_date),
        "reason": inv.reason,
        "projected_payment_date": iso_day(inv.scheduled_payment_date),
        "payment_date": iso_day(inv.payment_date),
        "payment_reference": inv.payment_reference,
        "amount": str(inv.total),
        "currency": inv.currency,
    }
