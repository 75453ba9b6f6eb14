"""``arworker accounts``: enrol, list, edit, disable and test customers' portal accounts.

The CLI twin of the workspace's account page, for what an admin scripts: the same service
functions (:mod:`jobs.actions`), the same checks, the same audit trail (channel CLI, the OS user
as the actor). A secret is only ever named (``--secret-ref``), never given.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import socket
import sys
from dataclasses import asdict
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def add_accounts_commands(sub: Any, add_json: Any) -> None:
    """Register ``accounts list|add|edit|disable|enable|test-login`` under ``sub``."""
    accounts = sub.add_parser(
        "accounts",
        help="customers' portal accounts: list, add, edit, disable, enable, test-login, "
        "pauses, resume",
        description="Enrol customer accounts on their portals and look after them. Secrets are "
        "named (--secret-ref), never given: the worker resolves the name from "
        "ARWORKER_SECRET_<NAME> or <secrets_dir>/<NAME>.",
    )
    accounts_sub = accounts.add_subparsers(dest="accounts_command", metavar="SUBCOMMAND")
    from worker.pause_cli import add_pause_commands

    add_pause_commands(accounts_sub)

    listing = accounts_sub.add_parser("list", help="portal accounts, enabled or not")
    listing.add_argument("--account", metavar="ACCOUNT_NUMBER", help="only this customer")
    add_json(listing)

    add = accounts_sub.add_parser("add", help="enrol a customer account on a portal")
    add.add_argument("account", metavar="ACCOUNT_NUMBER")
    _portal_options(add, required=True)
    add_json(add)

    edit = accounts_sub.add_parser("edit", help="change a portal account (only what is given)")
    edit.add_argument("portal_account_id", type=int, metavar="PORTAL_ACCOUNT_ID")
    _portal_options(edit, required=False)
    edit.add_argument("--reason", help="why (kept in the audit trail)")
    add_json(edit)

    for name, what in (("disable", "stop submitting"), ("enable", "submit again")):
        toggle = accounts_sub.add_parser(name, help=f"{what} this portal account's invoices")
        toggle.add_argument("portal_account_id", type=int, metavar="PORTAL_ACCOUNT_ID")
        toggle.add_argument(
            "--reason", required=name == "disable", help="why (kept in the audit trail)"
        )
        add_json(toggle)

    test = accounts_sub.add_parser(
        "test-login",
        help="log in to the portal once, on a fresh session, and say whether it worked",
        description="Runs the login test now, on this host (it launches Chromium), unless "
        "--queue: then a running worker (`arworker run`) picks it up.",
    )
    test.add_argument("portal_account_id", type=int, metavar="PORTAL_ACCOUNT_ID")
    test.add_argument("--queue", action="store_true", help="only queue it for a running worker")
    add_json(test)


def _portal_options(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument("--portal", required=required, metavar="CODE", help="portal family, e.g. coupa")
    p.add_argument("--url", required=required, help="the portal's base URL")
    p.add_argument("--login", required=required, metavar="NAME", help="the supplier's login")
    p.add_argument(
        "--secret-ref", required=required, metavar="NAME", help="name of the password secret"
    )
    p.add_argument("--totp-secret-ref", metavar="NAME", help="name of the TOTP seed secret")
    p.add_argument("--buyer-name", help="the buyer as the portal shows it")
    p.add_argument("--display-name", help='how collectors name the portal in notes ("Coupa")')
    p.add_argument("--supplier-id", help="the supplier's id on the portal")
    p.add_argument(
        "--po-required", action=argparse.BooleanOptionalAction, default=None, help="default: yes"
    )
    p.add_argument(
        "--new-number-on-resubmit",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a corrected invoice needs a new number (default: no)",
    )


def cli_actor() -> Any:
    """The OS user at this host, as an admin: whoever runs the CLI holds the database login."""
    from jobs.actions import Actor, Channel, Role

    return Actor(
        name=getpass.getuser(), role=Role.ADMIN, channel=Channel.CLI, address=socket.gethostname()
    )


def run_accounts_command(settings: Any, args: argparse.Namespace) -> int:
    from jobs.actions import ActionError
    from worker.runtime import build_store

    command = args.accounts_command
    store = build_store(settings)
    try:
        if command == "list":
            return _list(store, args)
        if command == "test-login":
            return _test_login(settings, store, args)
        result = _change(store, args)
    except ActionError as exc:
        print(f"arworker: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        store.engine.dispose()
    if args.json:
        print(json.dumps(result, default=str))
    else:
        print(result["message"])
    return EXIT_OK


def _list(store: Any, args: argparse.Namespace) -> int:
    rows = store.portal_accounts(account_number=args.account, enabled_only=False)
    if args.json:
        print(json.dumps({"portal_accounts": [asdict(r) for r in rows]}, default=str))
        return EXIT_OK
    if not rows:
        print("no portal account enrolled" + (f" for {args.account}" if args.account else ""))
        return EXIT_OK
    print(f"{'id':>5}  {'account':<8} {'portal':<8} {'on':<3} {'login':<32} {'secret':<28} url")
    for r in rows:
        on = "yes" if r.enabled else "no"
        print(
            f"{r.portal_account_id:>5}  {r.account_number:<8} {r.portal_code:<8} {on:<3} "
            f"{r.login_name:<32} {r.secret_ref:<28} {r.portal_url}"
        )
    return EXIT_OK


def _values(args: argparse.Namespace, current: Any = None) -> Any:
    from connectors.oracle.workspace_records import PortalAccountValues

    def pick(given: Any, name: str, default: Any = None) -> Any:
        if given is not None:
            return given
        return getattr(current, name) if current is not None else default

    return PortalAccountValues(
        portal_code=pick(args.portal, "portal_code", ""),
        portal_url=pick(args.url, "portal_url", ""),
        login_name=pick(args.login, "login_name", ""),
        secret_ref=pick(args.secret_ref, "secret_ref", ""),
        totp_secret_ref=pick(args.totp_secret_ref, "totp_secret_ref"),
        buyer_name=pick(args.buyer_name, "buyer_name"),
        display_name=pick(args.display_name, "display_name"),
        supplier_portal_id=pick(args.supplier_id, "supplier_portal_id"),
        po_required=pick(args.po_required, "po_required", True),
        new_number_on_resubmit=pick(args.new_number_on_resubmit, "new_number_on_resubmit", False),
    )


def _change(store: Any, args: argparse.Namespace) -> dict[str, Any]:
    from connectors.portals.registry import known_families
    from jobs import actions

    actor = cli_actor()
    command = args.accounts_command
    if command == "add":
        new_id = actions.enrol_portal_account(
            store, actor, args.account, _values(args), known_portal_codes=known_families()
        )
        return {
            "portal_account_id": new_id,
            "message": f"account {args.account} enrolled as portal account {new_id}",
        }
    current = store.portal_account(args.portal_account_id)
    if current is None:
        raise actions.NotFound(f"no portal account {args.portal_account_id}")
    if command == "edit":
        actions.edit_portal_account(
            store,
            actor,
            args.portal_account_id,
            _values(args, current),
            known_portal_codes=known_families(),
            reason=args.reason,
        )
        return {
            "portal_account_id": args.portal_account_id,
            "message": f"portal account {args.portal_account_id} saved",
        }
    enabled = command == "enable"
    actions.set_portal_account_enabled(
        store, actor, args.portal_account_id, enabled=enabled, reason=args.reason
    )
    state = "enabled" if enabled else "disabled"
    return {
        "portal_account_id": args.portal_account_id,
        "enabled": enabled,
        "message": f"portal account {args.portal_account_id} {state}",
    }


def _test_login(settings: Any, store: Any, args: argparse.Namespace) -> int:
    from jobs import action_requests, actions
    from worker.runtime import job_context

    request_id = actions.request_test_login(store, cli_actor(), args.portal_account_id, None)
    if args.queue:
        message = f"login test queued as request {request_id}; a running worker picks it up"
        print(json.dumps({"request_id": request_id, "queued": True}) if args.json else message)
        return EXIT_OK

    async def go() -> None:
        async with job_context(settings, job="test_login", store=store) as ctx:
            await action_requests.run(ctx, request_ids=[request_id])

    asyncio.run(go())
    done = store.action_requests(portal_account_id=args.portal_account_id, limit=5)
    result = next((r for r in done if r.request_id == request_id), None)
    ok = result is not None and result.status.value == "DONE"
    text = result.result_text if result is not None else "the request was not run"
    if args.json:
        print(json.dumps({"request_id": request_id, "ok": ok, "result": text}))
    else:
        print(("login OK: " if ok else "login FAILED: ") + (text or ""))
    return EXIT_OK if ok else EXIT_FAILED
