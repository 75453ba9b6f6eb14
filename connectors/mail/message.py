"""One outgoing message as bytes: a text part, an HTML part, attachments, a fixed Message-ID.

The bytes are what is kept on disk and sent, so a retry sends exactly the same message with the
same Message-ID. Header values never carry a line break (a subject built from EBS text could
otherwise inject headers).
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

from connectors.mail.errors import MailRejected

SUBJECT_MAX_CHARS = 200


@dataclass(frozen=True, kw_only=True, slots=True)
class Attachment:
    filename: str  #: built by the caller from dates and ids, never from untrusted text
    content_type: str  #: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    data: bytes


@dataclass(frozen=True, kw_only=True, slots=True)
class OutgoingMail:
    sender: str
    recipients: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    attachments: Sequence[Attachment] = field(default_factory=tuple)
    message_id: str
    date: dt.datetime


def new_message_id(domain: str) -> str:
    """A globally unique Message-ID, made once per delivery and kept with it."""
    return email.utils.make_msgid(domain=domain)


def render_message(mail: OutgoingMail) -> bytes:
    """The message in wire form (CRLF line ends, 7-bit safe parts)."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = _header(mail.sender)
    message["To"] = ", ".join(_header(r) for r in mail.recipients)
    message["Subject"] = _header(mail.subject)[:SUBJECT_MAX_CHARS]
    message["Date"] = email.utils.format_datetime(mail.date)
    message["Message-ID"] = _header(mail.message_id)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        main, _, sub = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=main, subtype=sub, filename=_header(attachment.filename)
        )
    return message.as_bytes()


def _header(value: str) -> str:
    """A header value on one line: line breaks become spaces."""
    cleaned = " ".join(value.replace("\r", " ").replace("\n", " ").split())
    if not cleaned:
        raise MailRejected("an empty header value (address, subject or file name)")
    return cleaned
