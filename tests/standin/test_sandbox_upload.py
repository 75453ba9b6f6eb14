"""The upload-style stand-in portal over HTTP without a browser: intake, async validation,
the error list, the locale's decimal separator and the lifecycle admin endpoint."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator
from decimal import Decimal
from html import unescape
from typing import Any

import httpx
import pytest

from sandbox.server import create_app
from sandbox.upload_locale import LOCALES, AmountRefused, read_amount
from tests.support.books.common import PDF_BYTES
from tests.support.books.upload import (
    CLOSED_PO,
    EUR_PO,
    LOGIN,
    LUMI_PO,
    OPEN_PO,
    PASSWORD,
    SMALL_PO,
    upload_catalog,
)

TODAY = dt.date.today()


def day(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """A client of a fresh sandbox app, in-process, whose upload validation runs at once."""
    transport = httpx.ASGITransport(app=create_app(upload_catalog(validation_delay_s=0)))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://127.0.0.1", follow_redirects=True
    ) as http:
        yield http


async def settled(client: httpx.AsyncClient) -> None:
    """Wait until the portal's validation timer has validated every upload."""
    answer = await client.get("/__sandbox/upload/settled")
    assert answer.status_code == 200, answer.text


async def sign_in(client: httpx.AsyncClient, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/upload/login", data={"username": LOGIN, "password": password})


async def upload(
    client: httpx.AsyncClient,
    *,
    buyer: str = "GLOBEX",
    number: str = "INV-1",
    invoice_date: str | None = None,
    due_date: str = "",
    po: str = OPEN_PO,
    currency: str = "USD",
    net: str = "1,234.56",
    tax: str = "234.57",
    total: str = "1,469.13",
    file_name: str = "invoice.pdf",
    data: bytes = PDF_BYTES,
) -> httpx.Response:
    """Open the form for ``buyer`` and post it as a browser would."""
    form = await client.get("/upload/invoices/new/details", params={"buyer": buyer})
    token = re.search(r'name="form_token" value="([^"]+)"', form.text)
    assert token is not None, "the form carries its token"
    fields = {
        "form_token": token.group(1),
        "invoice_number": number,
        "invoice_date": invoice_date if invoice_date is not None else day(TODAY),
        "due_date": due_date,
        "po_number": po,
        "currency": currency,
        "net_amount": net,
        "tax_amount": tax,
        "total_amount": total,
    }
    files = {"invoice_file": (file_name, data, "application/pdf")}
    return await client.post(
        "/upload/invoices/new/details", params={"buyer": buyer}, data=fields, files=files
    )


async def uploads(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    answer = await client.get("/__sandbox/upload/invoices")
    answer.raise_for_status()
    result: list[dict[str, Any]] = answer.json()
    return result


async def received(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = (await client.get("/__sandbox/received")).json()
    return result


def form_errors(page: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'class="form-error"[^>]*>([^<]*)<', page)]


async def test_upload_portal_shows_processing_then_accepted_and_only_then_records_it(
    client: httpx.AsyncClient,
) -> None:
    """An upload is Processing until its validation runs, then Accepted and in the ledger."""
    await client.post("/__sandbox/upload/settings", json={"validation_delay_s": 0.3})
    await sign_in(client)
    answer = await upload(client)
    assert answer.status_code == 200
    assert 'id="upload-status" class="pill processing">Processing<' in answer.text
    reference = re.search(r'id="upload-reference">([^<]+)<', answer.text)
    assert reference is not None
    status = await client.get("/upload/status", params={"number": "INV-1"})
    assert '<span class="pill processing">Processing</span>' in status.text
    assert await received(client) == []
    await settled(client)  # nobody looks at the portal: the validation still runs
    ledger = await received(client)
    assert [(e["portal"], e["invoice_number"], e["amount"]) for e in ledger] == [
        ("upload", "INV-1", "1469.13")
    ]
    assert ledger[0]["portal_reference"] == reference.group(1)
    status = await client.get("/upload/status", params={"number": "INV-1"})
    assert '<span class="pill accepted">Accepted</span>' in status.text


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"po": "PO-9999"}, "VAL 8: Purchase order PO-9999 was not found for this customer"),
        ({"po": ""}, "VAL 8: A purchase order number is required by this customer"),
        ({"po": CLOSED_PO}, f"VAL 10: Purchase order {CLOSED_PO} is closed"),
        (
            {"po": SMALL_PO, "net": "150.00", "tax": "0.00", "total": "150.00"},
            f"VAL 9: Invoice net amount exceeds the open balance of purchase order {SMALL_PO}"
            " (100.00 USD left)",
        ),
        ({"currency": "EUR"}, "VAL 15: Currency EUR does not match purchase order currency USD"),
        (
            {"invoice_date": day(TODAY + dt.timedelta(days=3))},
            f"VAL 11: Invoice date {day(TODAY + dt.timedelta(days=3))} is in the future",
        ),
        (
            {"invoice_date": day(TODAY - dt.timedelta(days=400))},
            f"VAL 12: Invoice date {day(TODAY - dt.timedelta(days=400))} is more than 365 days"
            " in the past",
        ),
        (
            {"due_date": day(TODAY - dt.timedelta(days=1))},
            f"VAL 13: Due date {day(TODAY - dt.timedelta(days=1))} is before the invoice date"
            f" {day(TODAY)}",
        ),
        ({"data": b"GIF89a not a pdf"}, "VAL 14: The attached document could not be read as a PDF"),
    ],
    ids=["po-unknown", "po-missing", "po-closed", "over-balance", "currency", "future",
         "back-dated", "due-before", "unreadable-pdf"],
)  # fmt: skip
async def test_upload_portal_moves_a_failed_validation_to_invoices_in_error(
    client: httpx.AsyncClient, changes: dict[str, Any], reason: str
) -> None:
    """A rule broken after intake lands the upload in "Invoices in error" with the reason."""
    await sign_in(client)
    answer = await upload(client, **changes)
    assert answer.status_code == 200, form_errors(answer.text)
    await settled(client)
    dashboard = await client.get("/upload/dashboard")
    assert 'id="errors-table"' in dashboard.text
    assert reason in unescape(dashboard.text)
    [stored] = await uploads(client)
    assert (stored["status"], stored["reason"]) == ("In error", reason)
    assert await received(client) == []


async def test_upload_portal_refuses_a_number_already_used_with_val_7(
    client: httpx.AsyncClient,
) -> None:
    """The second upload of an accepted number goes to the error list as a duplicate."""
    await sign_in(client)
    await upload(client, number="INV-DUP")
    await settled(client)
    await upload(client, number="inv-dup")
    await settled(client)
    statuses = [(u["status"], u["reason"]) for u in await uploads(client)]
    assert statuses == [
        ("Accepted", None),
        ("In error", "VAL 7: Invoice number inv-dup has already been submitted to this customer"),
    ]
    assert len(await received(client)) == 1


async def test_upload_portal_lets_a_number_in_error_be_uploaded_again(
    client: httpx.AsyncClient,
) -> None:
    """A number whose upload failed validation is not used: corrected, it is accepted."""
    await sign_in(client)
    await upload(client, number="INV-FIX", po=CLOSED_PO)
    await settled(client)
    await upload(client, number="INV-FIX", po=OPEN_PO)
    await settled(client)
    assert [u["status"] for u in await uploads(client)] == ["In error", "Accepted"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"file_name": "invoice.docx"}, "attachment", "Only PDF files can be uploaded"),
        ({"number": "INV 1"}, "number", "Invoice number must not contain spaces"),
        (
            {"invoice_date": TODAY.isoformat()},
            "invoice_date",
            "Invoice date must be a date written DD.MM.YYYY",
        ),
        (
            {"total": "1,500.00"},
            "total_amount",
            "Total amount must equal net amount plus tax amount",
        ),
        ({"currency": ""}, "currency", "Select the invoice currency"),
    ],
    ids=["not-pdf", "spaces", "iso-date", "total", "currency"],
)
async def test_upload_portal_refuses_what_its_form_cannot_read(
    client: httpx.AsyncClient, changes: dict[str, Any], field: str, message: str
) -> None:
    """Intake errors come back at once on the form (422) and nothing is stored."""
    await sign_in(client)
    answer = await upload(client, **changes)
    assert answer.status_code == 422
    assert f'data-field="{field}"' in answer.text
    assert message in form_errors(answer.text)
    assert await uploads(client) == []


async def test_upload_portal_reads_amounts_the_de_de_way(client: httpx.AsyncClient) -> None:
    """For a de-DE customer "1.234,56" is 1234.56: the upload is accepted with that total."""
    await sign_in(client)
    answer = await upload(
        client, buyer="RHEIN", po=EUR_PO, currency="EUR", net="1.234,56", tax="234,57",
        total="1.469,13",
    )  # fmt: skip
    assert answer.status_code == 200, form_errors(answer.text)
    assert (
        'data-locale="de-DE"' in (await client.get("/upload/invoices/new/details?buyer=RHEIN")).text
    )
    await settled(client)
    assert [e["amount"] for e in await received(client)] == ["1469.13"]


async def test_upload_portal_silently_misreads_an_en_amount_for_de_de(
    client: httpx.AsyncClient,
) -> None:
    """Like Basware, a de-DE form takes "12.50" as 1250.00 without a word, and accepts it."""
    await sign_in(client)
    answer = await upload(
        client, buyer="RHEIN", po=EUR_PO, currency="EUR", net="12.50", tax="2.38",
        total="14.88",
    )  # fmt: skip
    assert answer.status_code == 200
    await settled(client)
    assert [e["amount"] for e in await received(client)] == ["1488.00"]


async def test_upload_portal_refuses_a_wrong_separator_for_fr_fr(
    client: httpx.AsyncClient,
) -> None:
    """A fr-FR form refuses "1234.56" and names the way to write it; nothing is stored."""
    await sign_in(client)
    answer = await upload(
        client, buyer="LUMI", po=LUMI_PO, currency="EUR", net="1234.56", tax="0,00",
        total="1 234,56",
    )  # fmt: skip
    assert answer.status_code == 422
    assert "Net amount: '1234.56' is not an amount; write amounts as 1 234,56" in form_errors(
        answer.text
    )
    assert await uploads(client) == []


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        ("en-US", "1,234.56", Decimal("1234.56")),
        ("en-US", "1234.5", Decimal("1234.50")),
        ("de-DE", "1.234,56", Decimal("1234.56")),
        ("de-DE", "1,234.56", Decimal("1.23")),  # misread, as Basware does
        ("fr-FR", "1 234,56", Decimal("1234.56")),
        ("fr-FR", "1\u202f234,56", Decimal("1234.56")),
    ],
)
def test_upload_locale_reads_amounts(locale: str, text: str, expected: Decimal) -> None:
    """Each locale reads its own way of writing amounts (and de-DE misreads the others)."""
    assert read_amount(text, LOCALES[locale]) == expected


@pytest.mark.parametrize(("locale", "text"), [("en-US", "1.234,56"), ("fr-FR", "1,234.56")])
def test_upload_locale_strict_locales_refuse_other_separators(locale: str, text: str) -> None:
    """Strict locales refuse an amount written with another locale's separators."""
    with pytest.raises(AmountRefused):
        read_amount(text, LOCALES[locale])


async def test_upload_portal_hides_the_file_input_behind_a_button(
    client: httpx.AsyncClient,
) -> None:
    """The real file input is display:none; a styled button opens it."""
    await sign_in(client)
    page = (await client.get("/upload/invoices/new/details", params={"buyer": "GLOBEX"})).text
    assert re.search(r'<input type="file" id="invoice-file"[^>]*style="display:none"', page)
    assert 'id="attach-button" data-opens-file="invoice-file"' in page


async def test_upload_portal_admin_moves_an_accepted_invoice_to_approved_then_paid(
    client: httpx.AsyncClient,
) -> None:
    """The lifecycle endpoint approves (pay date) then pays (reference); the list shows both."""
    await sign_in(client)
    await upload(client, number="INV-LIFE")
    await settled(client)
    pay_on = TODAY + dt.timedelta(days=20)
    approved = await client.post(
        "/__sandbox/upload/invoices/INV-LIFE/status",
        json={"status": "approved", "projected_payment_date": pay_on.isoformat()},
    )
    assert approved.status_code == 200
    assert approved.json()["projected_payment_date"] == pay_on.isoformat()
    paid = await client.post(
        "/__sandbox/upload/invoices/INV-LIFE/status",
        json={"status": "paid", "payment_reference": "REM-42"},
    )
    assert (paid.json()["status"], paid.json()["payment_reference"]) == ("Paid", "REM-42")
    page = (await client.get("/upload/status", params={"number": "INV-LIFE"})).text
    assert '<span class="pill paid">Paid</span>' in page
    assert f'<td class="col-due">{day(pay_on)}</td>' in page
    assert '<td class="col-payment-ref">REM-42</td>' in page


async def test_upload_portal_admin_rejects_with_a_reason(client: httpx.AsyncClient) -> None:
    """A buyer rejection shows as Rejected with its reason."""
    await sign_in(client)
    await upload(client, number="INV-REJ")
    await settled(client)
    answer = await client.post(
        "/__sandbox/upload/invoices/INV-REJ/status",
        json={"status": "rejected", "reason": "Goods not received"},
    )
    assert (answer.json()["status"], answer.json()["reason"]) == ("Rejected", "Goods not received")


@pytest.mark.parametrize(
    ("number", "body", "status_code"),
    [
        ("INV-NONE", {"status": "approved"}, 404),
        ("INV-ADM", {"status": "paid"}, 409),  # Accepted cannot be paid before approval
        ("INV-ADM", {"status": "shipped"}, 400),
        ("INV-ADM", {"status": "approved", "projected_payment_date": "soon"}, 400),
    ],
)
async def test_upload_portal_admin_refuses_impossible_moves(
    client: httpx.AsyncClient, number: str, body: dict[str, Any], status_code: int
) -> None:
    """Unknown invoices, impossible transitions and bad bodies are refused with their reason."""
    await sign_in(client)
    await upload(client, number="INV-ADM")
    await settled(client)
    answer = await client.post(f"/__sandbox/upload/invoices/{number}/status", json=body)
    assert answer.status_code == status_code
    assert answer.json()["error"]


async def test_upload_portal_admin_cannot_move_an_upload_still_processing(
    client: httpx.AsyncClient,
) -> None:
    """An upload not validated yet cannot be approved."""
    await client.post("/__sandbox/upload/settings", json={"validation_delay_s": 30})
    await sign_in(client)
    await upload(client, number="INV-WAIT")
    answer = await client.post(
        "/__sandbox/upload/invoices/INV-WAIT/status", json={"status": "approved"}
    )
    assert answer.status_code == 409
    assert "Processing" in answer.json()["error"]


async def test_upload_portal_locks_the_user_after_three_failures(
    client: httpx.AsyncClient,
) -> None:
    """Three wrong passwords lock the user (shared lock-out); the right one is then refused."""
    for _ in range(3):
        await sign_in(client, password="wrong")
    answer = await sign_in(client)
    assert "Your account has been locked" in answer.text
    logins = (await client.get("/__sandbox/logins")).json()
    assert [e["reason"] for e in logins] == ["bad_password"] * 3 + ["locked"]


async def test_upload_portal_sends_an_idle_session_to_sign_in(client: httpx.AsyncClient) -> None:
    """After the idle time, a page of the portal answers with the sign-in page and a notice."""
    await sign_in(client)
    await client.post("/__sandbox/faults", json={"session_idle_s": 0.05})
    await asyncio.sleep(0.1)
    answer = await client.get("/upload/status")
    assert 'id="signin-form"' in answer.text
    assert "Your session has expired" in answer.text


async def test_upload_portal_reset_forgets_uploads_and_the_delay(
    client: httpx.AsyncClient,
) -> None:
    """The sandbox reset clears uploads and puts the validation delay back to the catalog's."""
    await client.post("/__sandbox/upload/settings", json={"validation_delay_s": 5})
    await sign_in(client)
    await upload(client)
    await client.post("/__sandbox/reset")
    assert await uploads(client) == []
    settings = (await client.get("/__sandbox/upload/settings")).json()
    assert settings == {"validation_delay_s": 0.0}


async def test_upload_portal_pages_the_status_list_and_counts_page_loads(
    client: httpx.AsyncClient,
) -> None:
    """The status list shows per_page rows (25 unless asked, at most 100) newest first, with a
    Next link keeping the search; the admin counter sees each signed-in page load."""
    await sign_in(client)
    for index in range(1, 103):
        answer = await upload(client, number=f"PG-{index:03d}", net="1.00", tax="0", total="1.00")
        assert answer.status_code == 200, form_errors(answer.text)
    await settled(client)

    def shown(page: str) -> list[str]:
        return re.findall(r'<td class="col-number">([^<]*)</td>', page)

    def next_link(page: str) -> str | None:
        found = re.search(r'id="status-next" rel="next" href="([^"]+)"', page)
        return unescape(found.group(1)) if found else None

    first = (await client.get("/upload/status")).text
    assert shown(first) == [f"PG-{index:03d}" for index in range(102, 77, -1)]  # 25, newest first
    assert 'data-page="1" data-pages="5"' in first
    capped = (await client.get("/upload/status", params={"per_page": "500"})).text
    assert len(shown(capped)) == 100
    assert next_link(capped) == "/upload/status?per_page=500&page=2"
    last = (await client.get("/upload/status", params={"per_page": "500", "page": "2"})).text
    assert (shown(last), next_link(last)) == (["PG-002", "PG-001"], None)
    assert 'id="status-previous"' in last
    searched = (
        await client.get("/upload/status", params={"number": "PG-10", "per_page": "2"})
    ).text
    assert shown(searched) == ["PG-102", "PG-101"]
    assert next_link(searched) == "/upload/status?number=PG-10&per_page=2&page=2"
    loads = (await client.get("/__sandbox/requests")).json()["upload"]
    assert loads["/status"] == 4, loads
    await client.post("/__sandbox/reset")
    assert (await client.get("/__sandbox/requests")).json() == {}
