"""Portal recipes: the shipped one loads, every kind of mistake fails at load time with the
file, the line, the key and what is expected, and templates render dates and amounts per locale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from config.settings import ConfigError
from connectors.portals.base import PortalDriver, PortalStatus
from connectors.portals.errors import RejectionCode
from connectors.portals.recipe.driver import RecipeDriver
from connectors.portals.recipe.files import (
    RECIPES_DIR_ENV,
    RecipeError,
    find_recipe,
    load_recipe,
)
from connectors.portals.recipe.numbers import LOCALES, parse_amount
from connectors.portals.recipe.positions import key_lines
from connectors.portals.recipe.template import (
    TemplateInvalid,
    account_values,
    invoice_values,
    parse_template,
    render,
)
from connectors.portals.registry import driver_for, known_families
from tests.support.books.common import GLOBEX
from tests.support.books.upload import outgoing_invoice, upload_account
from tests.support.recipe_text import (
    SHIPPED,
    SHIPPED_TEXT,
    line_with,
    load_problems,
    mutated,
    write_recipe,
)

# --- the shipped recipe ---------------------------------------------------------------------


def test_shipped_upload_recipe_loads() -> None:
    """config/portals/upload.toml loads, with its status map and rejection rules."""
    loaded = load_recipe(SHIPPED)
    recipe = loaded.recipe
    assert loaded.code == "upload"
    assert recipe.status.map["In error"] is PortalStatus.REJECTED
    assert [rule.code for rule in recipe.rejections] == [
        RejectionCode.DUPLICATE,
        RejectionCode.PO_CLOSED,
        RejectionCode.PO_AMOUNT_EXCEEDED,
        RejectionCode.PO_MISSING,
        RejectionCode.DATE_RULE,
        RejectionCode.ATTACHMENT_INVALID,
    ]
    assert [step.action for step in recipe.submit.steps].count("upload") == 1
    assert loaded.where(("submit", "button")) == (
        f"upload.toml line {line_with(SHIPPED_TEXT, 'button = ')}, key submit.button"
    )


def test_registry_drives_upload_by_its_recipe() -> None:
    """driver_for("upload") is a RecipeDriver of the shipped recipe, and "upload" is known."""
    driver = driver_for("upload")
    assert isinstance(driver, RecipeDriver)
    assert isinstance(driver, PortalDriver)
    assert driver.family == "upload"
    assert "upload" in known_families()


def test_registry_finds_recipes_in_the_extra_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A recipe in ARWORKER_PORTALS_DIR becomes a known family driven by its recipe."""
    write_recipe(tmp_path, SHIPPED_TEXT, name="acme-ap.toml")
    monkeypatch.setenv(RECIPES_DIR_ENV, str(tmp_path))
    assert "acme-ap" in known_families()
    assert find_recipe("ACME-AP") == tmp_path / "acme-ap.toml"
    assert driver_for("acme-ap").family == "acme-ap"


def test_registry_refuses_a_broken_recipe_at_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A recipe with a mistake makes driver_for fail with a ConfigError naming the file."""
    write_recipe(tmp_path, mutated('code = "DUPLICATE"', 'code = "DUPLICAT"'), name="bad.toml")
    monkeypatch.setenv(RECIPES_DIR_ENV, str(tmp_path))
    with pytest.raises(ConfigError, match=r"bad\.toml, line \d+, key rejections\[0\]\.code"):
        driver_for("bad")


def test_registry_names_the_known_families_for_an_unknown_one() -> None:
    """An unknown family is refused with the list, recipes included."""
    with pytest.raises(ConfigError, match=r"known families: .*upload"):
        driver_for("tungstn")


# --- mistakes, each named with file, line, key and expectation ------------------------------


def test_recipe_unknown_key_names_line_key_and_the_known_keys(tmp_path: Path) -> None:
    """A misspelt key is refused with its line and the keys that section knows."""
    text = mutated('signed_in = "#account-menu"', 'signed_inn = "#account-menu"')
    path, problems = load_problems(tmp_path, text)
    [unknown] = [p for p in problems if "unknown key" in p]
    line = line_with(text, "signed_inn")
    assert unknown.startswith(
        f"{path}, line {line}, key login.signed_inn: unknown key 'signed_inn'; expected one of: "
        "error, open, signed_in, steps, submit, totp"
    )
    assert unknown.endswith("(did you mean 'signed_in'?)")


def test_recipe_missing_section_is_named_with_what_it_is_for(tmp_path: Path) -> None:
    """A recipe without [login] is refused naming the section and what it must say."""
    start = SHIPPED_TEXT.index("[login]")
    end = SHIPPED_TEXT.index("[submit]")
    path, problems = load_problems(tmp_path, SHIPPED_TEXT[:start] + SHIPPED_TEXT[end:])
    assert problems == [
        f"{path}, key login: missing required section login ([login]: how to sign in)"
    ]


def test_recipe_missing_key_points_at_its_section(tmp_path: Path) -> None:
    """A required key left out is reported at its section's line, with its meaning."""
    text = mutated('button = "#send-invoice"\n', "")
    path, problems = load_problems(tmp_path, text)
    assert problems == [
        f"{path}, line {line_with(text, '[submit]')}, key submit.button: missing required key "
        "button (the button that submits the invoice)"
    ]


def test_recipe_without_an_upload_step_is_refused(tmp_path: Path) -> None:
    """submit.steps must attach the PDF: a recipe without the upload step fails at load."""
    text = mutated('  { upload = "#invoice-file" },\n', "")
    path, problems = load_problems(tmp_path, text)
    assert problems == [
        f"{path}, line {_submit_steps_line(text)}, key submit.steps: submit.steps must attach "
        "the invoice PDF exactly once with an 'upload' step (found 0); add "
        '{ upload = "#file-input" }'
    ]


def _submit_steps_line(text: str) -> int:
    submit = line_with(text, "[submit]")
    lines = text.splitlines()
    return next(n for n in range(submit, len(lines) + 1) if lines[n - 1].startswith("steps = ["))


def test_recipe_without_a_password_step_is_refused(tmp_path: Path) -> None:
    """A login that never types the password is a missing required step."""
    text = mutated('  { fill = "#password", value = "{account.password}" },\n', "")
    path, problems = load_problems(tmp_path, text)
    assert problems == [
        f"{path}, line {line_with(text, 'steps = [')}, key login.steps: missing required step: "
        'no step types {account.password}; add { fill = "#password", value = '
        '"{account.password}" }'
    ]


def test_recipe_bad_template_field_names_the_known_fields(tmp_path: Path) -> None:
    """{invoice.nubmer} fails at load with the step's line and the invoice fields known."""
    text = mutated('value = "{invoice.number}"', 'value = "{invoice.nubmer}"')
    path, problems = load_problems(tmp_path, text)
    assert problems == [
        f"{path}, line {line_with(text, 'nubmer')}, key submit.steps[3].value: "
        "'{invoice.nubmer}': unknown invoice field 'nubmer'; known: buyer_name, currency, date, "
        "due_date, net, number, purchase_order, tax, total (did you mean 'number'?)"
    ]


@pytest.mark.parametrize(
    ("old", "new", "key", "expected"),
    [
        (
            "{invoice.date:%d.%m.%Y}",
            "{invoice.date:%d.%m.%Q}",
            "submit.steps[4].value",
            "unknown date directive(s) %Q for invoice.date; use e.g. %d.%m.%Y",
        ),
        (
            "{invoice.total:amount}",
            "{invoice.total:amout}",
            "submit.steps[10].value",
            "unknown amount format 'amout' for invoice.total; use one of amount, "
            "amount_ungrouped, plain",
        ),
        (
            'value = "{invoice.number}"',
            'value = "{number}"',
            "submit.steps[3].value",
            "{number} needs a namespace, e.g. {invoice.number}",
        ),
        (
            'open = "/status?number={invoice.number}"',
            'open = "/status?number={invoice.number}&total={invoice.total}"',
            "status.open",
            "{invoice.total} is not known in [status]: an invoice is looked up by "
            "{invoice.number} only",
        ),
        (
            '{ fill = "#inv-po", value = "{invoice.purchase_order}" }',
            '{ fill = "#inv-po", value = "{account.password}" }',
            "submit.steps[6].value",
            "{account.password} may only be typed by a fill step of [login] (its value)",
        ),
        (
            'open = "/login"',
            'open = "/login?pw={account.password}"',
            "login.open",
            "{account.password} may only be typed by a fill step of [login] (its value)",
        ),
        (
            '{ fill = "#username", value = "{account.login_name}" }',
            '{ fill = "#username", value = "{invoice.number}" }',
            "login.steps[0].value",
            "{invoice.number} is not known in [login]; usable here: account",
        ),
    ],
    ids=["date-directive", "amount-format", "no-namespace", "lookup-scope", "secret-scope",
         "secret-in-url", "login-scope"],
)  # fmt: skip
def test_recipe_template_mistakes_are_located(
    tmp_path: Path, old: str, new: str, key: str, expected: str
) -> None:
    """Template formats and scopes are checked at load, each error at its key and line."""
    text = mutated(old, new)
    path, problems = load_problems(tmp_path, text)
    [problem] = problems
    assert problem.startswith(f"{path}, line {line_with(text, new)}, key {key}: ")
    assert expected in problem


def test_recipe_bad_regex_is_named(tmp_path: Path) -> None:
    """A rejection pattern that is not a regular expression fails at load, at its line."""
    text = mutated("pattern = 'VAL 10\\b|purchase order .* is closed'", "pattern = 'VAL (10'")
    path, problems = load_problems(tmp_path, text)
    assert problems == [
        f"{path}, line {line_with(text, 'VAL (10')}, key rejections[1].pattern: 'VAL (10' is not "
        "a valid regular expression: missing ), unterminated subpattern at position 4"
    ]


def test_recipe_unknown_status_target_lists_the_statuses(tmp_path: Path) -> None:
    """A status mapped to something we do not know names our statuses (and the near one)."""
    text = mutated('"Approved" = "APPROVED"', '"Approved" = "APPROVD"')
    path, problems = load_problems(tmp_path, text)
    assert problems == [
        f"{path}, line {line_with(text, 'APPROVD')}, key status.map.Approved: unknown status "
        "'APPROVD'; expected one of PENDING_APPROVAL, APPROVED, DISPUTED, REJECTED, PAID, "
        "VOIDED (did you mean 'APPROVED'?)"
    ]


def test_recipe_status_with_a_space_is_quoted_in_the_key(tmp_path: Path) -> None:
    """Keys of [status.map] that are not bare words are quoted in the error's key."""
    text = mutated('"In error" = "REJECTED"', '"In error" = "FAILED"')
    _, problems = load_problems(tmp_path, text)
    assert (
        f'line {line_with(text, "FAILED")}, key status.map."In error": unknown status'
        in (problems[0])
    )


@pytest.mark.parametrize(
    ("old", "new", "key", "expected"),
    [
        (
            'code = "PO_CLOSED"',
            'code = "PO_SHUT"',
            "rejections[1].code",
            "unknown rejection code 'PO_SHUT'; expected one of DUPLICATE, PO_CLOSED,",
        ),
        (
            '{ upload = "#invoice-file" }',
            '{ upload = "#invoice-file", fill = "#x", value = "y" }',
            "submit.steps[11]",
            "a step does one thing: give exactly one of fill, select, click, check, upload, "
            "expect, wait_for (got fill, upload)",
        ),
        (
            '{ click = "#recipient-continue", navigates = true }',
            '{ click = "#recipient-continue", value = "x" }',
            "submit.steps[1]",
            "value does not go with 'click' (click takes: navigates)",
        ),
        (
            'statuses = ["Processing"]',
            'statuses = ["Pending"]',
            "submit.processing.statuses[0]",
            "'Pending' is not a status of [status.map]",
        ),
        (
            'locale = "en-US"',
            'locale = "xx-YY"',
            "portal.locale",
            "unknown locale 'xx-YY'; known: ",
        ),
        (
            "poll_interval_ms = 400",
            "poll_interval_ms = 5",
            "submit.processing.poll_interval_ms",
            "Input should be greater than or equal to 50, got 5 (between two looks)",
        ),
        (
            'open = "/login"',
            'open = "login"',
            "login.open",
            "a path relative to the portal account's URL is expected",
        ),
    ],
    ids=["code", "two-actions", "companion", "processing-status", "locale", "range", "path"],
)
def test_recipe_value_mistakes_are_located(
    tmp_path: Path, old: str, new: str, key: str, expected: str
) -> None:
    """Bad codes, steps, statuses, locales and ranges are each named at their key and line."""
    text = mutated(old, new)
    path, problems = load_problems(tmp_path, text)
    [problem] = problems
    assert problem.startswith(f"{path}, line {line_with(text, new)}, key {key}: ")
    assert expected in problem


def test_recipe_reports_every_problem_at_once(tmp_path: Path) -> None:
    """Several mistakes come back together, in file order."""
    text = mutated('signed_in = "#account-menu"', 'signed_inn = "#account-menu"').replace(
        'code = "PO_CLOSED"', 'code = "PO_SHUT"'
    )
    path = write_recipe(tmp_path, text)
    with pytest.raises(RecipeError) as caught:
        load_recipe(path)
    keys = [p.split(", key ")[1].split(":")[0] for p in caught.value.problems]
    assert keys == ["login.signed_in", "login.signed_inn", "rejections[1].code"]
    assert f"portal recipe {path} has 3 problem(s)" in str(caught.value)


def test_recipe_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    """A file that is not TOML is refused with tomllib's line and column."""
    path = write_recipe(tmp_path, '[portal]\nname = "x\n')
    with pytest.raises(RecipeError, match=r"acme\.toml: not valid TOML: .*line 2"):
        load_recipe(path)


def test_recipe_positions_follow_arrays_of_tables_and_inline_arrays() -> None:
    """The scanner finds keys in arrays of tables, inline tables and multi-line arrays."""
    lines = key_lines(SHIPPED_TEXT)
    assert lines[("rejections", 5, "code")] == len(SHIPPED_TEXT.rstrip("\n").splitlines())
    assert lines[("submit", "steps", 11, "upload")] == line_with(SHIPPED_TEXT, "{ upload =")
    assert lines[("status", "map", "In error")] == line_with(SHIPPED_TEXT, '"In error" =')


def test_recipe_driver_classifies_by_the_first_matching_rule() -> None:
    """Rules are tried in file order over all messages; nothing matching is OTHER."""
    driver = RecipeDriver(load_recipe(SHIPPED))
    closed_and_over = [
        "VAL 9: Invoice net amount exceeds the open balance of purchase order PO-1",
        "VAL 10: Purchase order PO-1 is closed",
    ]
    assert driver.classify(closed_and_over) is RejectionCode.PO_CLOSED
    assert driver.classify(["Only PDF files can be uploaded"]) is RejectionCode.ATTACHMENT_INVALID
    assert driver.classify(["Select the invoice currency"]) is RejectionCode.OTHER


# --- templates --------------------------------------------------------------------------------


INVOICE = outgoing_invoice(
    "INV/2024 7",
    invoice_date=dt.date(2024, 3, 9),
    net="1234567.891",
    tax="0.004",
)
VALUES = {
    "invoice": invoice_values(INVOICE),
    "account": account_values(upload_account("http://127.0.0.1:1/upload")),
}


@pytest.mark.parametrize(
    ("source", "locale", "expected"),
    [
        ("{invoice.date:%d.%m.%Y}", "en-US", "09.03.2024"),
        ("{invoice.date:%m/%d/%y}", "en-US", "03/09/24"),
        ("{invoice.date}", "de-DE", "2024-03-09"),
        ("{invoice.due_date:%d.%m.%Y}", "de-DE", ""),
        ("{invoice.total:amount}", "en-US", "1,234,567.90"),
        ("{invoice.total:amount}", "de-DE", "1.234.567,90"),
        ("{invoice.total:amount}", "fr-FR", "1 234 567,90"),
        ("{invoice.total:amount}", "de-CH", "1'234'567.90"),
        ("{invoice.total:amount_ungrouped}", "de-DE", "1234567,90"),
        ("{invoice.total:plain}", "de-DE", "1234567.90"),
        ("{invoice.net}", "de-DE", "1.234.567,89"),
        ("{invoice.tax:amount}", "en-GB", "0.00"),
        ("No. {invoice.number} for {account.buyer_name}", "en-US", f"No. INV/2024 7 for {GLOBEX}"),
        ("{{literal}} {invoice.currency}", "en-US", "{literal} USD"),
    ],
)
def test_template_renders_dates_and_amounts_per_locale(
    source: str, locale: str, expected: str
) -> None:
    """Dates follow the template's format, amounts the locale's marks; missing values are ""."""
    assert render(parse_template(source), VALUES, locale=LOCALES[locale]) == expected


def test_template_encodes_values_in_urls() -> None:
    """In a path, each value is percent-encoded (the literal text is not)."""
    rendered = render(
        parse_template("/status?number={invoice.number}"),
        VALUES,
        locale=LOCALES["en-US"],
        for_url=True,
    )
    assert rendered == "/status?number=INV%2F2024%207"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{invocie.number}", "unknown template namespace 'invocie'; known: account, document, "
                             "invoice, line (did you mean 'invoice'?)"),
        ("{invoice.number:%d}", "invoice.number is text and takes no format"),
        ("{invoice.number!r}", "'!r' is not supported"),
        ("{invoice.number", "is not a valid template"),
        ("{line.quantity:amount}", "unknown quantity format 'amount' for line.quantity"),
    ],
)  # fmt: skip
def test_template_mistakes_say_what_is_expected(source: str, message: str) -> None:
    """Template errors name the namespace, field or format and the accepted choices."""
    with pytest.raises(TemplateInvalid) as caught:
        parse_template(source)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1.234,56 EUR", "de-DE", Decimal("1234.56")),
        ("1,234.56 USD", "en-US", Decimal("1234.56")),
        ("1 234,56", "fr-FR", Decimal("1234.56")),
        ("1.234", "de-DE", Decimal("1234")),
        ("1.234", "en-US", Decimal("1.234")),
        ("-12,50", "de-DE", Decimal("-12.50")),
        ("n/a", "en-US", None),
    ],
)
def test_template_reads_amounts_the_portal_shows(
    text: str, locale: str, expected: Decimal | None
) -> None:
    """Amounts on status pages are read with both marks, or the locale to settle a lone one."""
    assert parse_amount(text, LOCALES[locale]) == expected


def test_recipe_refused_status_must_be_a_mapped_status(tmp_path: Path) -> None:
    """A ``[status] refused`` word that ``[status.map]`` does not know is refused at load."""
    text = mutated('refused = ["In error"]', 'refused = ["In eror"]')
    _path, problems = load_problems(tmp_path, text)
    assert any("In eror" in p and "status.map" in p for p in problems), problems
