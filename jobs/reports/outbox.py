"""Report files and queued e-mails, written before anything is sent.

A report run writes its files under ``reports.output_dir/<report>/<period>/`` (atomically: a
reader never sees half a workbook), then, per recipient, the whole message as an ``.eml`` file and
its XX_ARW_DELIVERIES row. The row's unique (report, period, recipient) is what makes a second
run of the same report queue nothing new. File names are built from dates, ids and hashes only,
never from EBS or portal text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from config.report_settings import check_address
from connectors.mail.message import Attachment, OutgoingMail, new_message_id, render_message
from connectors.oracle.deliveries import NewDelivery
from jobs.reports.runtime import ReportRuntime

FILE_MODE = 0o640
DIR_MODE = 0o750
OUTBOX = "outbox"


def report_dir(output_dir: Path, report_name: str, period_key: str) -> Path:
    """``<output_dir>/<report>/<period>``; both parts are our own identifiers (a name, a date)."""
    for part in (report_name, period_key):
        if not part or not all(ch.isalnum() or ch in "-_" for ch in part):
            raise ValueError(f"not a safe path part: {part!r}")
    path = output_dir / report_name / period_key
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    return path


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename."""
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def publish(temporary: Path, final: Path) -> Path:
    """Move a file written under a temporary name in the same folder to its final name."""
    os.chmod(temporary, FILE_MODE)
    os.replace(temporary, final)
    return final


@dataclass(frozen=True, kw_only=True, slots=True)
class QueuedMessage:
    recipient: str
    queued: bool  #: False: this report already went (or is going) to this recipient
    path: Path | None


async def queue_message(
    rt: ReportRuntime,
    *,
    report_name: str,
    period_key: str,
    recipient: str,
    collector_id: int | None,
    subject: str,
    text: str,
    html: str | None,
    attachments: Sequence[Attachment] = (),
) -> QueuedMessage:
    """Write the message and its delivery row; nothing is queued twice for one recipient."""
    mail = rt.settings.mail
    assert mail.from_address is not None, "queue_message needs mail.from_address"
    address = check_address(recipient).lower()
    message_id = new_message_id(mail.from_address.rsplit("@", 1)[1])
    outbox = report_dir(rt.settings.reports.output_dir, report_name, period_key) / OUTBOX
    key = hashlib.sha256(f"{address}\n{message_id}".encode()).hexdigest()[:16]
    path = outbox / f"{report_name}-{period_key}-{key}.eml"
    data = render_message(
        OutgoingMail(
            sender=mail.from_address,
            recipients=(address,),
            subject=subject,
            text=text,
            html=html,
            attachments=attachments,
            message_id=message_id,
            date=rt.clock(),
        )
    )
    await rt.db(write_atomically, path, data)
    added = await rt.db(
        rt.store.add_delivery,
        NewDelivery(
            report_name=report_name,
            period_key=period_key,
            recipient=address,
            collector_id=collector_id,
            subject=subject,
            message_id=message_id,
            message_path=str(path),
            run_id=rt.run_id,
        ),
    )
    if not added:
        path.unlink(missing_ok=True)  # the delivery that exists keeps its own message file
        return QueuedMessage(recipient=address, queued=False, path=None)
    return QueuedMessage(recipient=address, queued=True, path=path)


def stamp(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
