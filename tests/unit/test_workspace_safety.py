"""The workspace's safety rules that need no server: escaping, headers, auth modes, evidence
paths, filters and credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import BrowserSettings, Settings, WebSettings
from jobs.actions import Role
from worker.web.auth import AuthNotAllowed, assert_auth_allowed
from worker.web.credentials import hash_password, new_api_token, token_hash, verify_password
from worker.web.evidence import evidence_path
from worker.web.filters import worklist_query
from worker.web.headers import CONTENT_SECURITY_POLICY

TEMPLATES = Path(__file__).resolve().parents[2] / "worker" / "web" / "templates"


def test_templates_never_mark_text_safe_nor_carry_scripts_or_inline_styles() -> None:
    """No template opts out of escaping, and none has a script or a style attribute (the CSP
    would block them anyway)."""
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        assert "|safe" not in text.replace(" ", ""), template.name
        assert "autoescape false" not in text, template.name
        assert "<script" not in text and "style=" not in text, template.name
        assert "onclick" not in text and "onerror" not in text, template.name


def test_content_security_policy_allows_no_script_and_no_framing() -> None:
    """default-src 'none' with only our stylesheet and images; no frame may embed us."""
    policy = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert policy["default-src"] == "'none'"
    assert "script-src" not in policy
    assert policy["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),  # loopback IPv4
        ("::1", True),  # loopback IPv6
        ("localhost", True),
        ("127.0.0.2", True),  # all of 127/8 is loopback
        ("0.0.0.0", False),  # every interface
        ("10.1.2.3", False),  # a LAN address
        ("workspace.example.com", False),
    ],
)
def test_auth_none_only_on_loopback(host: str, allowed: bool) -> None:
    """auth = none (everyone an admin) is refused on any address but loopback."""
    settings = WebSettings(auth="none", host=host)
    if allowed:
        assert_auth_allowed(settings)
    else:
        with pytest.raises(AuthNotAllowed, match="loopback"):
            assert_auth_allowed(settings)
    assert_auth_allowed(WebSettings(auth="basic", host="0.0.0.0"))


@pytest.mark.parametrize(
    ("artifact_path", "kind"),
    [
        ("../../etc", "page"),  # the row points outside: only its last component counts
        ("/etc", "screenshot"),
        ("var/artifacts/submission-1", "../../etc/passwd"),  # a kind that is a path
        ("var/artifacts/submission-1", "passwd"),  # an unknown kind
        ("var/artifacts/..", "page"),  # a folder name that is not an evidence name
        (None, "page"),
    ],
)
def test_evidence_path_never_leaves_the_artifacts_dir(
    tmp_path: Path, artifact_path: str | None, kind: str
) -> None:
    """Only <artifacts_dir>/<evidence name>/<known file> is ever served."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "page.html").write_text("secret")
    (tmp_path / "artifacts" / "submission-1").mkdir(parents=True)
    settings = Settings(browser=BrowserSettings(artifacts_dir=tmp_path / "artifacts"))
    assert evidence_path(settings, artifact_path, kind) is None


def test_evidence_path_finds_a_real_file(tmp_path: Path) -> None:
    folder = tmp_path / "artifacts" / "submission-7"
    folder.mkdir(parents=True)
    (folder / "screenshot.png").write_bytes(b"png")
    settings = Settings(browser=BrowserSettings(artifacts_dir=tmp_path / "artifacts"))
    found = evidence_path(settings, "/elsewhere/var/artifacts/submission-7", "screenshot")
    assert found == (folder / "screenshot.png").resolve()


def test_worklist_filter_ignores_what_it_does_not_know() -> None:
    """Unknown kinds, non-numbers and overlong text mean "any", never an error or SQL."""
    query = worklist_query(
        {
            "kind": "DROP TABLE",
            "min_days_late": "1 OR 1=1",
            "account": "x" * 500,
            "code": "po_closed",
        },
        my_collector_id=None,
        not_approved_after_days=14,
    )
    assert query.values["kind"] == "" and query.wanted.min_days_late is None
    assert len(query.wanted.account_number or "") == 60
    assert query.wanted.reason_code == "PO_CLOSED"
    mine = worklist_query({"collector": "me"}, my_collector_id=2101, not_approved_after_days=14)
    assert mine.wanted.collector_id == 2101
    nobody = worklist_query({"collector": "me"}, my_collector_id=None, not_approved_after_days=14)
    assert nobody.wanted.collector_id == -1  # "my worklist" of a user with no collector: empty


def test_passwords_are_argon2_and_tokens_are_hashed() -> None:
    """argon2id for passwords (too short refused); tokens are random and stored as SHA-256."""
    with pytest.raises(ValueError, match="12 characters"):
        hash_password("short")
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "wrong horse battery")
    assert not verify_password(None, "anything")
    token, digest, hint = new_api_token()
    assert token.startswith("arw_") and len(token) > 40
    assert digest == token_hash(token) and token not in digest
    assert token.startswith(hint) and len(hint) < 12
    assert new_api_token()[0] != token


def test_roles_are_ordered() -> None:
    assert Role.ADMIN.allows(Role.COLLECTOR) and Role.COLLECTOR.allows(Role.VIEWER)
    assert not Role.VIEWER.allows(Role.COLLECTOR) and not Role.COLLECTOR.allows(Role.ADMIN)
