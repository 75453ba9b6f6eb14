"""Send a message over SMTP: STARTTLS (or implicit TLS), login, MAIL/RCPT/DATA, one at a time.

The DATA phase is done by hand rather than with ``smtplib.sendmail`` so that a failure is
classified by *when* it happened: before the message itself went out nothing was delivered and a
retry is safe; after it went out and before the server's reply, the outcome is unknown and the
caller must not send it again (:class:`MailOutcomeUnknown`).
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Sequence

from pydantic import SecretStr

from config.report_settings import MailSettings
from connectors.mail.errors import (
    MailError,
    MailLoginFailed,
    MailOutcomeUnknown,
    MailRejected,
    MailUnavailable,
)

ACCEPTED = (250, 251)
AUTHENTICATED = 235
PREFERRED_LOGINS = ("PLAIN", "LOGIN")
START_MAIL_INPUT = 354
_LINE_START_DOT = re.compile(rb"(?m)^\.")
_BARE_LINE_END = re.compile(rb"\r\n|\r|\n")


class SmtpMailer:
    """One SMTP relay; each :meth:`send` opens its own connection (reports are a few messages)."""

    def __init__(self, settings: MailSettings, password: SecretStr | None) -> None:
        if settings.host is None:
            raise MailLoginFailed("mail.host is not set: e-mail is not configured")
        self.settings = settings
        self._password = password

    def send(self, message: bytes, *, sender: str, recipients: Sequence[str]) -> str:
        """Deliver ``message`` to the relay; returns the server's acceptance reply."""
        try:
            with self._connect() as smtp:
                self._secure_and_login(smtp)
                self._envelope(smtp, sender, recipients)
                return self._data(smtp, message)
        except MailError:
            raise
        except smtplib.SMTPServerDisconnected as exc:
            raise MailUnavailable(f"the mail server closed the connection: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnavailable(f"cannot reach the mail server: {exc}") from exc

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.host is not None
        if s.security == "tls":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_s, context=self._tls())
        return smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)

    def _tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.settings.ca_file is not None:
            context.load_verify_locations(cafile=str(self.settings.ca_file))
        return context

    def _secure_and_login(self, smtp: smtplib.SMTP) -> None:
        s = self.settings
        smtp.ehlo()
        if s.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise MailLoginFailed(
                    f"{s.host}:{s.port} does not offer STARTTLS; the password would travel in "
                    "clear text. Use the relay's submission port (587) or mail.security = 'tls'"
                )
            try:
                smtp.starttls(context=self._tls())
            except ssl.SSLCertVerificationError as exc:
                raise MailLoginFailed(
                    f"the certificate of {s.host} is not trusted ({exc.verify_message}); set "
                    "mail.ca_file to the CA that signed it"
                ) from exc
            smtp.ehlo()
        if s.username is not None:
            self._login(smtp, s.username)

    def _login(self, smtp: smtplib.SMTP, username: str) -> None:
        """One login attempt, one mechanism: ``smtplib.login`` would try each mechanism in turn,
        two refused logins per message, and a relay counts them towards its lock-out."""
        s = self.settings
        offered = (smtp.esmtp_features.get("auth") or "").upper().split()
        if not smtp.has_extn("auth") or not offered:
            raise MailLoginFailed(f"{s.host} offers no login (AUTH) after STARTTLS")
        smtp.user = username
        smtp.password = self._password.get_secret_value() if self._password else ""
        mechanism = next((m for m in PREFERRED_LOGINS if m in offered), None)
        if mechanism is None:
            raise MailLoginFailed(
                f"{s.host} offers only {offered}; arworker logs in with PLAIN or LOGIN"
            )
        authenticate = smtp.auth_plain if mechanism == "PLAIN" else smtp.auth_login
        try:
            code, reply = smtp.auth(mechanism, authenticate, initial_response_ok=True)
        except smtplib.SMTPAuthenticationError as exc:
            raise MailLoginFailed(
                f"the mail server refused the login of {username!r} ({exc.smtp_code}); "
                f"check the secret named by mail.password_ref",
                code=exc.smtp_code,
            ) from exc
        if code != AUTHENTICATED:
            raise MailLoginFailed(f"unexpected answer to the login: {code} {reply!r}", code=code)

    def _envelope(self, smtp: smtplib.SMTP, sender: str, recipients: Sequence[str]) -> None:
        code, reply = smtp.mail(sender)
        _check(code, reply, "MAIL FROM")
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            _check(code, reply, f"RCPT TO {recipient}")

    def _data(self, smtp: smtplib.SMTP, message: bytes) -> str:
        code, reply = smtp.docmd("DATA")
        if code != START_MAIL_INPUT:
            _check(code, reply, "DATA")
        body = _LINE_START_DOT.sub(b"..", _BARE_LINE_END.sub(b"\r\n", message))
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        try:
            smtp.send(body + b".\r\n")
            code, reply = smtp.getreply()
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            raise MailOutcomeUnknown(
                f"the connection broke after the message was sent, before the server answered "
                f"({exc}); it may have been delivered"
            ) from exc
        _check(code, reply, "end of message")
        return reply.decode("utf-8", "replace")


def _check(code: int, reply: bytes, step: str) -> None:
    """Raise the error a non-accepting reply means: 4xx try later, 5xx never."""
    if code in ACCEPTED:
        return
    text = f"{step}: {code} {reply.decode('utf-8', 'replace')}"
    if 400 <= code < 500 or code == -1:
        raise MailUnavailable(text, code=code)
    raise MailRejected(text, code=code)
