"""The Coupa-style stand-in portal and the sandbox admin endpoints, over HTTP without a browser."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from collections.abc import AsyncIterator
from html import unescape

import httpx
import pyotp
import pytest

from sandbox.faults import FaultControl, Faults, FaultsInvalid
from sandbox.server import create_app, start_sandbox
from tests.support.books.coupa import STANDIN_PASSWORD as PASSWORD
from tests.support.books.coupa import STANDIN_PLAIN_USER as PLAIN_USER
from tests.support.books.coupa import STANDIN_TOTP_SECRET as TOTP_SECRET
from tests.support.books.coupa import STANDIN_TOTP_USER as TOTP_USER
from tests.support.books.coupa import standin_catalog as small_catalog

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = dt.date.today()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to a fresh sandbox app in-process."""
    transport = httpx.ASGITransport(app=create_app(small_catalog()))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
        yield http


async def sign_in(http: httpx.AsyncClient, login: str = PLAIN_USER) -> None:
    """Log in (with the TOTP step for the TOTP user) and check the home page is reached."""
    answer = await http.post("/coupa/login", data={"email": login, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    if answer.headers["location"].endswith("/login/verify"):
        code = pyotp.TOTP(TOTP_SECRET).now()
        answer = await http.post("/coupa/login/verify", data={"code": code})
        assert answer.status_code == 303
    assert answer.headers["location"] == "/coupa/home"


async def open_form(
    http: httpx.AsyncClient, customer: str = "GLOBEX", po_number: str = "PO-1001"
) -> tuple[str, str, str]:
    """Search the PO, follow its Create Invoice link: (form action, token, form page)."""
    orders = await http.get("/coupa/orders", params={"customer": customer, "q": po_number})
    assert orders.status_code == 200
    link = re.search(r'class="create-invoice button" href="([^"]+)"', orders.text)
    assert link is not None, "no Create Invoice link"
    form = await http.get(unescape(link.group(1)))
    assert form.status_code == 200
    action = re.search(r'id="invoice-form"[^>]*action="([^"]+)"', form.text)
    token = re.search(r'name="authenticity_token" value="([^"]+)"', form.text)
    assert action is not None and token is not None
    return unescape(action.group(1)), token.group(1), form.text


def v1_fields(token: str, number: str = "INV-1", **overrides: str) -> dict[str, str]:
    """A valid v1 invoice form: one line of 2 x 50.00 plus 5.00 tax."""
    fields = {
        "authenticity_token": token,
        "invoice_number": number,
        "invoice_date": TODAY.isoformat(),
        "currency": "USD",
        "tax_amount": "5.00",
        "line-1-description": "Widgets",
        "line-1-quantity": "2",
        "line-1-unit-price": "50.00",
    }
    fields.update(overrides)
    return fields


async def submit(
    http: httpx.AsyncClient,
    number: str = "INV-1",
    *,
    file: tuple[str, bytes] = ("invoice.pdf", PDF),
    **overrides: str,
) -> httpx.Response:
    """Open the PO-1001 form and post a v1 invoice."""
    action, token, _ = await open_form(http)
    files = {"attachment": (file[0], file[1], "application/octet-stream")}
    return await http.post(action, data=v1_fields(token, number, **overrides), files=files)


def field_errors(page: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'class="field-error"[^>]*>([^<]+)<', page)]


async def test_coupa_portal_login_with_totp_reaches_home(client: httpx.AsyncClient) -> None:
    """Password then a current TOTP code signs in; the home page offers the customer selector."""
    await sign_in(client, TOTP_USER)
    home = await client.get("/coupa/home")
    assert 'id="customer-select"' in home.text
    assert 'value="GLOBEX">Globex Corporation</option>' in home.text
    logins = (await client.get("/__sandbox/logins")).json()
    assert [(e["login_name"], e["ok"], e["reason"]) for e in logins] == [(TOTP_USER, True, "ok")]


async def test_coupa_portal_refuses_a_wrong_code(client: httpx.AsyncClient) -> None:
    """A wrong verification code keeps the user out with the portal's message."""
    await client.post("/coupa/login", data={"email": TOTP_USER, "password": PASSWORD})
    wrong = f"{(int(pyotp.TOTP(TOTP_SECRET).now()) + 500_000) % 1_000_000:06d}"
    answer = await client.post("/coupa/login/verify", data={"code": wrong})
    assert 'id="totp-error"' in answer.text and "Invalid verification code" in answer.text
    assert (await client.get("/coupa/home")).status_code == 303


async def test_coupa_portal_locks_the_user_after_three_failures(client: httpx.AsyncClient) -> None:
    """Three wrong passwords lock the user; the right one is then refused and logged "locked"."""
    for _ in range(3):
        answer = await client.post("/coupa/login", data={"email": PLAIN_USER, "password": "nope"})
        assert answer.status_code == 200
    assert "Your account has been locked" in answer.text
    answer = await client.post("/coupa/login", data={"email": PLAIN_USER, "password": PASSWORD})
    assert 'id="login-error"' in answer.text and "Your account has been locked" in answer.text
    logins = (await client.get("/__sandbox/logins")).json()
    assert [(e["ok"], e["reason"]) for e in logins] == [
        (False, "bad_password"),
        (False, "bad_password"),
        (False, "bad_password"),
        (False, "locked"),
    ]


async def test_coupa_portal_shows_invalid_credentials(client: httpx.AsyncClient) -> None:
    """A wrong password shows "Invalid email or password" before any lock-out."""
    answer = await client.post("/coupa/login", data={"email": PLAIN_USER, "password": "nope"})
    assert "Invalid email or password" in answer.text


async def test_coupa_portal_accepts_an_invoice_and_records_it(client: httpx.AsyncClient) -> None:
    """A valid PO flip is confirmed with a document id and listed once in /__sandbox/received."""
    await sign_in(client)
    answer = await submit(client, "INV-1")
    assert answer.status_code == 200
    document = re.search(r'id="document-id">([^<]+)<', answer.text)
    assert document is not None and document.group(1).startswith("CP-")
    received = (await client.get("/__sandbox/received")).json()
    assert len(received) == 1
    entry = received[0]
    assert {k: entry[k] for k in entry if k != "received_at"} == {
        "portal": "coupa",
        "buyer": "GLOBEX",
        "buyer_name": "Globex Corporation",
        "invoice_number": "INV-1",
        "amount": "105.00",
        "currency": "USD",
        "portal_reference": document.group(1),
    }
    assert dt.datetime.fromisoformat(entry["received_at"]).tzinfo is not None


async def test_coupa_portal_rejects_a_duplicate_number(client: httpx.AsyncClient) -> None:
    """The same number twice for one customer is refused the second time; one invoice arrives."""
    await sign_in(client)
    assert (await submit(client, "INV-7")).status_code == 200
    again = await submit(client, "INV-7")
    assert again.status_code == 422
    assert "Invoice number has already been used" in field_errors(again.text)
    assert len((await client.get("/__sandbox/received")).json()) == 1


@pytest.mark.parametrize(
    ("overrides", "file", "expected"),
    [
        # the date may not be in the future
        (
            {"invoice_date": (TODAY + dt.timedelta(days=1)).isoformat()},
            ("invoice.pdf", PDF),
            "Invoice date cannot be in the future",
        ),
        # 30 x 50.00 = 1,500.00 on a PO of 1,000.00
        ({"line-1-quantity": "30"}, ("invoice.pdf", PDF), "exceeds the remaining PO balance"),
        # the PO is in USD
        ({"currency": "EUR"}, ("invoice.pdf", PDF), "Currency must match the purchase order"),
        # a PDF must start with %PDF
        ({}, ("invoice.pdf", b"hello"), "Attachment is not a valid PDF file"),
        # only images and PDFs are accepted
        ({}, ("invoice.docx", PDF), "Attachment type .docx is not allowed"),
        # no spaces in numbers
        ({"invoice_number": "INV 9"}, ("invoice.pdf", PDF), "Invoice # cannot contain spaces"),
    ],
)
async def test_coupa_portal_validates_the_invoice_form(
    client: httpx.AsyncClient, overrides: dict[str, str], file: tuple[str, bytes], expected: str
) -> None:
    """Each rule refuses the form with an inline message and stores nothing."""
    await sign_in(client)
    answer = await submit(client, "INV-9", file=file, **overrides)
    assert answer.status_code == 422
    assert any(expected in message for message in field_errors(answer.text)), answer.text
    assert (await client.get("/__sandbox/received")).json() == []


async def test_coupa_portal_closed_po_cannot_be_invoiced(client: httpx.AsyncClient) -> None:
    """A closed PO has no Create Invoice link and its page says it cannot be invoiced."""
    await sign_in(client)
    orders = await client.get("/coupa/orders", params={"customer": "GLOBEX", "q": "PO-1002"})
    assert 'data-po-number="PO-1002"' in orders.text
    assert "create-invoice" not in orders.text
    po_id = re.search(r'data-po-number="PO-1002" data-po-id="(\d+)"', orders.text)
    assert po_id is not None
    detail = await client.get(f"/coupa/orders/{po_id.group(1)}", params={"customer": "GLOBEX"})
    assert 'id="po-closed-notice"' in detail.text
    assert "PO is closed and cannot be invoiced" in detail.text


async def test_coupa_portal_keeps_customers_apart(client: httpx.AsyncClient) -> None:
    """A PO of one customer is not found under another customer; blank invoices are disabled."""
    await sign_in(client)
    orders = await client.get("/coupa/orders", params={"customer": "INITECH", "q": "PO-1001"})
    assert 'id="orders-empty"' in orders.text
    assert 'data-customer-code="INITECH">Initech Inc<' in orders.text
    assert 'id="create-blank-invoice" disabled' in orders.text
    assert "Your customer requires a purchase order" in orders.text
    action, _, _ = await open_form(client, "GLOBEX", "PO-1001")
    po_id = re.search(r"/orders/(\d+)/", action)
    assert po_id is not None
    wrong = await client.get(f"/coupa/orders/{po_id.group(1)}", params={"customer": "INITECH"})
    assert wrong.status_code == 404


async def test_sandbox_error_rate_answers_system_busy(client: httpx.AsyncClient) -> None:
    """With error_rate 1.0 every page is a 503 "System busy"; assets and admin still answer."""
    faults = await client.post("/__sandbox/faults", json={"error_rate": 1.0})
    assert faults.json()["error_rate"] == 1.0
    page = await client.get("/coupa/login")
    assert page.status_code == 503
    assert "System busy - please try again later" in page.text
    asset = await client.get("/coupa/static/portal.css")
    assert asset.status_code == 200 and asset.headers["cache-control"] == "public, max-age=3600"
    assert (await client.get("/__sandbox/received")).status_code == 200


async def test_sandbox_confirm_failure_stores_then_answers_500(client: httpx.AsyncClient) -> None:
    """With confirm_fail_rate 1.0 the invoice is stored and listed, but the answer is a 500."""
    await sign_in(client)
    await client.post("/__sandbox/faults", json={"confirm_fail_rate": 1.0})
    answer = await submit(client, "INV-500")
    assert answer.status_code == 500 and "Something went wrong" in answer.text
    received = (await client.get("/__sandbox/received")).json()
    assert [e["invoice_number"] for e in received] == ["INV-500"]
    listed = await client.get("/coupa/invoices", params={"customer": "GLOBEX", "q": "INV-500"})
    assert 'data-invoice-number="INV-500"' in listed.text


async def test_sandbox_idle_session_goes_back_to_login(client: httpx.AsyncClient) -> None:
    """After the idle time the next request, even mid-flow, is redirected to the login page."""
    await sign_in(client)
    action, token, _ = await open_form(client)
    await client.post("/__sandbox/faults", json={"session_idle_s": 0.05})
    await asyncio.sleep(0.1)
    answer = await client.post(action, data=v1_fields(token))
    assert answer.status_code == 303
    assert answer.headers["location"] == "/coupa/login?expired=1"
    login = await client.get(answer.headers["location"])
    assert "Your session has expired" in login.text
    assert (await client.get("/__sandbox/received")).json() == []


async def test_sandbox_layout_v2_renames_the_invoice_form(client: httpx.AsyncClient) -> None:
    """Layout v2 renames ids and names: v1 posts fail validation, v2 posts succeed."""
    await sign_in(client)
    await client.post("/__sandbox/faults", json={"layout": "v2"})
    action, token, form = await open_form(client)
    assert 'id="invoice-number"' not in form and 'id="invoice-submit"' not in form
    assert 'id="doc-ref" name="supplier_document_ref"' in form
    files = {"scan_upload": ("invoice.pdf", PDF, "application/pdf")}
    v1 = await client.post(action, data=v1_fields(token), files=files)
    assert v1.status_code == 422
    v2_fields = {
        "authenticity_token": token,
        "supplier_document_ref": "INV-V2",
        "issued_on": TODAY.isoformat(),
        "ccy_code": "USD",
        "item-1-desc": "Widgets",
        "item-1-qty": "1",
        "item-1-price": "10.00",
    }
    v2 = await client.post(action, data=v2_fields, files=files)
    assert v2.status_code == 200 and 'id="document-id"' in v2.text


async def test_sandbox_lifecycle_moves_an_invoice_through_its_statuses(
    client: httpx.AsyncClient,
) -> None:
    """Approved shows a projected date, Disputed a reason and comment, Paid a date and number."""
    await sign_in(client)
    await submit(client, "INV-L")
    url = "/__sandbox/coupa/invoices/INV-L/status"
    approved = await client.post(
        url, json={"buyer": "GLOBEX", "status": "approved", "projected_payment_date": "2031-01-31"}
    )
    assert approved.json()["projected_payment_date"] == "2031-01-31"
    disputed = await client.post(
        url,
        json={"buyer": "GLOBEX", "status": "disputed", "reason": "Price", "comment": "Too high"},
    )
    assert disputed.json()["status"] == "Disputed"
    listed = await client.get("/coupa/invoices", params={"customer": "GLOBEX", "q": "INV-L"})
    detail_link = re.search(r'href="(/coupa/invoices/CP-[^"]+)"', listed.text)
    assert detail_link is not None
    detail = await client.get(unescape(detail_link.group(1)))
    assert 'id="detail-status">Disputed<' in detail.text
    assert 'id="detail-dispute-reason">Price<' in detail.text
    assert 'id="detail-dispute-comment">Too high<' in detail.text
    assert (await client.post(url, json={"buyer": "GLOBEX", "status": "paid"})).status_code == 409
    await client.post(url, json={"buyer": "GLOBEX", "status": "approved"})
    paid = await client.post(
        url,
        json={
            "buyer": "GLOBEX",
            "status": "paid",
            "payment_date": "2031-02-02",
            "payment_number": "PAY-77",
        },
    )
    assert paid.json()["status"] == "Paid"
    detail = await client.get(unescape(detail_link.group(1)))
    assert 'id="detail-payment-date">2031-02-02<' in detail.text
    assert 'id="detail-payment-number">PAY-77<' in detail.text
    missing = await client.post(
        "/__sandbox/coupa/invoices/NOPE/status", json={"buyer": "GLOBEX", "status": "voided"}
    )
    assert missing.status_code == 404


async def test_coupa_portal_invoice_list_pages_by_per_page_under_the_cap(
    client: httpx.AsyncClient,
) -> None:
    """per_page sets the rows a page shows, never above the cap; the pager keeps it."""
    await sign_in(client)
    for number in ("INV-P1", "INV-P2", "INV-P3"):
        await submit(client, number, tax_amount="0.00")
    listing = {"customer": "GLOBEX", "per_page": "2"}
    first = await client.get("/coupa/invoices", params=listing)
    assert re.findall(r'data-invoice-number="([^"]+)"', first.text) == ["INV-P3", "INV-P2"]
    next_page = re.search(r'id="next-page" href="([^"]+)"', first.text)
    assert next_page is not None and "per_page=2" in unescape(next_page.group(1))
    second = await client.get(unescape(next_page.group(1)))
    assert re.findall(r'data-invoice-number="([^"]+)"', second.text) == ["INV-P1"]
    await client.post("/__sandbox/faults", json={"list_page_cap": 1})
    capped = await client.get("/coupa/invoices", params={**listing, "per_page": "100"})
    assert re.findall(r'data-invoice-number="([^"]+)"', capped.text) == ["INV-P3"]
    over = await client.post("/__sandbox/faults", json={"list_page_cap": 101})
    assert over.status_code == 400


async def test_coupa_portal_invoice_list_filters_by_status_and_shows_payment_parts(
    client: httpx.AsyncClient,
) -> None:
    """status= keeps one status; a paid row shows its date and (escaped) number in parts."""
    await sign_in(client)
    await submit(client, "INV-S1")
    await submit(client, "INV-S2")
    url = "/__sandbox/coupa/invoices/INV-S2/status"
    await client.post(url, json={"buyer": "GLOBEX", "status": "approved"})
    paid = {"status": "paid", "payment_date": "2031-02-02", "payment_number": "P<1>&2"}
    await client.post(url, json={"buyer": "GLOBEX", **paid})
    shown = await client.get("/coupa/invoices", params={"customer": "GLOBEX", "status": "paid"})
    assert re.findall(r'data-invoice-number="([^"]+)"', shown.text) == ["INV-S2"]
    assert '<span class="payment-date">2031-02-02</span>' in shown.text
    assert '<span class="payment-number">P&lt;1&gt;&amp;2</span>' in shown.text
    assert 'class="status-date">' in shown.text
    none = await client.get("/coupa/invoices", params={"customer": "GLOBEX", "status": "Voided"})
    assert 'id="invoices-empty">No invoices found with status Voided.<' in none.text


async def test_sandbox_counts_page_requests_per_family(client: httpx.AsyncClient) -> None:
    """Every page request is counted by family and path (assets aside) until a reset."""
    await sign_in(client)
    await client.get("/coupa/invoices", params={"customer": "GLOBEX"})
    await client.get("/coupa/static/portal.css")
    counts = (await client.get("/__sandbox/requests")).json()
    assert counts["coupa"]["/invoices"] == 1
    assert not any("static" in path for path in counts["coupa"])
    await client.post("/__sandbox/reset")
    assert (await client.get("/__sandbox/requests")).json() == {}


async def test_sandbox_reset_clears_received_logins_lockouts_and_faults(
    client: httpx.AsyncClient,
) -> None:
    """Reset forgets invoices, login attempts, lock-outs and fault settings."""
    await sign_in(client)
    await submit(client, "INV-R")
    for _ in range(3):
        await client.post("/coupa/login", data={"email": TOTP_USER, "password": "nope"})
    await client.post("/__sandbox/faults", json={"latency_ms": 5, "layout": "v2"})
    assert (await client.post("/__sandbox/reset")).status_code == 200
    assert (await client.get("/__sandbox/received")).json() == []
    assert (await client.get("/__sandbox/logins")).json() == []
    assert (await client.get("/__sandbox/faults")).json() == Faults().as_json()
    await sign_in(client, TOTP_USER)


async def test_sandbox_faults_endpoint_refuses_bad_values(client: httpx.AsyncClient) -> None:
    """Unknown names and out-of-range values are refused with 400 and change nothing."""
    assert (await client.post("/__sandbox/faults", json={"error_rate": 2})).status_code == 400
    assert (await client.post("/__sandbox/faults", json={"colour": "red"})).status_code == 400
    assert (await client.post("/__sandbox/faults", json={"layout": "v9"})).status_code == 400
    assert (await client.get("/__sandbox/faults")).json()["error_rate"] == 0.0


async def test_sandbox_latency_delays_every_request_including_assets(
    client: httpx.AsyncClient,
) -> None:
    """latency_ms is added to pages and static assets alike, never to the admin endpoints."""
    await client.post("/__sandbox/faults", json={"latency_ms": 80})
    started = time.perf_counter()
    asset = await client.get("/coupa/static/logo.svg")
    assert asset.status_code == 200
    assert time.perf_counter() - started >= 0.08


def test_start_sandbox_serves_on_a_free_loopback_port_and_stops() -> None:
    """start_sandbox returns once it accepts connections on 127.0.0.1 and frees the port on stop."""
    with start_sandbox(small_catalog()) as running:
        assert running.url.startswith("http://127.0.0.1:")
        assert running.portal_url("coupa") == f"{running.url}/coupa"
        answer = httpx.get(f"{running.url}/coupa/login")
        assert answer.status_code == 200 and 'id="login-form"' in answer.text
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{running.url}/coupa/login")


def test_faults_updated_validates_and_dice_replay_with_a_seed() -> None:
    """Faults refuse bad values; the same seed gives the same fault decisions."""
    with pytest.raises(FaultsInvalid):
        Faults().updated(confirm_fail_rate=-0.1)
    with pytest.raises(FaultsInvalid):
        Faults(lockout_after=0)
    first = FaultControl(Faults(seed=42))
    second = FaultControl(Faults(seed=42))
    rolls = [first.roll(0.5) for _ in range(50)]
    assert rolls == [second.roll(0.5) for _ in range(50)]
    assert any(rolls) and not all(rolls)
