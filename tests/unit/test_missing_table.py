"""Each backend's "no such table" becomes TableMissing naming the table (Oracle's
wording cannot be produced here, so its messages are given as the driver words them)."""

from __future__ import annotations

import pytest
from sqlalchemy import exc as sa_exc

from connectors.oracle.errors import TableMissing, missing_table, wrap_db_errors


class _PgError(Exception):
    sqlstate = "42P01"


@pytest.mark.parametrize(
    ("orig", "table"),
    [
        # SQLite
        (Exception("no such table: xx_arw_submissions"), "xx_arw_submissions"),
        # PostgreSQL, schema-qualified, recognised by SQLSTATE
        (_PgError('relation "arw.xx_arw_job_runs" does not exist'), "xx_arw_job_runs"),
        # Oracle 23ai names the object
        (
            Exception('ORA-00942: table or view "XXARW"."XX_ARW_EVENTS" does not exist'),
            "xx_arw_events",
        ),
        # older Oracle does not: still a missing table (or a missing grant)
        (Exception("ORA-00942: table or view does not exist"), None),
    ],
)
def test_missing_table_in_each_backends_words(orig: Exception, table: str | None) -> None:
    """The driver's error becomes TableMissing with the table's name when the text has it."""
    error = sa_exc.ProgrammingError("SELECT 1", {}, orig)
    found = missing_table(error)
    assert isinstance(found, TableMissing)
    assert found.table_name == table
    with pytest.raises(TableMissing), wrap_db_errors():
        raise error


def test_other_errors_are_not_missing_tables() -> None:
    """A syntax error is no missing table."""
    error = sa_exc.ProgrammingError("SELEC 1", {}, Exception('syntax error at or near "SELEC"'))
    assert missing_table(error) is None
