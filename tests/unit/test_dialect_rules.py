"""The Oracle-rules checker: it catches each forbidden form, and the project's own SQL passes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from connectors.oracle.ddl import dialect_for, render_ddl
from connectors.oracle.notes_api import create_note_block
from connectors.oracle.tables import UtcTimestamp, build_metadata
from tools.oracle_rules import dialect_rules as rules
from tools.oracle_rules.dialect_rules import check_metadata, check_oracle_sql

DDL_DIR = Path(__file__).resolve().parents[2] / "connectors" / "oracle" / "ddl"


def _rules(sql: str) -> set[str]:
    return {v.rule for v in check_oracle_sql(sql, source="sample")}


@pytest.mark.parametrize(
    ("sql", "rule"),
    [
        # SQLAlchemy's .limit(n).with_for_update(): ORA-02014 on Oracle
        (
            "SELECT id FROM xx_q ORDER BY id FETCH FIRST 5 ROWS ONLY FOR UPDATE SKIP LOCKED",
            rules.FOR_UPDATE_WITH_ROW_LIMIT,
        ),
        # ROWNUM is applied before SKIP LOCKED: a second worker claims nothing
        (
            "SELECT id FROM xx_q WHERE status = 'NEW' AND ROWNUM <= 5 FOR UPDATE SKIP LOCKED",
            rules.FOR_UPDATE_WITH_ROW_LIMIT,
        ),
        # no BOOLEAN column type before 23ai (ORA-00902)
        ("CREATE TABLE xx_t (id NUMBER(15) NOT NULL, active BOOLEAN)", rules.BOOLEAN_TYPE),
        # String() without a length compiles to a bare VARCHAR2 (ORA-00906)
        ("CREATE TABLE xx_t (id NUMBER(15), name VARCHAR2)", rules.BARE_VARCHAR2),
        # 31 bytes: ORA-00972 on EBS 12.1 / DB 11.2 and COMPATIBLE < 12.2
        ("CREATE TABLE xx_arw_a_table_name_that_is_31_b (id NUMBER(15))", rules.LONG_IDENTIFIER),
        # bind variable names obey the same limit
        ("SELECT 1 FROM dual WHERE 1 = :a_bind_variable_name_of_31_bytes", rules.LONG_IDENTIFIER),
        # a reserved word as a column name in DDL
        (
            "CREATE TABLE xx_t (id NUMBER(15), comment VARCHAR2(100 CHAR))",
            rules.RESERVED_IDENTIFIER,
        ),
        # ... as a qualified column in a query (SQLAlchemy does not quote FILE)
        ("SELECT xx_t.file FROM xx_t", rules.RESERVED_IDENTIFIER),
        # ... in an INSERT column list
        ("INSERT INTO xx_t (id, mode) VALUES (:id, :m)", rules.RESERVED_IDENTIFIER),
        # ... compared in a WHERE clause
        ("SELECT id FROM xx_t WHERE session = 1", rules.RESERVED_IDENTIFIER),
        # ... as a bind variable name (ORA-01745)
        ("SELECT id FROM xx_t WHERE id = :uid", rules.RESERVED_IDENTIFIER),
        # ... quoted the way SQLAlchemy quotes its own reserved words
        ('SELECT xx_t."comment" FROM xx_t', rules.RESERVED_IDENTIFIER),
        # ... naming a sequence
        ("CREATE SEQUENCE size", rules.RESERVED_IDENTIFIER),
        # a quoted mixed-case name is a case-sensitive object nobody can name unquoted
        ('CREATE TABLE "XxArwThings" (id NUMBER(15))', rules.QUOTED_IDENTIFIER),
        # '' is NULL in Oracle
        ("UPDATE xx_t SET note = '' WHERE id = 1", rules.EMPTY_STRING),
        # binary floating point for an amount
        ("CREATE TABLE xx_t (id NUMBER(15), amount BINARY_DOUBLE)", rules.FLOAT_TYPE),
        # ... FLOAT is binary too
        ("CREATE TABLE xx_t (id NUMBER(15), amount FLOAT)", rules.FLOAT_TYPE),
        # ... and DOUBLE PRECISION, in a CAST as much as in a column
        ("SELECT CAST(amount AS DOUBLE PRECISION) FROM xx_t", rules.FLOAT_TYPE),
        # a TIMESTAMP WITH TIME ZONE column in a unique key (ORA-02329)
        (
            "CREATE TABLE xx_t (a NUMBER(15), b TIMESTAMP WITH TIME ZONE,"
            " CONSTRAINT xx_t_u1 UNIQUE (a, b))",
            rules.TSTZ_IN_KEY,
        ),
        # an index repeating the primary key's column list (ORA-01408)
        (
            "CREATE TABLE xx_t (a NUMBER(15), CONSTRAINT xx_t_pk PRIMARY KEY (a));\n"
            "CREATE INDEX xx_t_n1 ON xx_t (a);",
            rules.DUPLICATE_INDEX,
        ),
    ],
)
def test_check_oracle_sql_catches_each_forbidden_form(sql: str, rule: str) -> None:
    """Each bad sample is reported under the rule it breaks."""
    assert rule in _rules(sql)


@pytest.mark.parametrize(
    "sql",
    [
        # the portable claim of design §8: candidates without a lock, then a guarded UPDATE
        "SELECT id FROM xx_q WHERE status IN (:s_1, :s_2) ORDER BY id FETCH FIRST 30 ROWS ONLY",
        "UPDATE xx_q SET status = :status, lease_token = :tok WHERE id IN (:i_1, :i_2) "
        "AND (lease_expires_at IS NULL OR lease_expires_at < :now)",
        # a row lock without a row limit is fine
        "SELECT id FROM xx_q WHERE id = :id FOR UPDATE SKIP LOCKED",
        # pseudo-columns and functions that happen to be reserved words
        "SELECT t.ROWID, USER, SYSDATE FROM xx_t t WHERE ROWNUM = 1 AND LEVEL = 1",
        # types after AS in a CAST, and a doubled quote inside a string
        "SELECT CAST(amount AS NUMBER(18, 2)), 'it''s' FROM xx_t",
        # PL/SQL parameters take no length; a PROMPT may hold an apostrophe
        "PROMPT the worker's package\nCREATE OR REPLACE PROCEDURE xx_p (p_x IN VARCHAR2) AS\n"
        "BEGIN\n  NULL;\nEND;\n/\n",
        # SQL*Plus substitution variables around qualified names
        "GRANT SELECT ON &&ar_schema..ar_payment_schedules_all TO &&worker_user;",
    ],
)
def test_check_oracle_sql_accepts_oracle_safe_forms(sql: str) -> None:
    """Statements that are correct on Oracle raise no violation."""
    assert check_oracle_sql(sql, source="sample") == []


def test_check_oracle_sql_catches_sqlalchemy_limit_with_for_update() -> None:
    """The exact statement SQLAlchemy compiles for .limit().with_for_update() is flagged."""
    table = sa.table("xx_q", sa.column("id"))
    statement = sa.select(table.c.id).limit(5).with_for_update(skip_locked=True)
    compiled = str(statement.compile(dialect=dialect_for("oracle")))
    assert rules.FOR_UPDATE_WITH_ROW_LIMIT in _rules(compiled)


def test_check_oracle_sql_reports_the_line_of_the_offending_statement() -> None:
    """A violation in a script names the line where the bad token is."""
    script = "PROMPT one\nCREATE SEQUENCE xx_a_s;\n\nCREATE TABLE xx_t (\n  v VARCHAR2\n);\n"
    (violation,) = check_oracle_sql(script, source="script.sql")
    assert (violation.rule, violation.source, violation.line) == (
        rules.BARE_VARCHAR2,
        "script.sql",
        5,
    )
    assert "script.sql:5" in str(violation)


def test_check_oracle_sql_judges_each_statement_of_a_plsql_unit_alone() -> None:
    """A FOR UPDATE cursor and a ROWNUM query in one package body are not confused."""
    body = (
        "CREATE OR REPLACE PACKAGE BODY xx_p AS\n"
        "  PROCEDURE a IS l_id NUMBER; BEGIN\n"
        "    SELECT id INTO l_id FROM xx_q WHERE id = 1 FOR UPDATE;\n"
        "    SELECT id INTO l_id FROM xx_q WHERE ROWNUM = 1;\n"
        "  END a;\nEND xx_p;\n/\n"
    )
    assert check_oracle_sql(body, source="body") == []


@pytest.mark.parametrize(
    ("column", "rule"),
    [
        # SQLAlchemy's Boolean renders BOOLEAN offline, SMALLINT or BOOLEAN once connected
        (sa.Column("active", sa.Boolean()), rules.BOOLEAN_TYPE),
        # Float is binary: never for money
        (sa.Column("amount", sa.Float()), rules.FLOAT_TYPE),
        # String() without a length
        (sa.Column("name", sa.String()), rules.BARE_VARCHAR2),
        # DateTime(timezone=True) renders a plain DATE on Oracle and loses the zone
        (sa.Column("seen_at", sa.DateTime(timezone=True)), rules.DATETIME_AS_DATE),
        # a reserved word as a column name
        (sa.Column("comment", sa.String(100)), rules.RESERVED_IDENTIFIER),
        # 30 characters but 32 bytes: the limit is in bytes
        (sa.Column("libellé_très_long_de_facture_x", sa.String(10)), rules.LONG_IDENTIFIER),
        # an upper-case name is quoted by SQLAlchemy, so case-sensitive
        (sa.Column("Amount", sa.Numeric(18, 2)), rules.QUOTED_IDENTIFIER),
    ],
)
def test_check_metadata_catches_each_forbidden_column(column: sa.Column[object], rule: str) -> None:
    """A MetaData column that breaks a rule is reported under that rule."""
    md = sa.MetaData()
    sa.Table("xx_t", md, sa.Column("id", sa.Integer(), primary_key=True), column)
    assert rule in {v.rule for v in check_metadata(md)}


def test_check_metadata_catches_a_zoned_timestamp_in_a_unique_key() -> None:
    """A UniqueConstraint over a TIMESTAMP WITH TIME ZONE column is reported (ORA-02329)."""
    md = sa.MetaData()
    sa.Table(
        "xx_t",
        md,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job_name", sa.String(30)),
        sa.Column("scheduled_for", UtcTimestamp()),
        sa.UniqueConstraint("job_name", "scheduled_for", name="xx_t_u1"),
    )
    assert rules.TSTZ_IN_KEY in {v.rule for v in check_metadata(md)}


def test_project_metadata_passes_the_oracle_rules() -> None:
    """tables.py breaks no Oracle rule: names, types, keys."""
    violations = check_metadata(build_metadata())
    assert violations == [], "\n".join(map(str, violations))


def test_project_ddl_passes_the_oracle_rules() -> None:
    """The DDL the code would create on Oracle (worker tables and EBS stand-ins) passes."""
    violations = check_oracle_sql(render_ddl("oracle", include_ebs=True), source="render_ddl")
    assert violations == [], "\n".join(map(str, violations))


DBA_SCRIPTS = sorted(path.name for path in DDL_DIR.glob("*.sql"))


def test_dba_scripts_are_all_found() -> None:
    """The scripts the DBA runs are among those the checker reads (a moved folder fails here)."""
    assert {"install.sql", "uninstall.sql", "grants.sql", "xe_seed.sql"} <= set(DBA_SCRIPTS)


@pytest.mark.parametrize("script", DBA_SCRIPTS)
def test_dba_scripts_pass_the_oracle_rules(script: str) -> None:
    """Every DBA script in connectors/oracle/ddl passes the checker."""
    path = DDL_DIR / script
    violations = check_oracle_sql(path.read_text(encoding="utf-8"), source=script)
    assert violations == [], "\n".join(map(str, violations))


def test_api_note_block_passes_the_oracle_rules() -> None:
    """The anonymous PL/SQL block of the api notes mode passes, as compiled for Oracle."""
    block = str(create_note_block(2).compile(dialect=dialect_for("oracle")))
    assert check_oracle_sql(block, source="notes_api") == []


def test_command_line_checks_named_scripts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m tools.oracle_rules`` exits 1 naming the rule a script breaks, 0 when clean."""
    from tools.oracle_rules.__main__ import main

    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE xx_t (id NUMBER, active BOOLEAN);\n", encoding="utf-8")
    assert main([str(bad)]) == 1
    assert rules.BOOLEAN_TYPE in capsys.readouterr().out
    assert main([]) == 0
