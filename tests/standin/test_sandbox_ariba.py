"""The Ariba-style stand-in portal and its admin endpoints, over HTTP without a browser."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator
from html import unescape

import httpx
import pytest

from sandbox.ariba_records import AribaRecords, HeaderEntry
from sandbox.catalog import Catalog
from sandbox.ledger import Ledger
from sandbox.server import create_app
from tests.support.books.ariba import STANDIN_OTHER_USER as OTHER_USER
from tests.support.books.ariba import STANDIN_PASSWORD as PASSWORD
from tests.support.books.ariba import STANDIN_USER as USER
from tests.support.books.ariba import standin_catalog as ariba_catalog

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = dt.date.today()


def us_date(day: dt.date) -> str:
    """A date as the wizard reads it (MM/DD/YYYY)."""
    return day.strftime("%m/%d/%Y")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """A client of a fresh sandbox app, in-process; redirects are not followed."""
    transport = httpx.ASGITransport(app=create_app(ariba_catalog()))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
        yield http


async def sign_in(http: httpx.AsyncClient, login: str = USER) -> None:
    answer = await http.post("/ariba/login", data={"UserName": login, "Password": PASSWORD})
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/ariba/dashboard"


def token_of(page: str) -> str:
    match = re.search(r'name="_csrf" value="([^"]+)"', page)
    assert match is not None, "no anti-forgery token on the page"
    return match.group(1)


async def start_wizard(
    http: httpx.AsyncClient, po_number: str = "PO-A1", buyer: str = "GLOBEX"
) -> str:
    """Search the order, click Create Invoice; the wizard's base path ``/ariba/wizard/{id}``."""
    orders = await http.get("/ariba/orders", params={"buyer": buyer, "q": po_number})
    action = re.search(
        rf'data-order-no="{po_number}".*?<form class="aw-create-invoice" method="post" '
        r'action="([^"]+)"',
        orders.text,
        re.S,
    )
    assert action is not None, f"no Create Invoice for {po_number}"
    created = await http.post(unescape(action.group(1)), data={"_csrf": token_of(orders.text)})
    assert created.status_code == 303
    workbench = await http.get(created.headers["location"])
    frame = re.search(r'<iframe id="aw-wizard-frame"[^>]*src="([^"]+)"', workbench.text)
    assert frame is not None
    return unescape(frame.group(1)).removesuffix("/header")


async def post_step(
    http: httpx.AsyncClient,
    wizard: str,
    step: str,
    data: dict[str, str],
    *,
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> tuple[int, str]:
    """Open the step (fresh token), post it; (status, where it went or the page)."""
    page = await http.get(f"{wizard}/{step}")
    assert page.status_code == 200, page.text
    answer = await http.post(
        f"{wizard}/{step}", data={"_csrf": token_of(page.text), **data}, files=files
    )
    if answer.status_code == 303:
        return 303, answer.headers["location"]
    return answer.status_code, answer.text


def header(number: str = "INV-1", day: dt.date = TODAY, tax: str = "5.00") -> dict[str, str]:
    return {
        "invoiceNumber": number,
        "invoiceDate": us_date(day),
        "taxAmount": tax,
        "_action": "next",
    }


def one_line(quantity: str = "2", price: str = "50.00") -> dict[str, str]:
    """The PO flip's first line only (2 x 50.00), the second unticked."""
    return {
        "line.1.include": "on",
        "line.1.description": "Widgets",
        "line.1.quantity": quantity,
        "line.1.unitPrice": price,
        "line.2.description": "Freight",
        "line.2.quantity": "1",
        "line.2.unitPrice": "25.00",
        "_action": "next",
    }


async def attach(
    http: httpx.AsyncClient, wizard: str, name: str = "invoice.pdf", data: bytes = PDF
) -> tuple[int, str]:
    files = {"attachment": (name, data, "application/octet-stream")}
    return await post_step(http, wizard, "attachments", {"_action": "upload"}, files=files)


async def walk_to_review(http: httpx.AsyncClient, number: str, **kwargs: str) -> str:
    """Start a PO-A1 invoice and pass header, lines and attachments; the wizard's path."""
    wizard = await start_wizard(http)
    assert await post_step(http, wizard, "header", header(number)) == (303, f"{wizard}/lines")
    assert await post_step(http, wizard, "lines", one_line(**kwargs)) == (
        303,
        f"{wizard}/attachments",
    )
    assert await attach(http, wizard) == (303, f"{wizard}/attachments")
    assert await post_step(http, wizard, "attachments", {"_action": "next"}) == (
        303,
        f"{wizard}/review",
    )
    return wizard


async def submit(http: httpx.AsyncClient, number: str) -> tuple[int, str]:
    wizard = await walk_to_review(http, number)
    return await post_step(http, wizard, "review", {"_action": "submit"})


def errors_of(page: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'<li class="aw-error"[^>]*>([^<]+)</li>', page)]


async def received(http: httpx.AsyncClient) -> list[dict[str, str]]:
    answer: list[dict[str, str]] = (await http.get("/__sandbox/received")).json()
    return answer


# --- sign-in --------------------------------------------------------------------------------


async def test_ariba_portal_signs_in_with_a_password_alone(client: httpx.AsyncClient) -> None:
    """User name and password reach the dashboard; one successful attempt is logged."""
    await sign_in(client)
    home = await client.get("/ariba/dashboard")
    assert f'id="aw-user-menu" data-user="{USER}"' in home.text
    logins = (await client.get("/__sandbox/logins")).json()
    assert [(e["portal"], e["login_name"], e["ok"]) for e in logins] == [("ariba", USER, True)]


async def test_ariba_portal_locks_the_user_after_three_failures(client: httpx.AsyncClient) -> None:
    """Three wrong passwords lock the user; the right one is then refused and logged "locked"."""
    for attempt in range(3):
        answer = await client.post("/ariba/login", data={"UserName": USER, "Password": "nope"})
        assert answer.status_code == 200 and 'id="aw-login-error"' in answer.text
        if attempt < 2:
            assert "user name or password you entered is incorrect" in answer.text
    assert "Your account is locked" in answer.text
    answer = await client.post("/ariba/login", data={"UserName": USER, "Password": PASSWORD})
    assert "Your account is locked" in answer.text
    reasons = [(e["ok"], e["reason"]) for e in (await client.get("/__sandbox/logins")).json()]
    assert reasons == [(False, "bad_password")] * 3 + [(False, "locked")]


async def test_ariba_portal_knows_only_its_own_users(client: httpx.AsyncClient) -> None:
    """A login of another portal family is an unknown user here."""
    answer = await client.post(
        "/ariba/login", data={"UserName": "coupa-only@supplier.test", "Password": PASSWORD}
    )
    assert answer.status_code == 200 and 'id="aw-login-error"' in answer.text
    assert [e["reason"] for e in (await client.get("/__sandbox/logins")).json()] == ["unknown_user"]


async def test_ariba_portal_idle_session_sends_a_wizard_step_to_login(
    client: httpx.AsyncClient,
) -> None:
    """After the idle time a wizard post is redirected to the login page and stores nothing."""
    await sign_in(client)
    wizard = await start_wizard(client)
    page = await client.get(f"{wizard}/header")
    await client.post("/__sandbox/faults", json={"session_idle_s": 0.05})
    await asyncio.sleep(0.1)
    answer = await client.post(f"{wizard}/header", data={"_csrf": token_of(page.text), **header()})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ariba/login?expired=1"
    assert "Your session has timed out" in (await client.get(answer.headers["location"])).text


# --- the wizard -----------------------------------------------------------------------------


async def test_ariba_portal_refuses_a_stale_or_missing_token(client: httpx.AsyncClient) -> None:
    """Each step page gets a fresh token: an earlier page's, a spent one and none are refused."""
    await sign_in(client)
    wizard = await start_wizard(client)
    stale = token_of((await client.get(f"{wizard}/header")).text)
    fresh = token_of((await client.get(f"{wizard}/header")).text)
    refused = await client.post(f"{wizard}/header", data={"_csrf": stale, **header()})
    assert refused.status_code == 403 and 'id="aw-csrf-error"' in refused.text
    missing = await client.post(f"{wizard}/header", data=header())
    assert missing.status_code == 403
    token_of((await client.get(f"{wizard}/header")).text)  # a newer page: ``fresh`` goes stale too
    assert (
        await client.post(f"{wizard}/header", data={"_csrf": fresh, **header()})
    ).status_code == 403
    page = await client.get(f"{wizard}/header")
    once = {"_csrf": token_of(page.text), **header()}
    assert (await client.post(f"{wizard}/header", data=once)).status_code == 303
    replayed = await client.post(f"{wizard}/header", data=once)
    assert replayed.status_code == 403  # a token is spent by the post that carried it


async def test_ariba_portal_create_invoice_needs_the_session_token(
    client: httpx.AsyncClient,
) -> None:
    """Starting a PO flip without the page's token is refused; no draft is created."""
    await sign_in(client)
    orders = await client.get("/ariba/orders", params={"buyer": "GLOBEX", "q": "PO-A1"})
    order_id = re.search(r'data-order-no="PO-A1" data-order-id="(\d+)"', orders.text)
    assert order_id is not None
    answer = await client.post(
        f"/ariba/orders/{order_id.group(1)}/invoice", data={"_csrf": "forged"}
    )
    assert answer.status_code == 403


async def test_ariba_portal_po_flip_prefills_the_order_lines(client: httpx.AsyncClient) -> None:
    """The lines step starts with every PO line ticked, with its quantity and unit price."""
    await sign_in(client)
    wizard = await start_wizard(client)
    assert await post_step(client, wizard, "header", header()) == (303, f"{wizard}/lines")
    lines = (await client.get(f"{wizard}/lines")).text
    assert 'id="aw-hdr-customer" data-buyer-code="GLOBEX">Globex Corporation<' in lines
    assert len(re.findall(r'class="aw-line-include"[^>]*checked', lines)) == 2
    assert 'name="line.1.description" value="Widgets"' in lines
    assert 'name="line.1.quantity" value="10"' in lines
    assert 'name="line.2.unitPrice" value="25.00"' in lines


async def test_ariba_portal_steps_go_in_order(client: httpx.AsyncClient) -> None:
    """A later step opened before the earlier ones are passed sends the user back."""
    await sign_in(client)
    wizard = await start_wizard(client)
    answer = await client.get(f"{wizard}/review")
    assert answer.status_code == 303 and answer.headers["location"] == f"{wizard}/header"


async def test_ariba_portal_add_line_keeps_what_was_typed(client: httpx.AsyncClient) -> None:
    """Add Line posts the lines, keeps them and appends a blank ticked row."""
    await sign_in(client)
    wizard = await start_wizard(client)
    await post_step(client, wizard, "header", header())
    added = await post_step(
        client, wizard, "lines", {**one_line(quantity="3"), "_action": "add_line"}
    )
    assert added == (303, f"{wizard}/lines")
    lines = (await client.get(f"{wizard}/lines")).text
    assert len(re.findall(r'<tr class="aw-line"', lines)) == 3
    assert 'name="line.1.quantity" value="3"' in lines
    assert 'name="line.3.quantity" value="1"' in lines


async def test_ariba_portal_accepts_an_invoice_and_records_it(client: httpx.AsyncClient) -> None:
    """The full wizard ends on a confirmation with a network id, listed once as received."""
    await sign_in(client)
    status, location = await submit(client, "INV-1")
    assert status == 303 and location.endswith("/done")
    done = (await client.get(location)).text
    document = re.search(r'id="aw-done-docid">(AN\d+)<', done)
    assert document is not None
    assert [{k: v for k, v in e.items() if k != "received_at"} for e in await received(client)] == [
        {
            "portal": "ariba",
            "buyer": "GLOBEX",
            "buyer_name": "Globex Corporation",
            "invoice_number": "INV-1",
            "amount": "105.00",
            "currency": "USD",
            "portal_reference": document.group(1),
        }
    ]
    outbox = (await client.get("/ariba/outbox", params={"buyer": "GLOBEX", "q": "INV-1"})).text
    assert f'data-invoice-no="INV-1" data-doc-id="{document.group(1)}"' in outbox
    assert re.search(r'class="aw-inv-routing"><span[^>]*>Queued<', outbox)
    assert re.search(r'class="aw-inv-status"><span[^>]*>Sent<', outbox)


async def test_ariba_portal_rejects_a_duplicate_number(client: httpx.AsyncClient) -> None:
    """The same number twice for one customer is refused at submit with INVOICE_DUPLICATE."""
    await sign_in(client)
    assert (await submit(client, "INV-7"))[0] == 303
    status, page = await submit(client, "inv-7")
    assert status == 422
    assert any(
        m.startswith("INVOICE_DUPLICATE") and "same ID already received" in m
        for m in errors_of(page)
    )
    assert len(await received(client)) == 1


@pytest.mark.parametrize(
    ("max_backdate_days", "age_days", "expected"),
    [
        # the default rule lets the demo's oldest invoices (~240 days) through
        (None, 240, None),
        # a strict customer: 2 days at most
        (2, 5, "cannot be more than 2 days before today"),
        # never in the future, whatever the rule
        (None, -1, "cannot be later than today"),
    ],
)
async def test_ariba_portal_applies_the_invoice_date_rule(
    client: httpx.AsyncClient, max_backdate_days: int | None, age_days: int, expected: str | None
) -> None:
    """The header step refuses a date in the future or back-dated beyond the customer's rule."""
    if max_backdate_days is not None:
        rules = await client.post(
            "/__sandbox/ariba/buyers/GLOBEX/rules", json={"max_backdate_days": max_backdate_days}
        )
        assert rules.status_code == 200
    await sign_in(client)
    wizard = await start_wizard(client)
    day = TODAY - dt.timedelta(days=age_days)
    status, page = await post_step(client, wizard, "header", header(day=day))
    if expected is None:
        assert status == 303
    else:
        assert status == 422
        assert any(expected in m for m in errors_of(page)), page


@pytest.mark.parametrize(
    ("step", "data", "file", "expected"),
    [
        # 3 x 50.00 = 150.00 on PO-A3 with 100.00 left
        ("lines", one_line(quantity="3"), None, "exceeds the amount remaining"),
        # only documents and images
        ("attachments", {}, ("invoice.docx", PDF), "The file type .docx is not accepted"),
        # a "PDF" that is not one
        ("attachments", {}, ("invoice.pdf", b"hello"), "is not a valid PDF document"),
        # over 10 MB
        (
            "attachments",
            {},
            ("invoice.pdf", PDF + b"0" * (10 * 1024 * 1024)),
            "exceeds the attachment size limit of 10 MB",
        ),
        # Next without any attachment
        ("attachments", {"_action": "next"}, None, "requires the invoice document"),
    ],
    ids=["balance", "type", "content", "size", "required"],
)
async def test_ariba_portal_refuses_lines_and_attachments_against_the_rules(
    client: httpx.AsyncClient,
    step: str,
    data: dict[str, str],
    file: tuple[str, bytes] | None,
    expected: str,
) -> None:
    """Each refusal stays on its step with the portal's message and stores nothing."""
    await sign_in(client)
    wizard = await start_wizard(client, "PO-A3")
    await post_step(client, wizard, "header", header())
    if step == "attachments":
        await post_step(client, wizard, "lines", one_line(quantity="1"))
    files = {"attachment": (file[0], file[1], "application/pdf")} if file else None
    status, page = await post_step(client, wizard, step, {"_action": "upload", **data}, files=files)
    assert status == 422
    assert any(expected in m for m in errors_of(page)), page
    assert await received(client) == []


async def test_ariba_portal_closed_order_cannot_be_invoiced(client: httpx.AsyncClient) -> None:
    """A closed order has no Create Invoice; its page says why and a forced flip is refused."""
    await sign_in(client)
    orders = (await client.get("/ariba/orders", params={"buyer": "GLOBEX", "q": "PO-A2"})).text
    row = re.search(r'data-order-no="PO-A2" data-order-id="(\d+)".*?</tr>', orders, re.S)
    assert row is not None and "aw-create-invoice" not in row.group(0)
    detail = (await client.get(f"/ariba/orders/{row.group(1)}")).text
    everything = (await client.get("/ariba/orders", params={"buyer": "GLOBEX"})).text
    assert 'id="aw-order-closed"' in detail and "This order is closed" in detail
    forced = await client.post(
        f"/ariba/orders/{row.group(1)}/invoice", data={"_csrf": token_of(everything)}
    )
    assert forced.status_code == 409


async def test_ariba_portal_customer_filter_remembers_the_last_choice(
    client: httpx.AsyncClient,
) -> None:
    """Orders without a customer in the URL show the last customer chosen; "" shows all."""
    await sign_in(client)
    await client.get("/ariba/orders", params={"buyer": "INITECH"})
    remembered = (await client.get("/ariba/orders")).text
    assert 'data-order-no="PO-I1"' in remembered and 'data-order-no="PO-A1"' not in remembered
    assert 'id="aw-nonpo-invoice" disabled' in remembered
    everything = (await client.get("/ariba/orders", params={"buyer": ""})).text
    assert 'data-order-no="PO-I1"' in everything and 'data-order-no="PO-A1"' in everything


# --- the admin endpoints --------------------------------------------------------------------


async def test_ariba_admin_moves_an_invoice_along_both_tracks(client: httpx.AsyncClient) -> None:
    """Approved acknowledges routing with a scheduled date; Paid adds date and remittance."""
    await sign_in(client)
    await submit(client, "INV-L")
    url = "/__sandbox/ariba/invoices/INV-L/status"
    approved = (
        await client.post(
            url,
            json={"buyer": "GLOBEX", "status": "approved", "projected_payment_date": "2031-01-31"},
        )
    ).json()
    assert (approved["routing"], approved["status"]) == ("Acknowledged", "Approved")
    assert approved["projected_payment_date"] == "2031-01-31"
    paid = (
        await client.post(
            url,
            json={
                "buyer": "GLOBEX",
                "status": "Paid",
                "payment_date": "2031-02-02",
                "payment_reference": "RA-77",
            },
        )
    ).json()
    assert (paid["status"], paid["payment_date"], paid["payment_reference"]) == (
        "Paid",
        "2031-02-02",
        "RA-77",
    )
    listed = (await client.get("/ariba/outbox", params={"buyer": "GLOBEX"})).text
    link = re.search(r'class="aw-inv-no"><a href="([^"]+)"', listed)
    assert link is not None
    detail = (await client.get(unescape(link.group(1)))).text
    assert 'id="aw-det-status">Paid<' in detail
    assert 'id="aw-det-payment-date">2 Feb 2031<' in detail
    assert 'id="aw-det-payment-ref">RA-77<' in detail
    assert (
        await client.post(url, json={"buyer": "GLOBEX", "status": "rejected"})
    ).status_code == 409


async def test_ariba_portal_outbox_pages_by_per_page_and_filters_by_status(
    client: httpx.AsyncClient,
) -> None:
    """per_page sets the rows an outbox page shows (never above the cap), the pager keeps it
    and the status view; rows show the status date and payment columns, escaped."""
    await sign_in(client)
    for number in ("INV-P1", "INV-P2", "INV-P3"):
        await submit(client, number)
    listing = {"buyer": "GLOBEX", "per_page": "2"}
    first = (await client.get("/ariba/outbox", params=listing)).text
    assert re.findall(r'data-invoice-no="([^"]+)"', first) == ["INV-P3", "INV-P2"]
    next_page = re.search(r'id="aw-page-next" href="([^"]+)"', first)
    assert next_page is not None and "per_page=2" in unescape(next_page.group(1))
    second = (await client.get(unescape(next_page.group(1)))).text
    assert re.findall(r'data-invoice-no="([^"]+)"', second) == ["INV-P1"]
    await client.post("/__sandbox/faults", json={"list_page_cap": 1})
    capped = (await client.get("/ariba/outbox", params={**listing, "per_page": "100"})).text
    assert re.findall(r'data-invoice-no="([^"]+)"', capped) == ["INV-P3"]
    await client.post("/__sandbox/faults", json={"list_page_cap": 100})
    url = "/__sandbox/ariba/invoices/INV-P2/status"
    await client.post(url, json={"buyer": "GLOBEX", "status": "approved"})
    paid = {"status": "paid", "payment_date": "2031-02-02", "payment_reference": "R<1>&2"}
    await client.post(url, json={"buyer": "GLOBEX", **paid})
    view = (await client.get("/ariba/outbox", params={"buyer": "GLOBEX", "status": "paid"})).text
    assert re.findall(r'data-invoice-no="([^"]+)"', view) == ["INV-P2"]
    assert 'class="aw-inv-payment-date">2 Feb 2031<' in view
    assert 'class="aw-inv-payment-ref">R&lt;1&gt;&amp;2<' in view
    assert re.search(r'class="aw-inv-scheduled-payment">\d+ \w{3} \d{4}<', view)
    none = await client.get("/ariba/outbox", params={"buyer": "GLOBEX", "status": "Rejected"})
    assert 'id="aw-outbox-none" class="aw-card">No invoices found with status Rejected.<' in (
        none.text
    )


async def test_ariba_admin_rejection_and_failed_routing_carry_a_reason(
    client: httpx.AsyncClient,
) -> None:
    """Rejected keeps the number taken; routing Failed frees it for a corrected resubmission."""
    await sign_in(client)
    await submit(client, "INV-R")
    rejected = (
        await client.post(
            "/__sandbox/ariba/invoices/INV-R/status",
            json={"buyer": "GLOBEX", "status": "rejected", "reason": "Incorrect amount"},
        )
    ).json()
    assert (rejected["status"], rejected["reason"]) == ("Rejected", "Incorrect amount")
    assert (await submit(client, "INV-R"))[0] == 422  # a rejected invoice needs a new number
    await submit(client, "INV-F")
    failed = (
        await client.post(
            "/__sandbox/ariba/invoices/INV-F/status",
            json={"buyer": "GLOBEX", "routing": "failed", "reason": "Tax missing"},
        )
    ).json()
    assert (failed["routing"], failed["reason"]) == ("Failed", "Tax missing")
    assert (await submit(client, "INV-F"))[0] == 303  # Failed is resubmittable with the same number
    again = await client.post(
        "/__sandbox/ariba/invoices/INV-F/status", json={"buyer": "GLOBEX", "status": "approved"}
    )
    assert again.status_code == 200 and again.json()["routing"] == "Acknowledged"


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        # no such invoice
        ("/__sandbox/ariba/invoices/NOPE/status", {"buyer": "GLOBEX", "status": "paid"}, 404),
        # a status the network does not have
        ("/__sandbox/ariba/invoices/NOPE/status", {"buyer": "GLOBEX", "status": "lost"}, 400),
        # neither track named
        ("/__sandbox/ariba/invoices/NOPE/status", {"buyer": "GLOBEX"}, 400),
        # the rule of an unknown customer
        ("/__sandbox/ariba/buyers/NOBODY/rules", {"max_backdate_days": 2}, 404),
        # a negative limit
        ("/__sandbox/ariba/buyers/GLOBEX/rules", {"max_backdate_days": -1}, 400),
    ],
)
async def test_ariba_admin_refuses_bad_requests(
    client: httpx.AsyncClient, path: str, body: dict[str, object], status: int
) -> None:
    """Unknown invoices and customers are 404, malformed bodies 400."""
    assert (await client.post(path, json=body)).status_code == status


async def test_sandbox_reset_clears_ariba_invoices_lockouts_and_rules(
    client: httpx.AsyncClient,
) -> None:
    """Reset forgets Ariba invoices, lock-outs and rule changes along with the shared lists."""
    await client.post("/__sandbox/ariba/buyers/GLOBEX/rules", json={"max_backdate_days": 0})
    await sign_in(client)
    await submit(client, "INV-Z")
    for _ in range(3):
        await client.post("/ariba/login", data={"UserName": OTHER_USER, "Password": "nope"})
    assert (await client.post("/__sandbox/reset")).status_code == 200
    assert await received(client) == []
    await sign_in(client, OTHER_USER)
    wizard = await start_wizard(client)
    yesterday = TODAY - dt.timedelta(days=1)
    assert (await post_step(client, wizard, "header", header("INV-Z", day=yesterday)))[0] == 303


def test_ariba_records_read_the_backdating_rule_from_the_catalog() -> None:
    """``extra`` sets the default limit and one customer's own; others keep the default."""
    catalog = ariba_catalog()
    strict = Catalog(
        users=catalog.users,
        buyers=catalog.buyers,
        purchase_orders=catalog.purchase_orders,
        extra={"ariba_max_backdate_days": "30", "ariba_max_backdate_days:GLOBEX": "2"},
    )
    records = AribaRecords(strict, Ledger())
    ten_days_ago = HeaderEntry(number="INV-1", invoice_date=us_date(TODAY - dt.timedelta(days=10)))
    assert [e.code for e in records.check_header("GLOBEX", ten_days_ago, TODAY)] == [
        "INVOICE_DATE_BACKDATED"
    ]
    assert records.check_header("INITECH", ten_days_ago, TODAY) == []
    assert records.max_backdate_days("INITECH") == 30
