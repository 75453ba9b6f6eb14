"""Where a navigation landed means the same for every driver: one pure classification, one table.

Each row is a page a portal can show after a click or a load, described by the landmarks it has
(as each driver names them: Coupa and Ariba in Python, the upload portal in its recipe) and the
words the stand-ins really use; every driver must read it the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from connectors.portals import ariba, coupa
from connectors.portals.errors import (
    LoginFailed,
    PortalChanged,
    PortalError,
    PortalUnavailable,
    SessionExpired,
)
from connectors.portals.portal_page import (
    Expected,
    Landmarks,
    LoginStage,
    PageSigns,
    classify_landing,
)
from connectors.portals.recipe.files import installed_recipes_dir, load_recipe
from connectors.portals.recipe.page import recipe_landmarks
from sandbox import (
    ariba_pages,
    ariba_portal,
    coupa_pages,
    coupa_portal,
    upload_pages,
    upload_portal,
)

STEP = "find invoice INV-1"
SIGNED_IN = Expected(selector="#signed-in", what="signed-in marker")


@dataclass(frozen=True)
class Portal:
    """A driver's landmarks and the words its stand-in shows."""

    name: str
    landmarks: Landmarks
    busy: str
    expired: str
    sign_in: str


PORTALS = [
    Portal(
        "coupa",
        coupa.LANDMARKS,
        coupa_pages.BUSY_MESSAGE,
        coupa_portal.MESSAGE_SESSION_EXPIRED,
        coupa_portal.MESSAGE_SIGN_IN,
    ),
    Portal(
        "ariba",
        ariba.LANDMARKS,
        ariba_pages.BUSY_MESSAGE,
        ariba_portal.MESSAGE_SESSION_EXPIRED,
        ariba_portal.MESSAGE_SIGN_IN,
    ),
    Portal(
        "recipe (upload)",
        recipe_landmarks(load_recipe(installed_recipes_dir() / "upload.toml").recipe),
        upload_pages.BUSY_MESSAGE,
        upload_portal.MESSAGE_SESSION_EXPIRED,
        upload_portal.MESSAGE_SIGN_IN,
    ),
]


@dataclass(frozen=True)
class Row:
    """A landing: its HTTP status and which landmarks the page shows (name → text)."""

    status: int
    shown: dict[str, str] = field(default_factory=dict)
    stage: LoginStage = LoginStage.NONE
    expected_present: bool | None = None
    after_submit: bool = False


def signs(portal: Portal, row: Row) -> PageSigns:
    """What the driver's landing script reads from such a page: only its own landmarks count."""
    marks = portal.landmarks.selectors
    for name in row.shown:
        assert marks[name] is not None, f"{portal.name} cannot recognise a page's {name}"
    return PageSigns(
        status=row.status,
        url="https://portal.example/page",
        login="login" in row.shown,
        credentials="credentials" in row.shown,
        login_error=row.shown.get("login_error"),
        notice=row.shown.get("notice"),
        busy=row.shown.get("busy"),
        failure=row.shown.get("failure"),
        refused=row.shown.get("refused"),
        expected=row.expected_present,
    )


def classify(portal: Portal, row: Row) -> PortalError | None:
    expected = SIGNED_IN if row.expected_present is not None else None
    return classify_landing(
        signs(portal, row), STEP, stage=row.stage, expected=expected, after_submit=row.after_submit
    )


SIGN_IN_PAGE = {"login": "", "credentials": ""}

# (row id, landing as a function of the portal's words, the error it means or None)
TABLE: list[tuple[str, Callable[[Portal], Row], type[PortalError] | None]] = [
    # rate limited: transient, whatever the page says
    ("429", lambda p: Row(429), PortalUnavailable),
    # the busy page with its 503
    ("503 busy page", lambda p: Row(503, {"busy": p.busy}), PortalUnavailable),
    # a bare 503 from a proxy in front of the portal
    ("503 bare", lambda p: Row(503), PortalUnavailable),
    # "system busy" served with 200
    ("system busy", lambda p: Row(200, {"busy": p.busy}), PortalUnavailable),
    # the portal's error page
    ("500 error page", lambda p: Row(500, {"failure": "Something went wrong"}), PortalUnavailable),
    # sent to the login page in the middle of a flow: log in again
    ("login redirect", lambda p: Row(200, dict(SIGN_IN_PAGE)), SessionExpired),
    # the sign-in page again right after the password, saying the session expired
    (
        "expired session",
        lambda p: Row(200, {**SIGN_IN_PAGE, "notice": p.expired}, LoginStage.SUBMITTED),
        SessionExpired,
    ),
    # the sign-in page again with a refusal: never tried twice
    (
        "refused login",
        lambda p: Row(
            200, {**SIGN_IN_PAGE, "login_error": "Invalid password"}, LoginStage.SUBMITTED
        ),
        LoginFailed,
    ),
    # the sign-in page again with no word of expiry or refusal: not a page we know
    (
        "sign-in page again, unexplained",
        lambda p: Row(200, {**SIGN_IN_PAGE, "notice": p.sign_in}, LoginStage.SUBMITTED, False),
        PortalChanged,
    ),
    # neither busy, nor login, nor the page the step expects: the portal changed
    ("unknown page", lambda p: Row(200, {}, expected_present=False), PortalChanged),
    # the page the step expects
    ("expected page", lambda p: Row(200, {}, expected_present=True), None),
    # the login page when we open it (an old session's notice is fine)
    (
        "login page when opening it",
        lambda p: Row(200, {**SIGN_IN_PAGE, "notice": p.expired}, LoginStage.OPENING),
        None,
    ),
]


@pytest.mark.parametrize("portal", PORTALS, ids=lambda p: p.name)
@pytest.mark.parametrize(
    ("landing", "verdict"), [(r[1], r[2]) for r in TABLE], ids=[r[0] for r in TABLE]
)
def test_landing_classification_is_the_same_for_every_driver(
    portal: Portal, landing: Callable[[Portal], Row], verdict: type[PortalError] | None
) -> None:
    """Every driver's landmarks lead the one classification to the same verdict."""
    error = classify(portal, landing(portal))
    if verdict is None:
        assert error is None
    else:
        assert type(error) is verdict, error


@pytest.mark.parametrize("portal", PORTALS, ids=lambda p: p.name)
def test_landing_classification_keeps_after_submit(portal: Portal) -> None:
    """After the submit click a busy or login page says the invoice may be on the portal."""
    busy = classify(portal, Row(503, {"busy": portal.busy}, after_submit=True))
    expired = classify(portal, Row(200, dict(SIGN_IN_PAGE), after_submit=True))
    assert isinstance(busy, PortalUnavailable) and busy.after_submit
    assert isinstance(expired, SessionExpired) and expired.after_submit


@pytest.mark.parametrize("portal", PORTALS, ids=lambda p: p.name)
def test_landing_classification_words_name_the_step_and_the_page(portal: Portal) -> None:
    """Messages say the step and what the page showed, so an on-call engineer can follow."""
    busy = classify(portal, Row(200, {"busy": portal.busy}))
    refused = classify(
        portal, Row(200, {**SIGN_IN_PAGE, "login_error": "Locked"}, LoginStage.SUBMITTED)
    )
    changed = classify(portal, Row(200, {}, expected_present=False))
    assert busy is not None and busy.message == f"{STEP}: {portal.busy}"
    assert refused is not None and refused.message == "Locked"
    assert changed is not None and "signed-in marker (#signed-in) not found" in changed.message
