"""``arworker web``, ``arworker users`` and ``arworker tokens``: serve the workspace, manage who
may use it, and issue API tokens for scripts.

Users and tokens live in the database (XX_ARW_WEB_USERS, XX_ARW_API_TOKENS), so every web host of
a fleet agrees; every change is audited (channel CLI). A password is read from a prompt or from
stdin (``--password-stdin``), never from the command line, where ``ps`` and shell history would
keep it. A token is printed once, when created; only its hash is stored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from dataclasses import asdict
from typing import Any

from worker.accounts_cli import cli_actor

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
ROLE_CHOICES = ("viewer", "collector", "admin")


def add_web_commands(sub: Any, add_json: Any) -> None:
    """Register ``web``, ``users ...`` and ``tokens ...`` under ``sub``."""
    web = sub.add_parser(
        "web",
        help="serve the collector workspace and JSON API",
        description="Serve the workspace (overview, action-needed worklist, invoices, "
        "accounts) and /api/v1 with uvicorn, on the same database as the workers. It never "
        "drives a browser: its buttons queue requests that workers pick up.",
    )
    web.add_argument("--host", help="default: web.host (127.0.0.1)")
    web.add_argument("--port", type=int, help="default: web.port (8780)")

    users = sub.add_parser("users", help="people who may sign in to the workspace")
    users_sub = users.add_subparsers(dest="users_command", metavar="SUBCOMMAND")
    add = users_sub.add_parser("add", help="create a user (asks for the password)")
    add.add_argument("user_name")
    add.add_argument("--role", choices=ROLE_CHOICES, required=True)
    add.add_argument("--collector-id", type=int, help="AR_COLLECTORS.COLLECTOR_ID: 'my worklist'")
    add.add_argument("--display-name")
    add.add_argument("--email")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument(
        "--no-password", action="store_true", help="a user who signs in through the SSO proxy"
    )
    add_json(add)
    listing = users_sub.add_parser("list", help="users and their roles")
    add_json(listing)
    role = users_sub.add_parser("set-role", help="change a user's role")
    role.add_argument("user_name")
    role.add_argument("role", choices=ROLE_CHOICES)
    password = users_sub.add_parser("set-password", help="set a new password")
    password.add_argument("user_name")
    password.add_argument("--password-stdin", action="store_true")
    collector = users_sub.add_parser("set-collector", help="link a user to an AR collector")
    collector.add_argument("user_name")
    collector.add_argument("collector_id", type=int, help="COLLECTOR_ID, or 0 to unlink")
    for name in ("disable", "enable"):
        toggle = users_sub.add_parser(name, help=f"{name} a user (takes effect at once)")
        toggle.add_argument("user_name")

    tokens = sub.add_parser("tokens", help="API tokens for scripts (hashed at rest)")
    tokens_sub = tokens.add_subparsers(dest="tokens_command", metavar="SUBCOMMAND")
    create = tokens_sub.add_parser("create", help="issue a token; it is printed once")
    create.add_argument("--user", required=True, help="who the token acts as (audit trail)")
    create.add_argument("--role", choices=ROLE_CHOICES, required=True)
    create.add_argument("--label", help="what the token is for")
    create.add_argument("--expires-days", type=int, help="default: never expires")
    add_json(create)
    token_list = tokens_sub.add_parser("list", help="tokens (hints, never the tokens)")
    add_json(token_list)
    revoke = tokens_sub.add_parser("revoke", help="revoke a token at once, everywhere")
    revoke.add_argument("token_id", type=int)


def serve_web(settings: Any, args: argparse.Namespace) -> int:
    """Serve the workspace in the foreground until SIGINT/SIGTERM."""
    import uvicorn

    from worker.runtime import build_store
    from worker.web.app import create_app
    from worker.web.auth import AuthNotAllowed

    web = settings.web.model_copy(
        update={k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    )
    settings = settings.model_copy(update={"web": web})
    store = build_store(settings)
    try:
        app = create_app(settings, store)
    except AuthNotAllowed as exc:
        print(f"arworker: configuration error: {exc}", file=sys.stderr)
        store.engine.dispose()
        return EXIT_USAGE
    if web.auth == "none":
        print(
            "arworker: WARNING: authentication is OFF (web.auth = none): everyone who reaches "
            f"http://{web.host}:{web.port} acts as an admin.",
            file=sys.stderr,
        )
    print(f"arworker workspace on http://{web.host}:{web.port} (Ctrl-C to stop)", file=sys.stderr)
    try:
        uvicorn.run(
            app,
            host=web.host,
            port=web.port,
            log_level="warning",
            access_log=False,
            log_config=None,
            proxy_headers=False,  # the client address is the peer: proxy trust is ours to decide
        )
    finally:
        store.engine.dispose()
    return EXIT_OK


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def run_users_command(settings: Any, args: argparse.Namespace) -> int:
    from connectors.oracle.errors import AlreadyExists
    from worker.runtime import build_store
    from worker.web.credentials import hash_password

    command = args.users_command
    actor = cli_actor()
    store = build_store(settings)
    try:
        if command == "list":
            users = store.web_users()
            if args.json:
                print(json.dumps({"users": [_user_json(u) for u in users]}, default=str))
            for u in [] if args.json else users:
                state = "" if u.enabled else " (disabled)"
                link = f" collector {u.collector_id}" if u.collector_id is not None else ""
                print(f"{u.user_name:<24} {u.role.lower():<10}{link}{state}")
            return EXIT_OK
        if command == "add":
            hashed = (
                None if args.no_password else hash_password(_read_password(args.password_stdin))
            )
            role = args.role.upper()
            user_id = store.add_web_user(
                user_name=args.user_name,
                role=role,
                password_hash=hashed,
                display_name=args.display_name,
                email_address=args.email,
                collector_id=args.collector_id,
                audit=actor.audit("ADD_USER", "USER", args.user_name, detail=role),
            )
            message = f"user {args.user_name} ({args.role}) created"
            print(json.dumps({"user_id": user_id}) if args.json else message)
            return EXIT_OK
        changes: dict[str, Any]
        if command == "set-role":
            changes, what = {"role_code": args.role.upper()}, f"role {args.role}"
        elif command == "set-password":
            changes = {"password_hash": hash_password(_read_password(args.password_stdin))}
            what = "new password"
        elif command == "set-collector":
            changes = {"collector_id": args.collector_id or None}
            what = f"collector {args.collector_id or 'none'}"
        else:
            changes, what = {"enabled_flag": command == "enable"}, f"{command}d"
        audit = actor.audit(f"USER_{command.upper().replace('-', '_')}", "USER", args.user_name)
        if not store.update_web_user(args.user_name, changes=changes, audit=audit):
            print(f"arworker: no user {args.user_name!r}", file=sys.stderr)
            return EXIT_USAGE
        print(f"user {args.user_name}: {what}")
        return EXIT_OK
    except AlreadyExists:
        print(f"arworker: user {args.user_name!r} exists already", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        print(f"arworker: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        store.engine.dispose()


def _user_json(user: Any) -> dict[str, Any]:
    data = asdict(user)
    data.pop("password_hash")
    return data


def run_tokens_command(settings: Any, args: argparse.Namespace) -> int:
    from worker.runtime import build_store
    from worker.web.credentials import new_api_token

    command = args.tokens_command
    actor = cli_actor()
    store = build_store(settings)
    try:
        if command == "create":
            token, hashed, hint = new_api_token()
            expires = None
            if args.expires_days:
                expires = store.clock() + dt.timedelta(days=args.expires_days)
            token_id = store.add_api_token(
                token_hash=hashed,
                token_hint=hint,
                user_name=args.user,
                role=args.role.upper(),
                label=args.label,
                expires_at=expires,
                audit=actor.audit(
                    "CREATE_TOKEN", "TOKEN", None, detail=f"{args.user} {args.role} {hint}…"
                ),
            )
            if args.json:
                print(
                    json.dumps(
                        {"token_id": token_id, "token": token, "expires_at": expires}, default=str
                    )
                )
            else:
                print(f"token {token_id} for {args.user} ({args.role}); shown once, keep it now:")
                print(token)
            return EXIT_OK
        if command == "list":
            tokens = store.api_tokens()
            if args.json:
                print(json.dumps({"tokens": [asdict(t) for t in tokens]}, default=str))
                return EXIT_OK
            now = store.clock()
            for t in tokens:
                state = "active" if t.usable_at(now) else ("revoked" if t.revoked_at else "expired")
                print(
                    f"{t.token_id:>4} {t.token_hint}…  {t.user_name:<20} {t.role.lower():<10} "
                    f"{state:<8} {t.label or ''}"
                )
            return EXIT_OK
        audit = actor.audit("REVOKE_TOKEN", "TOKEN", args.token_id)
        if not store.revoke_api_token(args.token_id, revoked_by=actor.name, audit=audit):
            print(f"arworker: no active token {args.token_id}", file=sys.stderr)
            return EXIT_USAGE
        print(f"token {args.token_id} revoked")
        return EXIT_OK
    finally:
        store.engine.dispose()
