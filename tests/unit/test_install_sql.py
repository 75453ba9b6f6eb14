"""The DBA scripts create, in substance, exactly the schema the code would create."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.oracle.ddl import render_ddl
from connectors.oracle.tables import EBS_STAND_IN_TABLES, WORKER_TABLES
from tools.oracle_rules.sql_script import SchemaShape, TableShape, read_schema

DDL_DIR = Path(__file__).resolve().parents[2] / "connectors" / "oracle" / "ddl"


def _script(name: str) -> SchemaShape:
    return read_schema((DDL_DIR / name).read_text(encoding="utf-8"))


def _only(schema: SchemaShape, tables: tuple[str, ...]) -> SchemaShape:
    """The part of ``schema`` about ``tables`` (and the sequences it holds)."""
    wanted = {t.upper() for t in tables}
    return SchemaShape(
        tables={n: t for n, t in schema.tables.items() if n in wanted},
        sequences=schema.sequences,
        indexes={n: i for n, i in schema.indexes.items() if i.table in wanted},
    )


def _differences(code: SchemaShape, script: SchemaShape, script_name: str) -> list[str]:
    """Every way ``script`` differs from ``code``, one readable line each."""
    found: list[str] = []
    if set(code.tables) != set(script.tables):
        found.append(
            f"tables only in the code: {sorted(set(code.tables) - set(script.tables))}; "
            f"only in {script_name}: {sorted(set(script.tables) - set(code.tables))}"
        )
    for name in sorted(set(code.tables) & set(script.tables)):
        found.extend(_table_differences(code.tables[name], script.tables[name], script_name))
    code_indexes = {n: (i.table, i.columns, i.unique) for n, i in code.indexes.items()}
    script_indexes = {n: (i.table, i.columns, i.unique) for n, i in script.indexes.items()}
    if code_indexes != script_indexes:
        found.append(f"indexes differ: code {code_indexes} != {script_name} {script_indexes}")
    if set(code.sequences) != set(script.sequences):
        found.append(
            f"sequences differ: code {sorted(code.sequences)} != "
            f"{script_name} {sorted(script.sequences)}"
        )
    return found


def _table_differences(code: TableShape, script: TableShape, script_name: str) -> list[str]:
    found: list[str] = []
    if list(code.columns) != list(script.columns):
        found.append(
            f"{code.name}: columns {list(code.columns)} != {script_name} {list(script.columns)}"
        )
    for column in sorted(set(code.columns) & set(script.columns)):
        ours, theirs = code.columns[column], script.columns[column]
        if (ours.type, ours.nullable) != (theirs.type, theirs.nullable):
            found.append(
                f"{code.name}.{column}: code {ours.type} nullable={ours.nullable}, "
                f"{script_name} {theirs.type} nullable={theirs.nullable}"
            )
    keys = {(c.name, c.kind, c.columns) for c in code.constraints if c.kind != "CHECK"}
    script_keys = {(c.name, c.kind, c.columns) for c in script.constraints if c.kind != "CHECK"}
    if keys != script_keys:
        found.append(f"{code.name}: keys {sorted(keys)} != {script_name} {sorted(script_keys)}")
    checks = {c.name for c in code.constraints if c.kind == "CHECK"}
    script_checks = {c.name for c in script.constraints if c.kind == "CHECK"}
    if checks != script_checks:
        found.append(f"{code.name}: checks {checks} != {script_name} {script_checks}")
    return found


def test_install_sql_matches_the_code_ddl() -> None:
    """install.sql creates the same XX_ARW_ tables, columns, types, keys, indexes, sequences."""
    code = read_schema(render_ddl("oracle"))
    differences = _differences(code, _script("install.sql"), "install.sql")
    assert differences == [], "\n".join(differences)


def test_xe_seed_sql_matches_the_code_ebs_stand_ins() -> None:
    """xe_seed.sql creates the same EBS stand-in tables as the code, and JTF_NOTES_S."""
    code = _only(read_schema(render_ddl("oracle", include_ebs=True)), EBS_STAND_IN_TABLES)
    code.sequences = {"JTF_NOTES_S": 0}
    differences = _differences(code, _script("xe_seed.sql"), "xe_seed.sql")
    assert differences == [], "\n".join(differences)


def test_uninstall_sql_drops_everything_install_sql_creates() -> None:
    """Every table and sequence install.sql creates is dropped by uninstall.sql."""
    installed = _script("install.sql")
    text = (DDL_DIR / "uninstall.sql").read_text(encoding="utf-8").upper()
    for table in installed.tables:
        assert f"DROP TABLE {table} " in text
    for sequence in installed.sequences:
        assert f"DROP SEQUENCE {sequence};" in text


def test_grants_sql_grants_the_worker_every_object_it_uses() -> None:
    """grants.sql gives the worker a grant and a synonym for each table and sequence it names."""
    text = " ".join((DDL_DIR / "grants.sql").read_text(encoding="utf-8").upper().split())
    objects = [*(t.upper() for t in WORKER_TABLES + EBS_STAND_IN_TABLES)]
    objects += [f"{t.upper()}_S" for t in WORKER_TABLES] + ["JTF_NOTES_S"]
    for name in objects:
        assert f"..{name} TO &&WORKER_USER;" in text, f"no grant on {name}"
        assert f"&&WORKER_USER..{name} FOR" in text, f"no synonym for {name}"


@pytest.mark.parametrize("dialect", ["oracle", "postgresql", "sqlite"])
def test_render_ddl_creates_every_worker_table(dialect: str) -> None:
    """The printed DDL holds a CREATE TABLE for each XX_ARW_ table on every dialect."""
    schema = read_schema(render_ddl(dialect))
    assert set(schema.tables) == {t.upper() for t in WORKER_TABLES}


def test_render_ddl_emits_sequences_only_where_the_database_has_them() -> None:
    """Oracle and PostgreSQL get the id sequences; SQLite has none."""
    assert "XX_ARW_SUBMISSIONS_S" in read_schema(render_ddl("oracle")).sequences
    assert "XX_ARW_SUBMISSIONS_S" in read_schema(render_ddl("postgresql")).sequences
    assert read_schema(render_ddl("sqlite")).sequences == {}


def test_render_ddl_names_the_choices_for_an_unknown_dialect() -> None:
    """An unknown dialect is refused with the list of known ones."""
    with pytest.raises(ValueError, match="oracle, postgresql, sqlite"):
        render_ddl("mysql")
