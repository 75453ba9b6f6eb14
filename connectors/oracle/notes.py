"""Collection notes in JTF_NOTES_B / JTF_NOTES_TL / JTF_NOTE_CONTEXTS.

A note sits on the customer account (``IEX_ACCOUNT``) and carries ``PARTY`` and ``IEX_INVOICES``
(payment_schedule_id, as Advanced Collections does) contexts, so the collector sees it at every
level of the Collections UI. ``NOTES`` holds at most 2000 characters; the rest goes to
``NOTES_DETAIL``. Two modes: ``table`` inserts the rows (the default, and the only one the
embedded database has), ``api`` calls ``JTF_NOTES_PUB`` the way a real EBS install wants it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import MetaData

from connectors.oracle.records import CollectionNote, NoteRecord

NOTES_MAX_CHARS = 2000
SOURCE_OBJECT_CODE = "IEX_ACCOUNT"
NOTE_STATUS_PUBLIC = "I"
NOTE_LANGUAGE = "US"
ELLIPSIS = " …"


@dataclass(frozen=True, kw_only=True, slots=True)
class NoteSettings:
    """Who the notes are entered by, and how they are written."""

    mode: str = "table"
    entered_by: int = -1
    note_type: str | None = None


def split_note_text(text: str, detail: str | None) -> tuple[str, str | None]:
    """Fit ``text`` into NOTES (≤ 2000 chars); overflow is kept, in front of the detail."""
    text = text.strip()
    if len(text) <= NOTES_MAX_CHARS:
        return text, detail
    cut = NOTES_MAX_CHARS - len(ELLIPSIS)
    overflow = text[cut:]
    full_detail = overflow if not detail else overflow + "\n\n" + detail
    return text[:cut] + ELLIPSIS, full_detail


def write_note(
    conn: sa.Connection,
    md: MetaData,
    note: CollectionNote,
    settings: NoteSettings,
    *,
    now: dt.datetime,
) -> int:
    """Write one note inside the caller's transaction; return its JTF_NOTE_ID."""
    text, detail = split_note_text(note.text, note.detail)
    if settings.mode == "api":
        from connectors.oracle.notes_api import write_note_via_api

        return int(
            write_note_via_api(
                conn,
                source_object_id=note.cust_account_id,
                notes=text,
                notes_detail=detail,
                entered_by=settings.entered_by,
                note_type=settings.note_type,
                contexts=_contexts(note)[1:],
            )
        )
    return _write_note_rows(conn, md, note, text, detail, settings, now)


def _contexts(note: CollectionNote) -> list[tuple[str, int]]:
    contexts = [(SOURCE_OBJECT_CODE, note.cust_account_id)]
    if note.party_id is not None:
        contexts.append(("PARTY", note.party_id))
    if note.payment_schedule_id is not None:
        contexts.append(("IEX_INVOICES", note.payment_schedule_id))
    return contexts


def _write_note_rows(
    conn: sa.Connection,
    md: MetaData,
    note: CollectionNote,
    text: str,
    detail: str | None,
    settings: NoteSettings,
    now: dt.datetime,
) -> int:
    who = {
        "created_by": settings.entered_by,
        "creation_date": now,
        "last_updated_by": settings.entered_by,
        "last_update_date": now,
    }
    result = conn.execute(
        sa.insert(md.tables["jtf_notes_b"]).values(
            source_object_code=SOURCE_OBJECT_CODE,
            source_object_id=note.cust_account_id,
            note_status=NOTE_STATUS_PUBLIC,
            note_type=settings.note_type,
            entered_by=settings.entered_by,
            entered_date=now,
            **who,
        )
    )
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("JTF_NOTES_B insert returned no JTF_NOTE_ID")
    note_id = int(key[0])
    conn.execute(
        sa.insert(md.tables["jtf_notes_tl"]).values(
            jtf_note_id=note_id,
            language=NOTE_LANGUAGE,
            source_lang=NOTE_LANGUAGE,
            notes=text,
            notes_detail=detail,
            **who,
        )
    )
    conn.execute(
        sa.insert(md.tables["jtf_note_contexts"]),
        [
            {
                "jtf_note_id": note_id,
                "note_context_type": kind,
                "note_context_type_id": ident,
                **who,
            }
            for kind, ident in _contexts(note)
        ],
    )
    return note_id


def read_notes(conn: sa.Connection, md: MetaData, cust_account_id: int) -> list[NoteRecord]:
    """Notes on one account, oldest first, with their contexts."""
    b = md.tables["jtf_notes_b"]
    tl = md.tables["jtf_notes_tl"]
    ctx = md.tables["jtf_note_contexts"]
    rows = conn.execute(
        sa.select(
            b.c.jtf_note_id, b.c.source_object_id, b.c.entered_date, tl.c.notes, tl.c.notes_detail
        )
        .join(tl, sa.and_(tl.c.jtf_note_id == b.c.jtf_note_id, tl.c.language == NOTE_LANGUAGE))
        .where(
            b.c.source_object_code == SOURCE_OBJECT_CODE, b.c.source_object_id == cust_account_id
        )
        .order_by(b.c.jtf_note_id)
    ).all()
    if not rows:
        return []
    ids = [int(r.jtf_note_id) for r in rows]
    contexts: dict[int, list[tuple[str, int]]] = {i: [] for i in ids}
    for c in conn.execute(
        sa.select(ctx.c.jtf_note_id, ctx.c.note_context_type, ctx.c.note_context_type_id)
        .where(ctx.c.jtf_note_id.in_(ids))
        .order_by(ctx.c.note_context_id)
    ):
        contexts[int(c.jtf_note_id)].append((c.note_context_type, int(c.note_context_type_id)))
    return [
        NoteRecord(
            jtf_note_id=int(r.jtf_note_id),
            source_object_id=int(r.source_object_id),
            text=r.notes,
            detail=r.notes_detail,
            entered_at=r.entered_date,
            contexts=tuple(contexts[int(r.jtf_note_id)]),
        )
        for r in rows
    ]
