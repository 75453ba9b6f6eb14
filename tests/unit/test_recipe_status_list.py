"""The recipe language's invoice list ([status.list]) and value patterns: the shipped recipe uses
both, a recipe may go without the list, and every mistake fails at load with the file, the line,
the key and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.portals.recipe.files import load_recipe
from connectors.portals.recipe.model import CellValue, PageValue, StatusColumns
from connectors.portals.recipe.page import status_row
from tests.support.recipe_text import SHIPPED, SHIPPED_TEXT, line_with, load_problems, mutated

#: the shipped recipe's [status.list] section, its comment and columns included
LIST_SECTION = SHIPPED_TEXT[
    SHIPPED_TEXT.index("# The status pass reads the whole") : SHIPPED_TEXT.index("[status.map]")
]


# --- what loads -----------------------------------------------------------------------------


def test_shipped_recipe_reads_the_invoice_list_and_the_confirmed_number_by_pattern() -> None:
    """upload.toml has a [status.list] (100 rows a page, Next link, 40 pages at most) and reads
    the confirmed invoice number out of the confirmation's sentence."""
    loaded = load_recipe(SHIPPED)
    listed = loaded.recipe.status.list
    assert listed is not None
    assert (listed.open, listed.next_page, listed.max_pages) == (
        "/status?per_page=100",
        "#status-next",
        40,
    )
    assert listed.columns.number == CellValue(selector=".col-number")
    assert loaded.recipe.status.list_empty == "#status-empty"  # [status] empty by default
    assert loaded.recipe.status.list_date_format == "%d.%m.%Y"
    number = loaded.recipe.submit.confirmation.number
    assert number is not None and number.selector == "#upload-received"
    assert number.pick("Your invoice INV 7/24 was received as UP-000003 and is") == "INV 7/24"
    assert loaded.where(("status", "list", "open")) == (
        f"upload.toml line {line_with(SHIPPED_TEXT, 'per_page=100')}, key status.list.open"
    )


def test_recipe_without_a_status_list_loads(tmp_path: Path) -> None:
    """[status.list] is optional: without it the status pass reads invoice by invoice."""
    path = tmp_path / "acme.toml"
    path.write_text(SHIPPED_TEXT.replace(LIST_SECTION, ""), encoding="utf-8")
    assert load_recipe(path).recipe.status.list is None


def test_value_pattern_picks_its_group_or_nothing() -> None:
    """A pattern's value group is the value (trimmed, case ignored); no match reads as None."""
    source = PageValue(selector="#message", pattern=r"invoice (?P<value>\S+) was delivered")
    assert source.pick("Your INVOICE A-1 was delivered today") == "A-1"
    assert source.pick("Your invoice is on its way") is None
    assert PageValue(selector="#message").pick(" as shown ") == " as shown "


def test_status_row_narrows_columns_with_a_pattern_to_their_value() -> None:
    """A row's cells are read as text; a column with a pattern keeps only its value."""
    columns = StatusColumns(
        number=CellValue(selector="@data-title", pattern=r"^Invoice (?P<value>\S+)"),
        status=CellValue(selector=".state"),
        reason=CellValue(selector=".note", pattern=r"reason: (?P<value>.+)$"),
    )
    row = status_row(
        {"number": "Invoice INV-9 (2 pages)", "status": "Paid", "reason": "no reason given"},
        columns,
    )
    assert (row.get("number"), row.get("status"), row.get("reason")) == ("INV-9", "Paid", None)


# --- mistakes, each at its key and line -----------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "at", "key", "expected"),
    [
        # a misspelt key of the list: the known keys and the near one
        (
            "max_pages = 40",
            "max_page = 40",
            "max_page =",
            "status.list.max_page",
            "unknown key 'max_page'; expected one of: columns, date_format, empty, max_pages, "
            "next_page, open, rows (did you mean 'max_pages'?)",
        ),
        # the list is opened for the account: there is no invoice yet
        (
            'open = "/status?per_page=100"',
            'open = "/status?per_page=100&number={invoice.number}"',
            "per_page=100&number={invoice.number}",
            "status.list.open",
            "{invoice.number} is not known in [status.list]; usable here: account",
        ),
        # a path under the portal URL, as every open
        (
            'open = "/status?per_page=100"',
            'open = "status?per_page=100"',
            'open = "status',
            "status.list.open",
            "a path relative to the portal account's URL is expected",
        ),
        # a broken template
        (
            'open = "/status?per_page=100"',
            'open = "/status?per_page=100&user={account.login_nam}"',
            "user={account.login_nam}",
            "status.list.open",
            "unknown account field 'login_nam'",
        ),
        # a selector must say something
        (
            'next_page = "#status-next"\nmax_pages',
            'next_page = " "\nmax_pages',
            'next_page = " "',
            "status.list.next_page",
            'a CSS selector is expected, e.g. "#invoice-number"; got an empty text',
        ),
        # the cap is a number of pages
        (
            "max_pages = 40",
            "max_pages = 0",
            "max_pages = 0",
            "status.list.max_pages",
            "Input should be greater than or equal to 1, got 0 (list pages one read loads at "
            "most",
        ),
        # the list's own date format is checked as [status]'s
        (
            "max_pages = 40",
            'max_pages = 40\ndate_format = "dd.mm.yyyy"',
            "dd.mm.yyyy",
            "status.list.date_format",
            "'dd.mm.yyyy': a strftime date format is expected",
        ),
        # the search reads the customer, so the list must
        (
            'buyer = ".col-recipient"\n',
            "",
            "[status.list.columns]",
            "status.list.columns",
            "missing key 'buyer': [status.columns] reads the customer, so the list must too",
        ),
        # a column of the list keeps the column syntax
        (
            'status = ".col-status"',
            'status = ".col-status@"',
            ".col-status@",
            "status.list.columns.status",
            "'.col-status@': expected a selector inside the row",
        ),
    ],
    ids=["unknown-key", "invoice-in-open", "not-a-path", "template", "empty-selector",
         "max-pages", "date-format", "no-buyer", "column-syntax"],
)  # fmt: skip
def test_status_list_mistakes_are_located(
    tmp_path: Path, old: str, new: str, at: str, key: str, expected: str
) -> None:
    """Each mistake in [status.list] is named at its key and line, with what is expected."""
    assert LIST_SECTION.count(old) == 1, f"{old!r} must occur once in [status.list]"
    text = SHIPPED_TEXT.replace(LIST_SECTION, LIST_SECTION.replace(old, new))
    path, problems = load_problems(tmp_path, text)
    [problem] = problems
    assert problem.startswith(f"{path}, line {line_with(text, at)}, key {key}: ")
    assert expected in problem


def test_status_list_without_rows_or_columns_names_them(tmp_path: Path) -> None:
    """A list that says neither its rows nor its columns is refused naming both."""
    text = SHIPPED_TEXT.replace(LIST_SECTION, '[status.list]\nopen = "/status"\n\n')
    path, problems = load_problems(tmp_path, text)
    assert [p.split(", key ", 1)[1] for p in problems] == [
        "status.list.columns: missing required key columns (where each fact is inside a "
        "row, as in [status.columns])",
        "status.list.rows: missing required key rows (one invoice's row in the list)",
    ]
    assert all(p.startswith(f"{path}, line {line_with(text, '[status.list]')}") for p in problems)


NUMBER = "number = { selector = \"#upload-received\", pattern = 'Your invoice (?P<value>.+?) was received' }"  # noqa: E501


@pytest.mark.parametrize(
    ("new", "key", "expected"),
    [
        # not a regular expression
        (
            "number = { selector = \"#upload-received\", pattern = 'invoice (?P<value>.+' }",
            "submit.confirmation.number.pattern",
            "'invoice (?P<value>.+' is not a valid regular expression: missing ), unterminated "
            "subpattern at position 8",
        ),
        # a pattern that does not say which part is the value
        (
            "number = { selector = \"#upload-received\", pattern = 'invoice (\\S+) was' }",
            "submit.confirmation.number.pattern",
            "'invoice (\\\\S+) was' names no group (?P<value>...): the pattern must say which "
            "part is the value",
        ),
        # the group misspelt: the near name
        (
            "number = { selector = \"#upload-received\", pattern = 'invoice (?P<valeu>\\S+)' }",
            "submit.confirmation.number.pattern",
            "names no group (?P<value>...)",
        ),
        # one named group only
        (
            "number = { selector = \"#upload-received\", "
            "pattern = '(?P<kind>invoice) (?P<value>\\S+)' }",
            "submit.confirmation.number.pattern",
            "only the group (?P<value>...) may be named; also named: kind",
        ),
        # a misspelt key of the table
        (
            "number = { selector = \"#upload-received\", patern = 'invoice (?P<value>\\S+)' }",
            "submit.confirmation.number.patern",
            "unknown key 'patern'; expected one of: pattern, selector (did you mean 'pattern'?)",
        ),
        # neither a selector nor a table
        (
            "number = 7",
            "submit.confirmation.number",
            'expected a selector ("#upload-reference") or a table { selector = '
            '"#upload-reference", pattern = "... (?P<value>...) ..." }, got 7',
        ),
        # a table without its selector
        (
            "number = { pattern = 'invoice (?P<value>\\S+)' }",
            "submit.confirmation.number.selector",
            "missing required key selector (the element holding the value",
        ),
    ],
    ids=["regex", "no-group", "misspelt-group", "two-groups", "unknown-key", "not-a-value",
         "no-selector"],
)  # fmt: skip
def test_value_pattern_mistakes_are_located(
    tmp_path: Path, new: str, key: str, expected: str
) -> None:
    """A value pattern is compiled at load and must name exactly the group (?P<value>...)."""
    text = mutated(NUMBER, new)
    path, problems = load_problems(tmp_path, text)
    [problem] = problems
    assert problem.startswith(f"{path}, line {line_with(text, new)}, key {key}: ")
    assert expected in problem


def test_misspelt_value_group_suggests_the_name(tmp_path: Path) -> None:
    """(?P<valeu>...) is refused with the name the pattern meant."""
    text = mutated(NUMBER, NUMBER.replace("?P<value>", "?P<valeu>"))
    _, [problem] = load_problems(tmp_path, text)
    assert problem.endswith("(did you mean 'value'?)")


def test_column_pattern_mistakes_are_located_in_the_status_columns(tmp_path: Path) -> None:
    """Columns of [status.columns] take patterns too, checked the same way."""
    new = "number = { selector = \".col-number\", pattern = 'INV-\\d+' }"
    text = mutated('[status.columns]\nnumber = ".col-number"', f"[status.columns]\n{new}")
    path, problems = load_problems(tmp_path, text)
    assert problems == [
        f"{path}, line {line_with(text, new)}, key status.columns.number.pattern: 'INV-\\\\d+' "
        "names no group (?P<value>...): the pattern must say which part is the value, e.g. "
        "'invoice (?P<value>\\S+) was delivered'"
    ]
