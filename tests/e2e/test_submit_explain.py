"""``arworker submit INVOICE…`` says what happened to each named invoice and what to do, with an
exit status a script can tell apart (3 not submittable, 4 needs a person, 5 not yet)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox.book import DemoBook, demo_book
from tests.support.workspace import TODAY, Workspace

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

EXIT_NOT_SUBMITTABLE = 3
EXIT_NEEDS_ACTION = 4


def _first(book: DemoBook, what: str, **wanted: object) -> str:
    for invoice in book.invoices:
        if all(getattr(invoice, k) == v for k, v in wanted.items()):
            return invoice.trx_number
    raise AssertionError(f"the demo book has no {what}")


def _invoices(stdout: str) -> dict[str, dict[str, Any]]:
    data = json.loads(stdout)
    return {e["invoice"]: e for e in data["invoices"]}


def test_submit_explains_invoices_that_cannot_be_submitted(workspace: Workspace) -> None:
    """A number that does not exist, another org's, a closed one, a credit memo, a disabled and
    an unenrolled account's: nothing is uploaded, each is named with its reason, exit 3."""
    book = demo_book(today=TODAY)
    named = {
        "UNKNOWN-1": "NOT_FOUND",
        _first(book, "other-org invoice", org_id=458): "OTHER_ORG",
        _first(book, "closed invoice", schedule_status="CL", account_number="1001"): "CLOSED",
        _first(book, "credit memo", trx_class="CM", account_number="1001"): "NOT_AN_INVOICE",
        _first(book, "disabled account's invoice", account_number="1003", eligible=True): (
            "ENROLMENT_DISABLED"
        ),
        _first(book, "unenrolled account's invoice", account_number="1011"): "NOT_ENROLLED",
    }
    result = workspace.cli("submit", *named, "--json")
    assert result.returncode == EXIT_NOT_SUBMITTABLE, result.stderr[-3000:]
    invoices = _invoices(result.stdout)
    assert {n: e["verdict"] for n, e in invoices.items()} == named
    assert all(e["conclusion"] == "NOT_SUBMITTABLE" and e["action"] for e in invoices.values())
    assert (
        "not in the configured database.org_ids (204)"
        in (next(e for e in invoices.values() if e["verdict"] == "OTHER_ORG")["message"])
    )
    assert workspace.received() == []


def test_submit_of_a_rejected_invoice_says_why_and_to_resync(workspace: Workspace) -> None:
    """The portal's refusal is reported with its reason and "fix in EBS, resync 1001" (exit 4);
    naming it again uploads nothing and says the same, never silently nothing."""
    book = demo_book(today=TODAY)
    closed_po = next(
        n
        for n, code in sorted(book.expected_rejections.items())
        if code == "PO_CLOSED" and book.invoice(n).account_number == "1001"
    )
    good = _first(book, "good invoice of 1001", account_number="1001", eligible=True)
    assert good not in book.expected_rejections

    first = workspace.cli("submit", good, closed_po, "--json")
    assert first.returncode == EXIT_NEEDS_ACTION, first.stderr[-3000:]
    invoices = _invoices(first.stdout)
    assert invoices[good]["verdict"] == "SUBMITTED"
    assert invoices[closed_po]["verdict"] == "REJECTED"
    assert [r["invoice_number"] for r in workspace.received()] == [good]
    logins = len(workspace.logins())

    again = workspace.cli("submit", closed_po)
    assert again.returncode == EXIT_NEEDS_ACTION, again.stderr[-3000:]
    assert f"invoice {closed_po}: rejected by the coupa portal: PO_CLOSED:" in again.stdout
    assert "what to do: fix what the portal says in EBS" in again.stdout
    assert "then run `arworker resync 1001` to submit it again" in again.stdout
    assert len(workspace.logins()) == logins, "the portal was visited for a rejected invoice"

    mixed = workspace.cli("submit", closed_po, "UNKNOWN-1", "--json")
    assert mixed.returncode == EXIT_NOT_SUBMITTABLE  # the first of 3, 4, 5 that applies
    assert set(_invoices(mixed.stdout)) == {closed_po, "UNKNOWN-1"}
