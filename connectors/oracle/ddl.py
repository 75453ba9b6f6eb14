"""The DDL the code would create, as text a DBA can read before anything touches the database.

``arworker db ddl --dialect oracle`` prints it, and the tests compare it with the hand-written
``ddl/install.sql`` and run the Oracle-rules checker over it: the schema lives in one place
(``tables.py``) and every other form of it is derived or checked against it. The DDL is compiled
offline, without a connection, which is exactly how an Oracle DBA's script would be produced;
that is also the situation in which SQLAlchemy emits forms older Oracle releases refuse (design
§8), so this is the text worth checking.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import MetaData, Sequence, Table
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.schema import CreateIndex, CreateSequence, CreateTable, DDLElement

from connectors.oracle.tables import WORKER_TABLES, build_metadata

#: dialects ``render_ddl`` knows, by the name the CLI accepts, and the URL scheme we use for each
DIALECT_URLS = {"oracle": "oracle+oracledb", "postgresql": "postgresql+psycopg", "sqlite": "sqlite"}
DIALECTS = tuple(DIALECT_URLS)


def dialect_for(name: str) -> Dialect:
    """The dialect called ``name``, with the driver we ship; ``ValueError`` if unknown."""
    if name not in DIALECTS:
        raise ValueError(f"unknown dialect {name!r}; choose one of {', '.join(DIALECTS)}")
    return make_url(f"{DIALECT_URLS[name]}://").get_dialect()()


def ddl_statements(
    dialect_name: str, *, include_ebs: bool = False, metadata: MetaData | None = None
) -> list[str]:
    """Each CREATE SEQUENCE/TABLE/INDEX statement, compiled for ``dialect_name``, unterminated."""
    dialect = dialect_for(dialect_name)
    md = metadata if metadata is not None else build_metadata()
    return [
        str(element.compile(dialect=dialect)).strip()
        for element in _create_elements(md, dialect, include_ebs=include_ebs)
    ]


def render_ddl(dialect_name: str, *, include_ebs: bool = False) -> str:
    """The whole script: sequences, then tables in dependency order, each with its indexes.

    Only the ``XX_ARW_`` objects unless ``include_ebs``: on a real EBS database the source
    tables exist already; the EBS stand-ins are for the embedded default and the test schemas.
    """
    header = (
        f"-- arworker schema, compiled by SQLAlchemy for {dialect_name}"
        + (" (XX_ARW_ tables and EBS stand-ins)" if include_ebs else " (XX_ARW_ tables)")
        + "\n"
    )
    body = "\n\n".join(s + ";" for s in ddl_statements(dialect_name, include_ebs=include_ebs))
    return header + "\n" + body + "\n"


def _create_elements(md: MetaData, dialect: Dialect, *, include_ebs: bool) -> Iterator[DDLElement]:
    tables = [t for t in md.sorted_tables if include_ebs or t.name in WORKER_TABLES]
    if dialect.supports_sequences:
        for sequence in _sequences_of(tables):
            yield CreateSequence(sequence)
    for table in tables:
        yield CreateTable(table)
        for index in sorted(table.indexes, key=lambda ix: str(ix.name)):
            yield CreateIndex(index)


def _sequences_of(tables: list[Table]) -> list[Sequence]:
    """The sequences the given tables' columns draw from, each once, in table order."""
    seen: dict[str, Sequence] = {}
    for table in tables:
        for column in table.columns:
            default = column.default
            if isinstance(default, Sequence) and default.name not in seen:
                seen[default.name] = default
    return list(seen.values())
