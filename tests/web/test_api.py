"""The JSON API: each endpoint, with a token of the right role and of too small a role.

Requests go to the real ASGI app (httpx's ASGI transport) over a SQLite database holding the
sample book in every state; every action must leave its audit line, and refusals change nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.workspace_fixture import PASSWORD, WorkspaceWorld, build_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> WorkspaceWorld:
    return build_world(tmp_path_factory.mktemp("api"))


async def test_reads_need_a_valid_token(world: WorkspaceWorld) -> None:
    """No token, a made-up token or a revoked one: 401; any role may read."""
    async with world.client() as anonymous:
        answer = await anonymous.get("/api/v1/worklist")
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        forged = await anonymous.get(
            "/api/v1/worklist", headers={"Authorization": "Bearer arw_not-a-real-token"}
        )
        assert forged.status_code == 401
    async with world.client("viewer") as viewer:
        assert (await viewer.get("/api/v1/worklist")).status_code == 200


async def test_overview_and_worklist(world: WorkspaceWorld) -> None:
    """The overview counts the queue; the worklist shows the portal's reason and filters."""
    async with world.client("viewer") as client:
        overview = (await client.get("/api/v1/overview")).json()
        assert overview["action_needed"] == 3
        assert {c["portal_code"] for c in overview["queue"]} == {"coupa"}
        listing = (await client.get("/api/v1/worklist", params={"kind": "REJECTED"})).json()
        assert listing["total"] == 1
        (item,) = listing["items"]
        assert (item["trx_number"], item["reason_code"]) == ("INV-101", "PO_CLOSED")
        assert item["reason_text"] == "Purchase order PO-9 is closed"
        bad = await client.get("/api/v1/worklist", params={"kind": "NOPE"})
        assert bad.status_code == 422


async def test_submissions_list_filters_by_status_customer_portal(world: WorkspaceWorld) -> None:
    """Plain listing by status (repeatable), account and portal."""
    async with world.client("viewer") as client:
        pending = (await client.get("/api/v1/submissions", params={"status": "PENDING"})).json()
        assert pending["total"] == 0
        both = (
            await client.get(
                "/api/v1/submissions", params=[("status", "SUBMITTED"), ("status", "FAILED")]
            )
        ).json()
        assert {i["status"] for i in both["items"]} == {"SUBMITTED", "FAILED"}
        acme = (await client.get("/api/v1/submissions", params={"account": "1001"})).json()
        assert {i["account_number"] for i in acme["items"]} == {"1001"} and acme["total"] == 3
        none = (await client.get("/api/v1/submissions", params={"portal": "ariba"})).json()
        assert none["total"] == 0


async def test_one_submission_with_events_and_notes(world: WorkspaceWorld) -> None:
    """One submission carries its EBS facts and its event history; no server path leaks."""
    sid = world.ids["INV-202"]
    async with world.client("viewer") as client:
        data = (await client.get(f"/api/v1/submissions/{sid}")).json()
        assert data["portal_status"] == "DISPUTED"
        assert [e["event_type"] for e in data["events"]][:2] == ["ENQUEUED", "CLAIMED"]
        assert data["facts"]["amount_due_remaining"] is not None
        assert "artifact_path" not in data
        assert (await client.get("/api/v1/submissions/999999")).status_code == 404


async def test_actions_need_the_collector_role(world: WorkspaceWorld) -> None:
    """A viewer's token may not resync, retry, submit now or mark submitted (403, no row)."""
    sid = world.ids["INV-101"]
    before = len(world.store.audit_entries(limit=1000))
    async with world.client("viewer") as viewer:
        for path, body in (
            ("/api/v1/accounts/1001/resync", {}),
            (f"/api/v1/submissions/{sid}/retry", {}),
            (f"/api/v1/submissions/{sid}/submit-now", {}),
            (
                f"/api/v1/submissions/{sid}/mark-submitted",
                {"portal_reference": "X", "reason": "y"},
            ),
            ("/api/v1/portal-accounts/1/test-login", {}),
        ):
            answer = await viewer.post(path, json=body)
            assert answer.status_code == 403, path
            assert "viewer" in answer.json()["detail"]
    assert len(world.store.audit_entries(limit=1000)) == before
    assert world.store.resync_requests() == []


async def test_collector_actions_queue_requests_and_audit(world: WorkspaceWorld) -> None:
    """Resync, retry and test-login queue rows (202); submit-now of a non-queued item is 409."""
    sid = world.ids["INV-102"]
    async with world.client("collector") as client:
        resync = await client.post("/api/v1/accounts/1001/resync", json={"reason": "PO fixed"})
        assert resync.status_code == 202
        retry = await client.post(f"/api/v1/submissions/{sid}/retry", json={"reason": "again"})
        assert retry.status_code == 202
        (request_id,) = retry.json()["request_ids"]
        login = await client.post("/api/v1/portal-accounts/1/test-login")
        assert login.status_code == 202
        wrong_state = await client.post(f"/api/v1/submissions/{sid}/submit-now")
        assert wrong_state.status_code == 409
        requests = (
            await client.get("/api/v1/action-requests", params={"submission_id": sid})
        ).json()
        assert [r["request_id"] for r in requests] == [request_id]
        assert requests[0]["status"] == "PENDING"
        unknown = await client.post("/api/v1/accounts/0000/resync")
        assert unknown.status_code == 404
    (resync_row,) = world.store.resync_requests()
    assert (resync_row["account_number"], resync_row["requested_by"]) == ("1001", "collector")
    trail = world.store.audit_entries(limit=10)
    assert {a.entry.action_code for a in trail} >= {"RESYNC", "RETRY", "TEST_LOGIN"}
    assert all(a.entry.channel == "API" for a in trail if a.entry.actor == "collector")


async def test_mark_submitted_through_the_api(world: WorkspaceWorld) -> None:
    """A collector marks an invoice submitted with a reference and reason; a missing reason is
    refused by the schema."""
    sid = world.ids["INV-201"]
    async with world.client("collector") as client:
        missing = await client.post(
            f"/api/v1/submissions/{sid}/mark-submitted", json={"portal_reference": "X"}
        )
        assert missing.status_code == 422
        refused = await client.post(
            f"/api/v1/submissions/{sid}/mark-submitted",
            json={"portal_reference": "CP-9", "reason": "keyed by hand"},
        )
        assert refused.status_code == 409  # already submitted: nothing to mark
        sid = world.ids["INV-202"]
        done = await client.post(
            f"/api/v1/submissions/{sid}/mark-submitted",
            json={"portal_reference": "CP-202-B", "reason": "resubmitted by hand after dispute"},
        )
        assert done.status_code == 200 and done.json()["status"] == "SUBMITTED"


async def test_portal_accounts_need_the_admin_role(world: WorkspaceWorld) -> None:
    """Anyone lists; only an admin enrols, edits, disables; secrets are only ever names."""
    body = {
        "account_number": "1002",
        "portal_code": "upload",
        "portal_url": "https://globex.portal.example",
        "login_name": "ar@supplier.example",
        "secret_ref": "GLOBEX_UPLOAD_PASSWORD",
    }
    async with world.client("collector") as collector:
        assert (await collector.post("/api/v1/portal-accounts", json=body)).status_code == 403
        listed = (await collector.get("/api/v1/portal-accounts", params={"account": "1001"})).json()
        assert listed and all("password" not in key for key in listed[0])
    async with world.client("admin") as admin:
        created = await admin.post("/api/v1/portal-accounts", json=body)
        assert created.status_code == 201
        new_id = created.json()["portal_account_id"]
        again = await admin.post("/api/v1/portal-accounts", json=body)
        assert again.status_code == 409
        bad_url = await admin.post(
            "/api/v1/portal-accounts",
            json=body | {"account_number": "1001", "portal_url": "ftp://x"},
        )
        assert bad_url.status_code == 409 and "portal URL" in bad_url.json()["detail"]
        edit = {k: v for k, v in body.items() if k != "account_number"}
        edited = await admin.put(
            f"/api/v1/portal-accounts/{new_id}", json=edit | {"buyer_name": "Globex AP"}
        )
        assert edited.status_code == 200
        no_reason = await admin.post(f"/api/v1/portal-accounts/{new_id}/disable", json={})
        assert no_reason.status_code == 409
        off = await admin.post(
            f"/api/v1/portal-accounts/{new_id}/disable", json={"reason": "customer left portal"}
        )
        assert off.status_code == 200
        on = await admin.post(f"/api/v1/portal-accounts/{new_id}/enable")
        assert on.status_code == 200
    record = world.store.portal_account(new_id)
    assert record is not None and record.buyer_name == "Globex AP" and record.enabled


async def test_session_callers_need_the_csrf_header(world: WorkspaceWorld) -> None:
    """A browser session may call the API, but an unsafe call without X-CSRF-Token is 403."""
    async with world.client() as browser:
        page = await browser.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        signed_in = await browser.post(
            "/login",
            data={"user_name": "collector", "password": PASSWORD, "csrf_token": token},
        )
        assert signed_in.status_code == 303
        assert (await browser.get("/api/v1/overview")).status_code == 200
        home = await browser.get("/")
        csrf = home.text.split('name="csrf_token" value="')[1].split('"')[0]
        refused = await browser.post("/api/v1/accounts/1002/resync", json={})
        assert refused.status_code == 403
        accepted = await browser.post(
            "/api/v1/accounts/1002/resync", json={}, headers={"X-CSRF-Token": csrf}
        )
        assert accepted.status_code == 202


async def test_openapi_document_describes_the_api(world: WorkspaceWorld) -> None:
    """/api/openapi.json lists every /api/v1 endpoint and no page route."""
    async with world.client() as client:
        spec = (await client.get("/api/openapi.json")).json()
    paths = set(spec["paths"])
    assert {
        "/api/v1/submissions",
        "/api/v1/submissions/{submission_id}",
        "/api/v1/worklist",
        "/api/v1/accounts/{account_number}/resync",
        "/api/v1/submissions/{submission_id}/retry",
        "/api/v1/portal-accounts",
    } <= paths
    assert all(p.startswith("/api/v1/") for p in paths)


def test_fixture_writes_no_secret_in_clear(world: WorkspaceWorld, tmp_path: Path) -> None:
    """Passwords are argon2 hashes and tokens SHA-256 hashes in the database."""
    users = world.store.web_users()
    assert all(u.password_hash and u.password_hash.startswith("$argon2id$") for u in users)
    stored = {t.token_hint for t in world.store.api_tokens()}
    assert not any(token in stored for token in world.tokens.values())


async def test_resuming_a_pause_needs_the_admin_role_and_a_reason(world: WorkspaceWorld) -> None:
    """A collector may not resume (403); an admin without a reason, or of a pause not in force,
    is refused (409)."""
    async with world.client("collector") as collector:
        answer = await collector.post("/api/v1/pauses/1/resume", json={"reason": "fixed"})
        assert answer.status_code == 403
        assert (await collector.get("/api/v1/pauses")).status_code == 200
    async with world.client("admin") as admin:
        no_reason = await admin.post("/api/v1/pauses/1/resume", json={})
        assert no_reason.status_code == 409 and "reason" in no_reason.json()["detail"]
        unknown = await admin.post("/api/v1/pauses/999999/resume", json={"reason": "fixed"})
        assert unknown.status_code == 409
    assert not [
        a for a in world.store.audit_entries(limit=1000) if a.entry.action_code == "RESUME_PAUSE"
    ]
