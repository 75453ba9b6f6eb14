"""Collection notes through ``JTF_NOTES_PUB.CREATE_NOTE``: the ``api`` notes mode.

A real EBS install wants notes written through the public API rather than by inserts, so that
its validations, user hooks and per-language rows apply. python-oracledb cannot bind PL/SQL
record or table parameters, so the call is an anonymous block with scalar binds only: the block
builds the ``jtf_note_contexts_tbl_type`` table itself from one pair of binds per context and
hands it to ``CREATE_NOTE`` (``p_jtf_note_contexts_tab``), which is how Advanced Collections
attaches its contexts too. That keeps note, source-object context and extra contexts in the
API's one call, inside the caller's transaction (``p_commit => 'F'``): the state change, its
event and its note still commit or roll back together (design §4.3). ``CREATE_NOTE_CONTEXT``
exists in the package but its spec marks it private, and direct inserts into
``JTF_NOTE_CONTEXTS`` would bypass the API this mode is for; neither is used.

A status other than ``'S'`` raises :class:`NoteApiError` with the ``fnd_msg_pub.get`` messages,
read in the same block so a failure costs one round trip.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa

from connectors.oracle.errors import StoreError, wrap_db_errors

API_VERSION = 1.0
#: the note is on the customer account, as Advanced Collections puts its own
SOURCE_OBJECT_CODE = "IEX_ACCOUNT"
NOTE_STATUS_PUBLIC = "I"
RETURN_STATUS_SUCCESS = "S"
#: the API truncates NOTES to 2000 bytes; longer text belongs in NOTES_DETAIL
NOTES_MAX_CHARS = 2000
#: p_notes_detail is a PL/SQL VARCHAR2 (32 KB); more than that cannot be bound
NOTES_DETAIL_MAX_BYTES = 32_767
#: at most this many bytes of fnd_msg_pub messages come back (the OUT bind's size)
MESSAGES_MAX_BYTES = 2_000
_CONTEXT_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,239}$")


class NoteApiError(StoreError):
    """JTF_NOTES_PUB.CREATE_NOTE did not return 'S'; ``messages`` holds fnd_msg_pub's text."""

    def __init__(self, return_status: str | None, messages: tuple[str, ...]) -> None:
        text = "; ".join(messages) if messages else "no message on the FND message stack"
        super().__init__(f"JTF_NOTES_PUB.CREATE_NOTE returned status {return_status!r}: {text}")
        self.return_status = return_status
        self.messages = messages


def write_note_via_api(
    conn: sa.Connection,
    *,
    source_object_id: int,
    notes: str,
    notes_detail: str | None,
    entered_by: int,
    note_type: str | None,
    contexts: Sequence[tuple[str, int]],
    source_object_code: str = SOURCE_OBJECT_CODE,
    note_status: str = NOTE_STATUS_PUBLIC,
    org_id: int | None = None,
) -> int:
    """Create one note (and its contexts) through the API in ``conn``'s transaction; its id.

    ``contexts`` are ``(NOTE_CONTEXT_TYPE, NOTE_CONTEXT_TYPE_ID)`` pairs besides the source
    object, which the API attaches itself: ``("PARTY", party_id)``,
    ``("IEX_INVOICES", payment_schedule_id)``.
    """
    if conn.dialect.name != "oracle":
        raise StoreError(
            f"notes_mode 'api' calls JTF_NOTES_PUB, which only Oracle has; this database is "
            f"{conn.dialect.name}: use notes_mode 'table'"
        )
    _check_arguments(notes, notes_detail, contexts, source_object_code)
    params: dict[str, object] = {
        "source_object_id": source_object_id,
        "source_object_code": source_object_code,
        "notes": notes,
        "notes_detail": notes_detail,
        "note_status": note_status,
        "entered_by": entered_by,
        "note_type": note_type,
        "org_id": org_id,
    }
    for position, (context_type, context_id) in enumerate(contexts, start=1):
        params[f"context_type_{position}"] = context_type
        params[f"context_id_{position}"] = context_id
    with wrap_db_errors():
        result = conn.execute(create_note_block(len(contexts)), params)
    out = getattr(result, "out_parameters", None)  # set by the Oracle dialect; not typed
    if not isinstance(out, dict):
        raise StoreError("the Oracle driver returned no OUT parameters for CREATE_NOTE")
    status = out["return_status"]
    if status != RETURN_STATUS_SUCCESS or out["jtf_note_id"] is None:
        raise NoteApiError(status, _messages(out["messages"]))
    return int(out["jtf_note_id"])


def create_note_block(context_count: int) -> sa.TextClause:
    """The anonymous PL/SQL block for a note with ``context_count`` extra contexts."""
    context_lines = "".join(
        f"  l_contexts({i}).note_context_type := :context_type_{i};\n"
        f"  l_contexts({i}).note_context_type_id := :context_id_{i};\n"
        f"  l_contexts({i}).created_by := :entered_by;\n"
        f"  l_contexts({i}).creation_date := SYSDATE;\n"
        f"  l_contexts({i}).last_updated_by := :entered_by;\n"
        f"  l_contexts({i}).last_update_date := SYSDATE;\n"
        for i in range(1, context_count + 1)
    )
    block = f"""DECLARE
  l_contexts jtf_notes_pub.jtf_note_contexts_tbl_type;
  l_status VARCHAR2(1);
  l_msg_count NUMBER;
  l_msg_data VARCHAR2(2000);
  l_messages VARCHAR2(32767);
  l_note_id NUMBER;
BEGIN
{context_lines}  jtf_notes_pub.create_note(
    p_api_version => {API_VERSION},
    p_init_msg_list => 'T',
    p_commit => 'F',
    x_return_status => l_status,
    x_msg_count => l_msg_count,
    x_msg_data => l_msg_data,
    p_org_id => :org_id,
    p_source_object_id => :source_object_id,
    p_source_object_code => :source_object_code,
    p_notes => :notes,
    p_notes_detail => :notes_detail,
    p_note_status => :note_status,
    p_entered_by => :entered_by,
    p_entered_date => SYSDATE,
    x_jtf_note_id => l_note_id,
    p_last_update_date => SYSDATE,
    p_last_updated_by => :entered_by,
    p_creation_date => SYSDATE,
    p_created_by => :entered_by,
    p_note_type => :note_type,
    p_jtf_note_contexts_tab => l_contexts
  );
  IF l_status IS NULL OR l_status <> '{RETURN_STATUS_SUCCESS}' THEN
    FOR i IN 1 .. NVL(l_msg_count, 0) LOOP
      l_messages := SUBSTRB(
        l_messages || fnd_msg_pub.get(p_msg_index => i, p_encoded => 'F') || CHR(10),
        1, {MESSAGES_MAX_BYTES});
    END LOOP;
    l_messages := NVL(l_messages, SUBSTRB(l_msg_data, 1, {MESSAGES_MAX_BYTES}));
  END IF;
  :return_status := l_status;
  :jtf_note_id := l_note_id;
  :messages := SUBSTRB(l_messages, 1, {MESSAGES_MAX_BYTES});
END;"""
    return sa.text(block).bindparams(
        sa.outparam("return_status", sa.String(1)),
        sa.outparam("jtf_note_id", sa.Integer()),
        sa.outparam("messages", sa.String(MESSAGES_MAX_BYTES)),
    )


def _check_arguments(
    notes: str,
    notes_detail: str | None,
    contexts: Sequence[tuple[str, int]],
    source_object_code: str,
) -> None:
    """Refuse what the API would silently truncate or what cannot be bound."""
    if not notes or not notes.strip():
        raise ValueError("a note needs text: NOTES is mandatory (and '' is NULL in Oracle)")
    if len(notes) > NOTES_MAX_CHARS:
        raise ValueError(
            f"NOTES holds at most {NOTES_MAX_CHARS} characters (got {len(notes)}); "
            "put the rest in notes_detail"
        )
    if notes_detail is not None and len(notes_detail.encode("utf-8")) > NOTES_DETAIL_MAX_BYTES:
        raise ValueError(f"notes_detail exceeds the API's {NOTES_DETAIL_MAX_BYTES} bytes")
    for code in (source_object_code, *(kind for kind, _ in contexts)):
        if not _CONTEXT_CODE.match(code):
            raise ValueError(f"{code!r} is not a JTF object code (upper-case letters, digits, _)")


def _messages(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, str):
        return ()
    return tuple(line.strip() for line in raw.splitlines() if line.strip())
