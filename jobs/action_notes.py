"""The collection notes a person's actions leave in iCollections (pure functions).

A collector reading the account's notes must see that an invoice was marked submitted by hand,
and by whom, or that the account was enrolled on or removed from a portal; the robot's own notes
(:mod:`jobs.note_text`) say what the portal did.
"""

from __future__ import annotations

from jobs.note_text import NOTE_PREFIX, portal_label, portal_name


def marked_submitted(
    *,
    invoice_number: str,
    portal_code: str,
    display_name: str | None = None,
    buyer_name: str | None,
    portal_reference: str,
    actor: str,
    reason: str,
) -> str:
    where = portal_label(portal_name(portal_code, display_name), buyer_name)
    return (
        f"{NOTE_PREFIX}invoice {invoice_number} was marked as submitted to the "
        f"{where} by {actor} (portal document "
        f'{portal_reference}): "{reason}". arworker will not upload it.'
    )


def portal_account_enrolled(
    *, portal_code: str, display_name: str | None = None, buyer_name: str | None, actor: str
) -> str:
    where = portal_label(portal_name(portal_code, display_name), buyer_name)
    return (
        f"{NOTE_PREFIX}account enrolled on the {where} by "
        f"{actor}; its open invoices are submitted from the next run on."
    )


def portal_account_enabled(
    *,
    portal_code: str,
    display_name: str | None = None,
    buyer_name: str | None,
    actor: str,
    enabled: bool,
    reason: str | None,
) -> str:
    what = "enabled again" if enabled else "disabled"
    why = f': "{reason}"' if reason else ""
    then = (
        "its open invoices are submitted from the next run on."
        if enabled
        else "its invoices are no longer submitted."
    )
    where = portal_label(portal_name(portal_code, display_name), buyer_name)
    return f"{NOTE_PREFIX}submission to the {where} {what} by {actor}{why}; {then}"
