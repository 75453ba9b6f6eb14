"""Portal errors: one root, four kinds, each telling the queue what to do next.

``InvoiceRejected`` is a business outcome (a human fixes the invoice); ``PortalUnavailable`` is
transient (retry with backoff), ``SessionExpired`` among it (log in again); ``LoginFailed`` stops
that portal login for the run (retrying a wrong password locks the account); ``PortalChanged``
pauses the portal (its pages no longer match the driver, hammering it will not help).
``LoginPaused`` and ``PortalPaused`` are those two decisions met again later in the run. Every
error carries ``artifact_path``, the failure's evidence folder once the gateway kept one.
Playwright's own errors are translated here, at the boundary, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum


class RejectionCode(StrEnum):
    """Stable reasons a portal refuses an invoice, whatever its wording."""

    #: the invoice number is already on the portal
    DUPLICATE = "DUPLICATE"
    #: the purchase order is closed or cancelled
    PO_CLOSED = "PO_CLOSED"
    #: the invoice is above what remains open on the PO
    PO_AMOUNT_EXCEEDED = "PO_AMOUNT_EXCEEDED"
    #: no PO on the invoice, or the portal does not know it
    PO_MISSING = "PO_MISSING"
    #: invoice date in the future or back-dated beyond the buyer's rule
    DATE_RULE = "DATE_RULE"
    #: the PDF was refused (type, size, unreadable)
    ATTACHMENT_INVALID = "ATTACHMENT_INVALID"
    #: anything else the portal said no to
    OTHER = "OTHER"


class PortalError(Exception):
    """A portal operation did not succeed."""

    code: str = "PORTAL_ERROR"
    #: the evidence folder (screenshot, page, trace) the gateway kept of the failure, if any
    artifact_path: str | None = None

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or (self.__doc__ or self.__class__.__name__).strip()
        if code is not None:
            self.code = code
        #: the folder of the failure's evidence (screenshot, trace, page), once the gateway kept it
        self.artifact_path: str | None = None
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


#: which code wins when a portal reports several problems at once
REJECTION_PRECEDENCE = (
    RejectionCode.DUPLICATE,
    RejectionCode.PO_CLOSED,
    RejectionCode.PO_MISSING,
    RejectionCode.PO_AMOUNT_EXCEEDED,
    RejectionCode.DATE_RULE,
    RejectionCode.ATTACHMENT_INVALID,
    RejectionCode.OTHER,
)


class InvoiceRejected(PortalError):
    """The portal refused this invoice; a person has to correct it."""

    code = RejectionCode.OTHER.value

    def __init__(self, code: RejectionCode, message: str) -> None:
        super().__init__(message, code=code.value)
        self.rejection = code

    @classmethod
    def of_problems(cls, problems: Sequence[tuple[RejectionCode, str]]) -> InvoiceRejected:
        """The portal's messages (each with its code) as one rejection with the most telling
        code (:data:`REJECTION_PRECEDENCE`) and all the portal's words."""
        code = min((code for code, _ in problems), key=REJECTION_PRECEDENCE.index)
        return cls(code, "; ".join(text for _, text in problems))


class PortalUnavailable(PortalError):
    """The portal did not answer usefully (timeout, 5xx, "system busy"); try again later."""

    code = "PORTAL_UNAVAILABLE"

    def __init__(self, message: str | None = None, *, after_submit: bool = False) -> None:
        super().__init__(message)
        #: True when the failure came after the submit click: the invoice may be on the portal
        self.after_submit = after_submit


class SessionExpired(PortalUnavailable):
    """The portal sent us back to its login page; log in again (this is not a failed login)."""

    code = "SESSION_EXPIRED"


class SubmitFenced(PortalError):
    """The worker could not prove it still holds the item before the submit click: it did not
    click. Another worker owns the item now; nothing is recorded and nothing is retried."""

    code = "LEASE_LOST"


class LoginFailed(PortalError):
    """The portal refused the credentials, the second factor, or the account is locked."""

    code = "LOGIN_FAILED"


class PortalChanged(PortalError):
    """An element the driver relies on is missing: the portal's pages changed."""

    code = "PORTAL_CHANGED"


class LoginPaused(LoginFailed):
    """This login was refused earlier (in this run, or a pause kept in the database); it is not
    tried again. ``reason`` is what the portal said when it refused it."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class PortalPaused(PortalChanged):
    """This portal is paused (its pages stopped matching its driver, or a pause kept in the
    database); it is not tried."""


@contextmanager
def wrap_playwright_errors(step: str, *, after_submit: bool = False) -> Iterator[None]:
    """Translate Playwright's errors raised inside the block into ours, naming the step."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        yield
    except PortalError:
        raise
    except PlaywrightTimeout as exc:
        raise PortalUnavailable(
            f"{step}: timed out ({first_line(exc)})", after_submit=after_submit
        ) from exc
    except PlaywrightError as exc:
        # navigation failures, a crashed page, a closed context: all worth a later retry
        raise PortalUnavailable(f"{step}: {first_line(exc)}", after_submit=after_submit) from exc


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, at most 300 characters (for our messages)."""
    return (str(exc).strip().splitlines() or [exc.__class__.__name__])[0][:300]
