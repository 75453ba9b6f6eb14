"""The ``arworker`` command.

Imports stay inside the command functions: ``arworker --help`` must answer in a blink, without
loading SQLAlchemy or Playwright. Job commands print exactly one JSON object on stdout with
``--json``; logs always go to stderr. The exit statuses are listed in ``EPILOG`` (``--help``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

EXIT_OK = 0
EXIT_JOB_FAILED = 1
EXIT_CONFIG = 2
#: ``submit INVOICE…``: a named invoice cannot be submitted (jobs.submit_explain.Conclusion)
EXIT_NOT_SUBMITTABLE = 3
#: ``submit INVOICE…``: a named invoice was rejected, or its attempts ran out
EXIT_NEEDS_ACTION = 4
#: ``submit INVOICE…``: a named invoice is still in the queue
EXIT_NOT_YET = 5

DESCRIPTION = """\
arworker reads open receivables from Oracle EBS (or the embedded SQLite demo database),
uploads each invoice to the customer's e-invoicing portal with headless Chromium, and writes
what happened back as collection notes (JTF_NOTES) that collectors see in iCollections.

Configuration: ARWORKER_* environment variables (nested with __), a .env file, a secrets
directory, and the TOML file named by ARWORKER_CONFIG. See `arworker config check`.
"""

EPILOG = """\
examples:
  arworker demo                       seed the embedded database, serve the stand-in portals,
                                      run the nightly job end to end
  arworker nightly --json             the nightly run; one JSON summary on stdout
  arworker submit 10234 10235         submit these invoices now
  arworker resync 1004                re-submit what was rejected for account 1004
  arworker config check               print the effective configuration, secrets masked
  arworker report past-due            balances over 10,000 more than 60 days late (CSV)
  arworker web                        serve the collector workspace and JSON API
  arworker accounts list              portal accounts; add, edit, disable, test-login them

exit status:
  0  the command did its work (rejections in a nightly, resync or queue run are
     outcomes, not errors)
  1  the job itself failed, or the database could not be reached (see the log)
  2  usage or configuration error, a broken portal recipe, or a database without
     the worker's tables: the message names the problem and the fix
  3  submit INVOICE...: a named invoice cannot be submitted: no such number, another
     operating unit, closed, not an invoice, or its customer is not enrolled
  4  submit INVOICE...: a named invoice was rejected by the portal (fix it in EBS,
     then `arworker resync ACCOUNT`) or its attempts ran out
  5  submit INVOICE...: a named invoice is still queued (retry scheduled, another
     worker has it, or a login or portal is paused)
  With several named invoices, the first of 3, 4, 5 that applies; --json says which
  invoice is which ("invoices").
"""


def _common_options() -> argparse.ArgumentParser:
    """Options every command accepts, before or after its name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"], default=argparse.SUPPRESS
    )
    common.add_argument(
        "--log-format",
        choices=["auto", "json", "console"],
        default=argparse.SUPPRESS,
        help="default: from configuration (auto: JSON unless stderr is a terminal)",
    )
    return common


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number, e.g. 3") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1, e.g. 3")
    return value


def _add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--json", action="store_true", help="print exactly one JSON object on stdout (for scripts)"
    )


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="arworker",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add = sub.add_parser

    def add_parser(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return add(name, parents=[common], **kwargs)

    sub.add_parser = add_parser  # type: ignore[method-assign]  # every command takes --log-*

    demo = sub.add_parser(
        "demo",
        help="run the nightly job on the embedded default against the stand-in portals",
        description="Create and seed the embedded database if empty, serve the stand-in "
        "portals on a free loopback port, run the nightly job, print a summary.",
    )
    demo.add_argument("--port", type=int, default=0, help="stand-in portal port (0: any free)")
    demo.add_argument(
        "--customers",
        type=_positive_int,
        metavar="N",
        help="only the first N customers of the demo book (3: one per portal family; "
        "default: all, 189 invoices)",
    )
    demo.add_argument(
        "--serve",
        action="store_true",
        help="afterwards keep the portals up and serve the collector workspace on the demo "
        "database (a demo user is printed), with a worker beside it, until Ctrl-C",
    )
    _add_json(demo)

    nightly = sub.add_parser("nightly", help="enqueue open invoices, submit them, summarise")
    _add_json(nightly)

    submit = sub.add_parser("submit", help="drain the queue now, or submit the named invoices")
    submit.add_argument("invoices", nargs="*", metavar="INVOICE_NUMBER")
    _add_json(submit)

    resync = sub.add_parser(
        "resync", help="re-read one customer account and re-submit its rejected/failed invoices"
    )
    resync.add_argument("account", metavar="ACCOUNT_NUMBER")
    resync.add_argument(
        "--queue",
        action="store_true",
        help="only queue a resync request for the running worker (`arworker run`) to pick up",
    )
    _add_json(resync)

    status = sub.add_parser(
        "status",
        help="read portal statuses of submitted invoices and note every change (approved, "
        "disputed, paid)",
        description="Read the portal verdicts due for a look (pending and disputed: daily; "
        "approved: around the projected pay date; paid and voided: never again), from the "
        "portals' list pages where they have them, and write one collection note per change.",
    )
    status.add_argument("--account", metavar="ACCOUNT_NUMBER", help="only this customer account")
    status.add_argument(
        "--all",
        dest="every",
        action="store_true",
        help="read every watched verdict now, due or not (a full pass)",
    )
    _add_json(status)

    run = sub.add_parser(
        "run",
        help="the long-running worker: nightly run, queue and status polls, resync requests",
        description="Run the scheduler until SIGTERM/SIGINT. Several workers may share one "
        "database: the nightly enqueue happens once per scheduled time across them.",
    )
    run.add_argument(
        "--nightly-now",
        action="store_true",
        help="also run the current nightly slot right away (once across the fleet)",
    )
    run.add_argument(
        "--exit-when-drained",
        action="store_true",
        help="stop after that nightly run has drained the queue (batch hosts, tests)",
    )

    from worker.accounts_cli import add_accounts_commands
    from worker.web_cli import add_web_commands

    add_accounts_commands(sub, _add_json)
    add_web_commands(sub, _add_json)

    config = sub.add_parser("config", help="configuration commands")
    config_sub = config.add_subparsers(dest="config_command", metavar="SUBCOMMAND")
    check = config_sub.add_parser(
        "check", help="validate and print the effective configuration (secrets masked)"
    )
    _add_json(check)

    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", metavar="SUBCOMMAND")
    init = db_sub.add_parser("init", help="create the worker's tables on the configured database")
    init.add_argument(
        "--ebs-stand-ins",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also create simplified EBS source tables (default: yes, except on Oracle)",
    )
    seed = db_sub.add_parser("seed", help="load the demo book of business")
    seed.add_argument(
        "--portal-url",
        default="http://127.0.0.1:8765",
        help="base URL of the stand-in portals the demo accounts point at",
    )
    ddl = db_sub.add_parser("ddl", help="print the DDL the code would create")
    ddl.add_argument("--dialect", choices=["oracle", "postgresql", "sqlite"], default="oracle")
    ddl.add_argument("--ebs-stand-ins", action="store_true", help="include the EBS stand-ins")

    from worker.report_cli import add_report_parser

    add_report_parser(sub)

    sandbox = sub.add_parser("sandbox", help="the stand-in portals")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", metavar="SUBCOMMAND")
    serve = sandbox_sub.add_parser("serve", help="serve the stand-in portals in the foreground")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--latency-ms", type=int, default=0, help="added to every request")
    serve.add_argument("--error-rate", type=float, default=0.0, help="fraction of 503 pages")
    serve.add_argument(
        "--confirm-fail-rate",
        type=float,
        default=0.0,
        help="fraction of accepted invoices whose confirmation page fails with a 500",
    )
    serve.add_argument(
        "--session-idle-s",
        type=float,
        default=None,
        help="idle session expiry in seconds (default: 1800, as most portals)",
    )
    serve.add_argument(
        "--lockout-after", type=int, default=None, help="failed logins before lock (default: 3)"
    )
    serve.add_argument("--layout", choices=["v1", "v2"], default="v1", help="v2 renames fields")
    serve.add_argument("--seed", type=int, default=7, help="random seed of the fault injection")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_CONFIG
    from config.settings import ConfigError
    from connectors.oracle.errors import StoreError, TableMissing

    try:
        return _dispatch(parser, args)
    except ConfigError as exc:
        print(f"arworker: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except TableMissing as exc:
        print(
            f"arworker: the database has no table {(exc.table_name or '?').upper()} ({exc}); "
            "if the worker's tables were never created, run `arworker db init`",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except StoreError as exc:
        print(f"arworker: database error: {exc}", file=sys.stderr)
        return EXIT_JOB_FAILED
    except KeyboardInterrupt:
        return 130


def _settings_and_logging(args: argparse.Namespace) -> Any:
    from config.settings import load_settings
    from worker.logging import configure_logging

    settings = load_settings()
    configure_logging(
        level=getattr(args, "log_level", None) or settings.logging.level,
        fmt=getattr(args, "log_format", None) or settings.logging.format,
    )
    return settings


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    command = args.command
    if command == "config":
        if getattr(args, "config_command", None) != "check":
            parser.parse_args(["config", "--help"])
        return _config_check(args)
    if command == "db":
        return _db(parser, args)
    if command == "accounts" and getattr(args, "accounts_command", None) in ("pauses", "resume"):
        from worker.pause_cli import run_pause_command

        return run_pause_command(_settings_and_logging(args), args)
    if command == "sandbox":
        if getattr(args, "sandbox_command", None) != "serve":
            parser.parse_args(["sandbox", "--help"])
        return _sandbox_serve(args)
    settings = _settings_and_logging(args)
    from worker.preflight import check_before_start

    # before any browser or claim: drivers, supplier and tables, every problem at once
    queue_only = command == "resync" and args.queue
    check_before_start(
        settings,
        command=command,
        uploads=command in ("nightly", "submit", "resync", "run") and not queue_only,
        database=command != "demo",
    )
    if command == "demo":
        from worker.demo import run_demo

        return run_demo(
            settings,
            port=args.port,
            as_json=args.json,
            customers=args.customers,
            serve=args.serve,
        )
    if command == "run":
        from worker.scheduler import run_daemon

        return run_daemon(
            settings, nightly_now=args.nightly_now, exit_when_drained=args.exit_when_drained
        )
    if command == "report":
        from worker.report_cli import run_report_command

        return run_report_command(parser, args, settings)
    if command == "resync" and args.queue:
        return _queue_resync(settings, args)
    if command in WORKSPACE_COMMANDS:
        return _workspace_command(parser, settings, args)
    return _run_job(settings, args)


#: command → the attribute naming its subcommand (None: no subcommands)
WORKSPACE_COMMANDS = {
    "web": None,
    "accounts": "accounts_command",
    "users": "users_command",
    "tokens": "tokens_command",
}


def _workspace_command(
    parser: argparse.ArgumentParser, settings: Any, args: argparse.Namespace
) -> int:
    from worker import accounts_cli, web_cli

    command = args.command
    sub = WORKSPACE_COMMANDS[command]
    if sub is not None and getattr(args, sub, None) is None:
        parser.parse_args([command, "--help"])
    if command == "web":
        return web_cli.serve_web(settings, args)
    if command == "accounts":
        return accounts_cli.run_accounts_command(settings, args)
    if command == "users":
        return web_cli.run_users_command(settings, args)
    return web_cli.run_tokens_command(settings, args)


def _queue_resync(settings: Any, args: argparse.Namespace) -> int:
    import getpass

    from worker.runtime import build_store

    store = build_store(settings)
    try:
        if store.account_id(args.account) is None:
            print(f"arworker: account {args.account!r} is not in HZ_CUST_ACCOUNTS", file=sys.stderr)
            return EXIT_CONFIG
        request_id = store.request_resync(args.account, requested_by=getpass.getuser())
    finally:
        store.engine.dispose()
    if args.json:
        print(json.dumps({"job": "resync", "queued": True, "request_id": request_id}))
    else:
        print(f"resync of account {args.account} queued as request {request_id}")
    return EXIT_OK


def _run_job(settings: Any, args: argparse.Namespace) -> int:
    import structlog

    from jobs import nightly, resync, status, submit
    from worker.progress import ProgressReporter, summary_table
    from worker.runtime import build_store, job_context

    reporter = ProgressReporter()
    store = build_store(settings)

    async def go() -> Any:
        async with job_context(
            settings, job=args.command, store=store, on_progress=reporter
        ) as ctx:
            if args.command == "nightly":
                return await nightly.run(ctx)
            if args.command == "submit":
                return await submit.run(ctx, invoice_numbers=args.invoices)
            if args.command == "status":
                return await status.run(ctx, account_number=args.account, every=args.every)
            return await resync.run(ctx, account_number=args.account)

    try:
        summary = asyncio.run(go())
    except LookupError as exc:  # unknown account (resync.UnknownAccount is one)
        print(f"arworker: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except Exception as exc:
        structlog.get_logger("arworker").exception("job.failed", job=args.command)
        if args.json:
            print(json.dumps({"job": args.command, "status": "FAILED", "error": str(exc)}))
        return EXIT_JOB_FAILED
    finally:
        reporter.close()
        counts = store.status_counts() if store else {}
        store.engine.dispose()
    if args.json:
        print(json.dumps(summary.as_json(), default=str))
    else:
        print(summary_table(summary.as_json(), counts))
        for explanation in summary.invoices:
            print(explanation.text())
    return _named_invoices_status(summary.invoices)


def _named_invoices_status(explanations: Sequence[Any]) -> int:
    """The exit status of ``submit INVOICE…``: 0 when every named invoice is on the portal."""
    from jobs.submit_explain import Conclusion, overall

    if not explanations:
        return EXIT_OK
    return {
        Conclusion.ON_PORTAL: EXIT_OK,
        Conclusion.NOT_SUBMITTABLE: EXIT_NOT_SUBMITTABLE,
        Conclusion.NEEDS_ACTION: EXIT_NEEDS_ACTION,
        Conclusion.NOT_YET: EXIT_NOT_YET,
    }[overall(list(explanations))]


def _config_check(args: argparse.Namespace) -> int:
    from worker.config_check import check_configuration
    from worker.config_report import render_configuration

    check = check_configuration()
    if args.json:
        report = check.report or {}
        print(
            json.dumps(report | {"ok": not check.problems, "problems": check.problems}, default=str)
        )
    else:
        if check.report is not None:
            print(render_configuration(check.report))
        if check.problems:
            print(
                f"arworker: configuration has {len(check.problems)} problem(s):\n  "
                + "\n  ".join(check.problems),
                file=sys.stderr,
            )
        else:
            print("configuration OK")
    return EXIT_CONFIG if check.problems else EXIT_OK


def _db(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    sub = getattr(args, "db_command", None)
    if sub is None:
        parser.parse_args(["db", "--help"])
    if sub == "ddl":
        from connectors.oracle.ddl import render_ddl

        print(render_ddl(args.dialect, include_ebs=args.ebs_stand_ins))
        return EXIT_OK
    settings = _settings_and_logging(args)
    from worker.runtime import build_store

    store = build_store(settings)
    try:
        if sub == "init":
            stand_ins = args.ebs_stand_ins
            if stand_ins is None:
                stand_ins = store.engine.dialect.name != "oracle"
            store.create_schema(include_ebs_stand_ins=stand_ins)
            print(f"tables created on {store.engine.url.render_as_string(hide_password=True)}")
            return EXIT_OK
        from worker.demo import seed_if_empty

        report = seed_if_empty(settings, store, portal_base_url=args.portal_url)
        print(report)
        return EXIT_OK
    finally:
        store.engine.dispose()


def _sandbox_serve(args: argparse.Namespace) -> int:
    import datetime as dt

    from sandbox.faults import Faults, FaultsInvalid
    from sandbox.seeder import portal_catalog
    from sandbox.server import serve_forever
    from worker.demo import DEMO_FAMILIES

    chosen = {
        "latency_ms": args.latency_ms,
        "error_rate": args.error_rate,
        "confirm_fail_rate": args.confirm_fail_rate,
        "session_idle_s": args.session_idle_s,
        "lockout_after": args.lockout_after,
        "layout": args.layout,
        "seed": args.seed,
    }
    # an option left out keeps the stand-in's own default (a healthy portal)
    try:
        faults = Faults(**{name: value for name, value in chosen.items() if value is not None})
    except FaultsInvalid as exc:
        print(f"arworker: sandbox serve: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    catalog = portal_catalog(today=dt.date.today(), families=DEMO_FAMILIES)
    print(f"stand-in portals on http://{args.host}:{args.port} (Ctrl-C to stop)", file=sys.stderr)
    serve_forever(catalog, args.host, args.port, faults)
    return EXIT_OK
