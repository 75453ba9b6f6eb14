"""``arworker accounts pauses`` and ``arworker accounts resume``: what is paused, and lifting it.

A refused login stays paused across runs and workers until its secret changes or an operator
resumes it here (after unlocking the portal user, say); a portal paused for changed pages until
an operator resumes it (after a driver or recipe fix) or a re-probe succeeds; an outage breaker
until its cool-down ends, or now, from here.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from connectors.oracle.records import PauseKind, PortalPause

EXIT_OK = 0
EXIT_NOTHING = 3  #: nothing matched: scripts can tell "done" from "there was nothing to do"
EXIT_USAGE = 2


def add_pause_commands(accounts_sub: Any) -> None:
    """Register ``pauses`` and ``resume`` under ``arworker accounts``."""
    pauses = accounts_sub.add_parser(
        "pauses", help="list paused portal logins, paused portals and open outage breakers"
    )
    pauses.add_argument("--json", action="store_true", help="one JSON object on stdout")
    resume = accounts_sub.add_parser(
        "resume",
        help="lift a pause: a refused login (after fixing the password or unlocking the "
        "portal user), a portal paused for changed pages, an outage breaker",
        description="Lift pauses. Name one by --pause-id (see `arworker accounts pauses`), or "
        "every pause of a portal with --portal, narrowed to one login with --login.",
    )
    which = resume.add_mutually_exclusive_group(required=True)
    which.add_argument("--pause-id", type=int, metavar="N")
    which.add_argument("--portal", metavar="PORTAL_CODE")
    resume.add_argument("--login", metavar="LOGIN_NAME", help="with --portal: only this login")
    resume.add_argument(
        "--reason", default="resumed by an operator", help="recorded with the pause (audit)"
    )
    resume.add_argument("--json", action="store_true", help="one JSON object on stdout")


def run_pause_command(settings: Any, args: argparse.Namespace) -> int:
    from worker.runtime import build_store

    store = build_store(settings)
    try:
        if args.accounts_command == "pauses":
            return _list(store.active_pauses(), as_json=args.json)
        return _resume(store, args)
    finally:
        store.engine.dispose()


def _list(pauses: list[PortalPause], *, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"pauses": [_as_json(p) for p in pauses]}, default=str))
        return EXIT_OK
    if not pauses:
        print("nothing is paused")
        return EXIT_OK
    for p in pauses:
        until = f", until {p.paused_until:%Y-%m-%d %H:%M} UTC" if p.paused_until else ""
        print(
            f"#{p.pause_id}  {p.label}  since {p.paused_at:%Y-%m-%d %H:%M} UTC{until}\n"
            f"       {p.reason}"
        )
    return EXIT_OK


def _resume(store: Any, args: argparse.Namespace) -> int:
    if args.login and not args.portal:
        print("arworker: --login goes with --portal", file=sys.stderr)
        return EXIT_USAGE
    active: list[PortalPause] = store.active_pauses() + [
        p for p in store.unresolved_outages() if p.paused_until is not None
    ]
    chosen = [
        p
        for p in {p.pause_id: p for p in active}.values()
        if (args.pause_id is not None and p.pause_id == args.pause_id)
        or (
            args.portal is not None
            and p.portal_code == args.portal
            and (args.login is None or (p.kind is PauseKind.LOGIN and p.login_name == args.login))
        )
    ]
    who = f"{getpass.getuser()} (cli)"
    resumed = [
        p for p in chosen if store.resume_pause(p.pause_id, resumed_by=who, reason=args.reason)
    ]
    if args.json:
        print(json.dumps({"resumed": [_as_json(p) for p in resumed]}, default=str))
    elif resumed:
        for p in resumed:
            print(f"resumed #{p.pause_id} ({p.label})")
    else:
        print("no pause in force matches; see `arworker accounts pauses`", file=sys.stderr)
    return EXIT_OK if resumed else EXIT_NOTHING


def _as_json(p: PortalPause) -> dict[str, Any]:
    return {
        "pause_id": p.pause_id,
        "kind": p.kind.value,
        "portal_code": p.portal_code,
        "portal_url": p.portal_url,
        "login_name": p.login_name,
        "reason": p.reason,
        "paused_at": p.paused_at,
        "paused_until": p.paused_until,
    }
