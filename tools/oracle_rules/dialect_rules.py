"""The Oracle rules of design §8, checked on text so they fail here and not first in production.

SQLite and PostgreSQL accept forms that Oracle refuses, and no Oracle server runs where most of
our tests run. So the statements the store issues (compiled with the Oracle dialect), the DDL
the code would create, the DBA scripts in ``ddl/`` and the ``MetaData`` itself are checked for
the forms that break on Oracle: ``FOR UPDATE`` with ``FETCH FIRST``/``ROWNUM`` (ORA-02014, or a
second worker claiming nothing), ``BOOLEAN`` (ORA-00902 before 23ai), a bare ``VARCHAR2``
(ORA-00906), identifiers over 30 bytes (ORA-00972 before 12.2), reserved words as names
(ORA-00904), quoted mixed/lower-case names (case-sensitive objects nobody can name unquoted),
``''`` (NULL in Oracle), binary floats where money belongs, and two schema-level traps the other
databases accept: a ``TIMESTAMP WITH TIME ZONE`` column in a primary or unique key (ORA-02329;
a unique *index* is allowed) and an index repeating another's column list (ORA-01408).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    MetaData,
    PrimaryKeyConstraint,
    Sequence,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.types import TypeDecorator, TypeEngine

from tools.oracle_rules.sql_script import (
    SchemaShape,
    Statement,
    Token,
    TokenKind,
    column_name_of,
    column_type,
    read_name,
    read_schema,
    split_statements,
    table_elements,
    tokenize,
)

#: the dialect statements are judged in, compiled offline as a DBA's script would be
_ORACLE = make_url("oracle+oracledb://").get_dialect()()
#: the identifier limit of Oracle before 12.2 (and of COMPATIBLE < 12.2): EBS runs there
MAX_IDENTIFIER_BYTES = 30

#: Oracle SQL reserved words (Oracle Database SQL Language Reference, "Oracle SQL Reserved
#: Words", 12.2-19c): unquoted, none of these may name a table, column, index or constraint.
RESERVED_WORDS = frozenset(
    """
    ACCESS ADD ALL ALTER AND ANY AS ASC AUDIT BETWEEN BY CHAR CHECK CLUSTER COLUMN COLUMN_VALUE
    COMMENT COMPRESS CONNECT CREATE CURRENT DATE DECIMAL DEFAULT DELETE DESC DISTINCT DROP ELSE
    EXCLUSIVE EXISTS FILE FLOAT FOR FROM GRANT GROUP HAVING IDENTIFIED IMMEDIATE IN INCREMENT
    INDEX INITIAL INSERT INTEGER INTERSECT INTO IS LEVEL LIKE LOCK LONG MAXEXTENTS MINUS MLSLABEL
    MODE MODIFY NESTED_TABLE_ID NOAUDIT NOCOMPRESS NOT NOWAIT NULL NUMBER OF OFFLINE ON ONLINE
    OPTION OR ORDER PCTFREE PRIOR PUBLIC RAW RENAME RESOURCE REVOKE ROW ROWID ROWNUM ROWS SELECT
    SESSION SET SHARE SIZE SMALLINT START SUCCESSFUL SYNONYM SYSDATE TABLE THEN TO TRIGGER UID
    UNION UNIQUE UPDATE USER VALIDATE VALUES VARCHAR VARCHAR2 VIEW WHENEVER WHERE WITH
    """.split()
)
#: reserved words that are also legitimate pseudo-columns or functions in an expression
PSEUDO_COLUMNS = frozenset({"LEVEL", "ROWNUM", "ROWID", "SYSDATE", "USER", "UID", "NULL"})
#: reserved words that are type names, legitimate after AS in CAST(x AS NUMBER)
TYPE_WORDS = frozenset({"CHAR", "DATE", "DECIMAL", "FLOAT", "INTEGER", "LONG", "NUMBER", "RAW",
                        "SMALLINT", "VARCHAR", "VARCHAR2"})  # fmt: skip
#: string types that need a length in SQL (a PL/SQL parameter takes none)
LENGTHED_STRING_TYPES = frozenset({"VARCHAR2", "NVARCHAR2", "VARCHAR"})
#: binary floating-point types: never for money (design §8)
FLOAT_TYPES = frozenset({"FLOAT", "BINARY_FLOAT", "BINARY_DOUBLE", "REAL"})
_COMPARISONS = frozenset({"=", "<>", "!=", "<", ">", "<=", ">="})

# rule identifiers, one per forbidden form
FOR_UPDATE_WITH_ROW_LIMIT = "for-update-with-row-limit"
BOOLEAN_TYPE = "boolean-type"
BARE_VARCHAR2 = "bare-varchar2"
LONG_IDENTIFIER = "identifier-over-30-bytes"
RESERVED_IDENTIFIER = "reserved-word-identifier"
QUOTED_IDENTIFIER = "case-sensitive-identifier"
EMPTY_STRING = "empty-string-literal"
FLOAT_TYPE = "float-type"
DATETIME_AS_DATE = "datetime-as-date"
TSTZ_IN_KEY = "tstz-in-unique-key"
DUPLICATE_INDEX = "duplicate-index-columns"

#: how a check reports: rule, the token where it applies (None: the statement), message
_Flag = Callable[[str, "Token | None", str], None]


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleViolation:
    """One place where SQL breaks an Oracle rule."""

    rule: str
    source: str
    line: int
    message: str
    statement: str = ""

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        text = f"{where}: [{self.rule}] {self.message}"
        return f"{text}\n    in: {self.statement}" if self.statement else text


def check_oracle_sql(sql: str, *, source: str) -> list[RuleViolation]:
    """Every rule violation in ``sql``: one compiled statement or a whole SQL*Plus script."""
    violations: list[RuleViolation] = []
    for statement in split_statements(sql):
        violations.extend(_check_statement(statement, source))
    violations.extend(_check_schema(read_schema(sql), source))
    return violations


def check_metadata(md: MetaData, *, source: str = "metadata") -> list[RuleViolation]:
    """Check a ``MetaData``: names, and each column's type as the Oracle dialect renders it."""
    dialect = _ORACLE
    violations: list[RuleViolation] = []

    def flag(rule: str, where: str, message: str) -> None:
        violations.append(
            RuleViolation(rule=rule, source=f"{source}:{where}", line=0, message=message)
        )

    sequences = {
        column.default.name
        for table in md.tables.values()
        for column in table.columns
        if isinstance(column.default, Sequence)
    }
    for sequence_name in sorted(sequences):
        for rule, message in _name_problems(sequence_name, "sequence"):
            flag(rule, sequence_name, message)
    for table in md.sorted_tables:
        for rule, message in _name_problems(table.name, "table"):
            flag(rule, table.name, message)
        for column in table.columns:
            where = f"{table.name}.{column.name}"
            for rule, message in _name_problems(column.name, "column"):
                flag(rule, where, message)
            for rule, message in _type_problems(column.type, dialect):
                flag(rule, where, message)
        for constraint in table.constraints:
            name = str(constraint.name) if constraint.name else ""
            kind = type(constraint).__name__
            for rule, message in _name_problems(name, kind) if name else ():
                flag(rule, f"{table.name}/{name}", message)
            if isinstance(constraint, PrimaryKeyConstraint | UniqueConstraint):
                zoned = [
                    c.name
                    for c in constraint.columns
                    if _is_tstz(str(c.type.compile(dialect=dialect)))
                ]
                if zoned:
                    flag(
                        TSTZ_IN_KEY,
                        f"{table.name}/{name}",
                        f"{kind} on TIMESTAMP WITH TIME ZONE column(s) {', '.join(zoned)} "
                        "(ORA-02329 on Oracle); make it a unique Index",
                    )
        for index in table.indexes:
            name = str(index.name) if index.name else ""
            for rule, message in _name_problems(name, "index") if name else ():
                flag(rule, f"{table.name}/{name}", message)
    return violations


# ---- statements ------------------------------------------------------------------------------


def _check_statement(statement: Statement, source: str) -> list[RuleViolation]:
    found: list[RuleViolation] = []
    excerpt = statement.text()

    def flag(rule: str, token: Token | None, message: str) -> None:
        line = token.line if token is not None else statement.line
        found.append(
            RuleViolation(rule=rule, source=source, line=line, message=message, statement=excerpt)
        )

    for segment in _segments(statement.tokens):
        _check_row_limited_lock(segment, flag)
    tokens = statement.tokens
    is_create_table = statement.words[:2] == ["CREATE", "TABLE"]
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        previous = tokens[i - 1] if i > 0 else None
        if token.kind is TokenKind.STRING and token.text.upper() in ("''", "N''"):
            flag(EMPTY_STRING, token, "'' is NULL in Oracle; use NULL, and never '' as a sentinel")
        elif token.kind is TokenKind.WORD:
            upper = token.upper
            if upper == "BOOLEAN":
                flag(
                    BOOLEAN_TYPE,
                    token,
                    "BOOLEAN exists only from Oracle 23ai; use VARCHAR2(1) 'Y'/'N'",
                )
            elif (
                upper in LENGTHED_STRING_TYPES
                and not statement.plsql
                and not (following is not None and following.is_punct("("))
            ):
                flag(BARE_VARCHAR2, token, f"{upper} without a length (ORA-00906); give String(n)")
            elif _is_float_type(token, following) and not is_create_table:
                flag(
                    FLOAT_TYPE, token, f"binary floating-point type {upper}; money is NUMBER(18,2)"
                )
            elif upper in RESERVED_WORDS and _is_identifier_position(token, previous, following):
                flag(RESERVED_IDENTIFIER, token, f"reserved word {upper} used as an identifier")
        _check_identifier_token(token, flag)
    if is_create_table or statement.words[:1] == ["INSERT"]:
        _check_declared_names(statement, flag)
    for kind, name_token in _defined_names(statement):
        if name_token.kind is TokenKind.WORD and name_token.upper in RESERVED_WORDS:
            flag(
                RESERVED_IDENTIFIER, name_token, f"reserved word {name_token.upper} names a {kind}"
            )
    return found


def _segments(tokens: tuple[Token, ...]) -> list[list[Token]]:
    """Split on ';' so that each SQL statement inside a PL/SQL unit is judged alone."""
    segments: list[list[Token]] = [[]]
    for token in tokens:
        if token.is_punct(";"):
            segments.append([])
        else:
            segments[-1].append(token)
    return [s for s in segments if s]


def _check_row_limited_lock(segment: list[Token], flag: _Flag) -> None:
    lock = next(
        (a for a, b in pairwise(segment) if a.is_word("FOR") and b.is_word("UPDATE")),
        None,
    )
    if lock is None:
        return
    for a, b in zip(segment, [*segment[1:], None], strict=True):
        limit = a.is_word("ROWNUM") or (
            a.is_word("FETCH") and b is not None and b.is_word("FIRST", "NEXT")
        )
        if limit:
            flag(
                FOR_UPDATE_WITH_ROW_LIMIT,
                lock,
                f"FOR UPDATE with {a.upper}: ORA-02014 with FETCH FIRST, and ROWNUM with SKIP "
                "LOCKED hands a second worker nothing; use the portable claim (design §8)",
            )
            return


def _check_identifier_token(token: Token, flag: _Flag) -> None:
    if token.kind in (TokenKind.WORD, TokenKind.QUOTED_ID, TokenKind.BIND):
        name = token.name
        size = len(name.encode("utf-8"))
        if size > MAX_IDENTIFIER_BYTES and not name.isdigit():
            what = "bind variable name" if token.kind is TokenKind.BIND else "identifier"
            flag(LONG_IDENTIFIER, token, f"{what} {name!r} is {size} bytes (ORA-00972 before 12.2)")
    if token.kind is TokenKind.QUOTED_ID:
        name = token.name
        if name.upper() in RESERVED_WORDS:
            flag(RESERVED_IDENTIFIER, token, f"reserved word {name.upper()} quoted as {token.text}")
        elif name != name.upper():
            flag(
                QUOTED_IDENTIFIER,
                token,
                f"quoted {token.text} creates a case-sensitive name; use an unquoted one",
            )
    if token.kind is TokenKind.BIND and not token.text.startswith((':"', "__[")):
        if token.name.upper() in RESERVED_WORDS:
            flag(
                RESERVED_IDENTIFIER,
                token,
                f"bind variable :{token.name} is a reserved word (ORA-01745)",
            )


def _is_identifier_position(token: Token, previous: Token | None, following: Token | None) -> bool:
    """Where an unquoted reserved word can only be a name: ``t.x`` and ``x = ...``."""
    if previous is not None and previous.is_punct("."):
        return token.upper != "ROWID"
    if following is not None and following.kind is TokenKind.PUNCT:
        return following.text in _COMPARISONS and token.upper not in PSEUDO_COLUMNS
    return False


def _is_float_type(token: Token, following: Token | None) -> bool:
    if token.upper in FLOAT_TYPES:
        return True
    return token.upper == "DOUBLE" and following is not None and following.is_word("PRECISION")


def _check_declared_names(statement: Statement, flag: _Flag) -> None:
    """Column names in CREATE TABLE elements and INSERT column lists."""
    words = statement.words
    if words[:2] == ["CREATE", "TABLE"]:
        for element in table_elements(statement):
            name = column_name_of(element)
            if name is None:
                continue
            first = element[0]
            if first.kind is TokenKind.WORD and name in RESERVED_WORDS:
                flag(RESERVED_IDENTIFIER, first, f"reserved word {name} names a column")
            type_text, _ = column_type(element)
            if any(word in type_text.split("(")[0].split() for word in FLOAT_TYPES):
                flag(FLOAT_TYPE, first, f"column {name} is {type_text}; money is NUMBER(18,2)")
        return
    tokens = statement.tokens
    into = next((i for i, t in enumerate(tokens) if t.is_word("INTO")), None)
    if into is None:
        return
    _, i = read_name(tokens, into + 1)
    if i < len(tokens) and tokens[i].is_punct("("):
        depth = 0
        for token in tokens[i + 1 :]:
            if token.is_punct("("):
                depth += 1
            elif token.is_punct(")"):
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and token.kind is TokenKind.WORD and token.upper in RESERVED_WORDS:
                flag(
                    RESERVED_IDENTIFIER,
                    token,
                    f"reserved word {token.upper} in an INSERT column list",
                )


def _defined_names(statement: Statement) -> list[tuple[str, Token]]:
    """(kind, name token) of each name the statement gives: objects, constraints, AS aliases."""
    tokens = statement.tokens
    names: list[tuple[str, Token]] = []
    words = statement.words
    if not statement.plsql and words[:1] == ["CREATE"]:
        for i, token in enumerate(tokens[:-1]):
            if token.is_word("TABLE", "SEQUENCE", "INDEX", "VIEW", "SYNONYM") and i <= 5:
                target = _last_name_token(tokens, i + 1)
                if target is not None:
                    names.append((token.upper.lower(), target))
                break
    for i, token in enumerate(tokens[:-1]):
        following = tokens[i + 1]
        if token.is_word("CONSTRAINT"):
            names.append(("constraint", following))
        elif (
            token.is_word("AS")
            and not statement.plsql
            and following.kind is TokenKind.WORD
            and following.upper not in TYPE_WORDS
            and following.upper not in ("SELECT", "WITH")
        ):
            names.append(("column alias", following))
    return names


def _last_name_token(tokens: tuple[Token, ...], start: int) -> Token | None:
    last: Token | None = None
    i = start
    while i < len(tokens) and tokens[i].kind in (
        TokenKind.WORD,
        TokenKind.QUOTED_ID,
        TokenKind.SUBST,
    ):
        if tokens[i].kind is not TokenKind.SUBST:
            last = tokens[i]
        i += 1
        if i < len(tokens) and tokens[i].is_punct(".", ".."):
            i += 1
            continue
        break
    return last


# ---- schema: what only the whole script shows ----------------------------------------------


def _check_schema(schema: SchemaShape, source: str) -> list[RuleViolation]:
    found: list[RuleViolation] = []
    key_lists: dict[tuple[str, tuple[str, ...]], str] = {}
    for table in schema.tables.values():
        for constraint in table.constraints:
            if constraint.kind not in ("PRIMARY KEY", "UNIQUE"):
                continue
            key_lists[(table.name, constraint.columns)] = f"{constraint.kind} {constraint.name}"
            zoned = [
                c
                for c in constraint.columns
                if c in table.columns and _is_tstz(table.columns[c].type)
            ]
            if zoned:
                found.append(
                    RuleViolation(
                        rule=TSTZ_IN_KEY,
                        source=source,
                        line=constraint.line,
                        message=(
                            f"{constraint.kind} {constraint.name or ''} of {table.name} includes "
                            f"TIMESTAMP WITH TIME ZONE column(s) {', '.join(zoned)} (ORA-02329); "
                            "use a unique index instead"
                        ),
                    )
                )
    for index in schema.indexes.values():
        key = (index.table, index.columns)
        if key in key_lists:
            found.append(
                RuleViolation(
                    rule=DUPLICATE_INDEX,
                    source=source,
                    line=index.line,
                    message=(
                        f"index {index.name} repeats the column list of {key_lists[key]} "
                        "(ORA-01408)"
                    ),
                )
            )
        key_lists.setdefault(key, f"index {index.name}")
    return found


def _is_tstz(type_text: str) -> bool:
    upper = type_text.upper()
    return "WITH TIME ZONE" in upper and "LOCAL" not in upper


# ---- MetaData --------------------------------------------------------------------------------


def _name_problems(name: str, kind: str) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    size = len(name.encode("utf-8"))
    if size > MAX_IDENTIFIER_BYTES:
        problems.append((LONG_IDENTIFIER, f"{kind} name {name!r} is {size} bytes (max 30)"))
    if name.upper() in RESERVED_WORDS:
        problems.append((RESERVED_IDENTIFIER, f"{kind} name {name!r} is an Oracle reserved word"))
    elif name != name.lower() or _ORACLE.identifier_preparer.quote(name) != name:
        problems.append(
            (
                QUOTED_IDENTIFIER,
                f"{kind} name {name!r} would be quoted, so case-sensitive, on Oracle",
            )
        )
    return problems


def _type_problems(type_: TypeEngine[Any], dialect: Dialect) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    python_types: list[TypeEngine[Any]] = [type_, type_.dialect_impl(dialect)]
    if isinstance(type_, TypeDecorator):
        python_types.append(type_.impl_instance)
    compiled = str(type_.compile(dialect=dialect)).strip()
    tokens = tokenize(compiled)
    words = {t.upper for t in tokens if t.kind is TokenKind.WORD}
    if any(isinstance(t, Boolean) for t in python_types) or "BOOLEAN" in words:
        problems.append((BOOLEAN_TYPE, f"Boolean renders {compiled}; use the YesNo 'Y'/'N' type"))
    if any(isinstance(t, Float) for t in python_types) or any(
        _is_float_type(a, b) for a, b in zip(tokens, [*tokens[1:], None], strict=True)
    ):
        problems.append((FLOAT_TYPE, f"binary float ({compiled}); money is Numeric(18, 2)"))
    if compiled.upper() in LENGTHED_STRING_TYPES:
        problems.append((BARE_VARCHAR2, f"renders a bare {compiled} (ORA-00906): give String(n)"))
    is_datetime = any(isinstance(t, DateTime) and not isinstance(t, Date) for t in python_types)
    if is_datetime and compiled.upper() == "DATE":
        problems.append(
            (DATETIME_AS_DATE, "DateTime renders DATE on Oracle and loses the zone: UtcTimestamp")
        )
    return problems
