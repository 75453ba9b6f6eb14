"""A real SMTP server on 127.0.0.1 for the e-mail tests: STARTTLS with a certificate made here,
a login, and faults on demand (a temporary refusal, a permanent one, a connection that breaks
after the message arrived).

aiosmtpd runs it in a thread of its own; the worker talks to it with the real ``smtplib`` client,
as it would to a relay. Nothing is mocked.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USERNAME = "arworker"
PASSWORD = "s3cret-smtp-password"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (certificate, key) PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "arworker test relay")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "relay-cert.pem", folder / "relay-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    tls: bool
    login: str | None


@dataclass
class Faults:
    """What the server does to the next messages (decremented as they come)."""

    temporary: int = 0  #: answer the end of the message with 451 (not accepted)
    permanent: int = 0  #: answer it with 554 (refused)
    break_after_data: int = 0  #: keep the message, then drop the connection without a reply


@dataclass
class RelayHandler:
    faults: Faults = field(default_factory=Faults)
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)  #: (login, accepted)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.faults.permanent:
                self.faults.permanent -= 1
                return "554 5.6.0 Message refused"
            if self.faults.temporary:
                self.faults.temporary -= 1
                return "451 4.3.0 Temporary failure, try later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.SMTP)
            assert isinstance(message, EmailMessage)
            login = session.auth_data.login.decode() if session.auth_data else None
            self.received.append(
                Received(
                    sender=envelope.mail_from,
                    recipients=list(envelope.rcpt_tos),
                    message=message,
                    tls=session.ssl is not None,
                    login=login,
                )
            )
            if self.faults.break_after_data:
                self.faults.break_after_data -= 1
                server.transport.abort()  # the message is here; the client never hears so
        return "250 2.0.0 OK queued"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = auth_data.login.decode() == USERNAME and auth_data.password.decode() == PASSWORD
        with self.lock:
            self.logins.append((auth_data.login.decode(), ok))
        # handled=False: aiosmtpd answers the refusal itself (535)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class LocalRelay:
    """The running server: ``port``, ``ca_file`` to trust, and what it received."""

    def __init__(self, folder: Path) -> None:
        cert, key = make_certificate(folder)
        self.ca_file = cert
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self.handler = RelayHandler()
        self.port = _free_port()
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=self.handler.authenticate,
        )

    def __enter__(self) -> LocalRelay:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
