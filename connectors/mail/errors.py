"""What can go wrong sending a message, sorted by what the caller must do about it.

- :class:`MailUnavailable`: nothing was delivered and it may work later (connection refused,
  timeout, a 4xx reply): retry with backoff.
- :class:`MailRejected`: the server refused the message for good (a 5xx reply): no retry.
- :class:`MailLoginFailed`: the configuration is wrong (login refused, TLS not trusted, no
  STARTTLS): stop and say what to fix; retrying would only lock the account.
- :class:`MailOutcomeUnknown`: the connection broke after the message itself was sent and
  before the server answered. It may have been delivered, so it is never resent automatically.
"""

from __future__ import annotations


class MailError(Exception):
    """Sending a message failed."""

    def __init__(self, message: str | None = None, *, code: int | None = None) -> None:
        super().__init__(message or self.__doc__ or type(self).__name__)
        self.code = code


class MailUnavailable(MailError):
    """The mail server could not take the message now; nothing was delivered."""


class MailRejected(MailError):
    """The mail server refused the message permanently."""


class MailLoginFailed(MailError):
    """The mail server refused our login or our TLS; the configuration must be fixed."""


class MailOutcomeUnknown(MailError):
    """The connection broke after the message was sent: it may or may not have been delivered."""
