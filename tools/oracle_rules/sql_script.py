"""Reading Oracle SQL as SQL*Plus would: tokens, statements, and the schema a DDL script creates.

No Oracle server runs where most of our tests run, so the Oracle-only rules of design §8 are
checked on text: the statements SQLAlchemy compiles for the Oracle dialect and the DBA scripts in
``ddl/``. This module turns either into statements of tokens (strings, comments, quoted
identifiers, binds, SQL*Plus commands and ``&`` substitution variables told apart, PL/SQL units
ended by ``/``), and reads back which tables, columns, types, sequences, indexes and
constraints a DDL script creates, so a script can be compared with what the code would create.
It is deliberately a reader of the SQL we write, not a full Oracle grammar.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from itertools import pairwise

#: first words of a line that SQL*Plus (or SQLcl) executes itself; never sent to the database
SQLPLUS_COMMANDS = frozenset(
    {
        "ACCEPT", "BREAK", "BTITLE", "CLEAR", "COL", "COLUMN", "COMPUTE", "CONN", "CONNECT",
        "DEF", "DEFINE", "DESC", "DESCRIBE", "DISCONNECT", "EXIT", "HOST", "PAUSE", "PRINT",
        "PRO", "PROMPT", "QUIT", "REM", "REMARK", "SET", "SHO", "SHOW", "SPOOL", "START",
        "TIMING", "TTITLE", "UNDEFINE", "VAR", "VARIABLE", "WHENEVER",
    }
)  # fmt: skip
#: ``EXEC proc(...)`` is SQL*Plus shorthand for ``BEGIN proc(...); END;``
SQLPLUS_EXEC = frozenset({"EXEC", "EXECUTE"})
#: SQL statements that begin with SET and so are not the SQL*Plus command
_SQL_SET_OBJECTS = frozenset({"TRANSACTION", "ROLE", "CONSTRAINT", "CONSTRAINTS"})
#: what may follow CREATE [OR REPLACE] [EDITIONABLE] to make a PL/SQL unit ended by "/"
_PLSQL_UNITS = frozenset({"PACKAGE", "PROCEDURE", "FUNCTION", "TRIGGER", "TYPE", "LIBRARY"})
_CREATE_MODIFIERS = frozenset({"OR", "REPLACE", "EDITIONABLE", "NONEDITIONABLE", "EDITIONING"})
#: words that end a column's type in a column definition
_TYPE_ENDS = frozenset(
    {
        "NOT", "NULL", "DEFAULT", "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "REFERENCES",
        "GENERATED", "COLLATE", "ENCRYPT", "INVISIBLE", "VISIBLE", "ENABLE", "DISABLE",
    }
)  # fmt: skip
#: first words of a CREATE TABLE element that make it a constraint, not a column
_CONSTRAINT_STARTS = frozenset({"CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK"})
_Q_QUOTE_CLOSERS = {"[": "]", "{": "}", "(": ")", "<": ">"}


class TokenKind(Enum):
    """What a piece of SQL text is."""

    #: an unquoted word: keyword or identifier (SQL cannot tell them apart without a grammar)
    WORD = "word"
    #: a double-quoted identifier (case-sensitive in Oracle)
    QUOTED_ID = "quoted_id"
    #: a string literal, quotes included ('it''s', N'x', q'[x]')
    STRING = "string"
    #: a bind variable (:name, :"name", :1) or SQLAlchemy's __[POSTCOMPILE_name] placeholder
    BIND = "bind"
    #: a SQL*Plus substitution variable (&name, &&name.)
    SUBST = "subst"
    #: a numeric literal
    NUMBER = "number"
    #: an operator or punctuation mark (":=", "=>", "<=", ";", "(", ...)
    PUNCT = "punct"


@dataclass(frozen=True, kw_only=True, slots=True)
class Token:
    """One token, the 1-based line it starts on, and where it sits in the text read."""

    kind: TokenKind
    text: str
    line: int
    start: int = 0
    end: int = 0

    @property
    def upper(self) -> str:
        """The text in upper case: how Oracle sees an unquoted word."""
        return self.text.upper()

    def is_word(self, *words: str) -> bool:
        """True for an unquoted word equal (ignoring case) to one of ``words``."""
        return self.kind is TokenKind.WORD and self.text.upper() in words

    def is_punct(self, *marks: str) -> bool:
        """True for the punctuation ``marks``."""
        return self.kind is TokenKind.PUNCT and self.text in marks

    @property
    def name(self) -> str:
        """The identifier or bind name this token carries, without quotes or colon."""
        text = self.text
        if self.kind is TokenKind.QUOTED_ID:
            return text[1:-1]
        if self.kind is TokenKind.BIND:
            if text.startswith("__[POSTCOMPILE_"):
                return text[len("__[POSTCOMPILE_") : -1]
            text = text[1:]
            return text[1:-1] if text.startswith('"') else text
        return text


@dataclass(frozen=True, kw_only=True, slots=True)
class Statement:
    """One statement of a script: tokens, first line, PL/SQL or not, and the text to execute.

    ``sql`` is what a driver executes: SQL without its ``;``, PL/SQL with its final ``END;``.
    """

    tokens: tuple[Token, ...]
    line: int
    plsql: bool
    sql: str

    @property
    def words(self) -> list[str]:
        """The unquoted words, upper case, in order."""
        return [t.upper for t in self.tokens if t.kind is TokenKind.WORD]

    def text(self, limit: int = 120) -> str:
        """The statement re-joined on one line, cut at ``limit`` characters, for messages."""
        joined = " ".join(t.text for t in self.tokens)
        return joined if len(joined) <= limit else joined[: limit - 1] + "…"


_TOKEN_PATTERN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<line_comment>--[^\n]*)
  | (?P<block_comment>/\*.*?(?:\*/|\Z))
  | (?P<q_string>[nN]?[qQ]'(?P<q_open>\S))
  | (?P<string>[nN]?'(?:[^']|'')*(?:'|\Z))
  | (?P<quoted_id>"[^"]*"?)
  | (?P<postcompile>__\[POSTCOMPILE_[A-Za-z0-9_]+\])
  | (?P<punct2>:=|=>|<>|!=|<=|>=|\|\||\.\.)
  | (?P<bind>:(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$\#]*|\d+))
  | (?P<subst>&&?[A-Za-z_][A-Za-z0-9_$\#]*\.?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$\#]*)
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokenize(text: str, *, first_line: int = 1) -> list[Token]:
    """All tokens of ``text`` (comments and white space dropped), with their line numbers."""
    tokens, _ = _scan(text, 0, len(text), first_line, stop_at_line_end=False)
    return tokens


def split_statements(text: str) -> list[Statement]:
    """Split a script (or one compiled statement) into statements the way SQL*Plus would.

    SQL ends at ``;``; PL/SQL units (CREATE PACKAGE/PROCEDURE/FUNCTION/TRIGGER/TYPE, anonymous
    DECLARE/BEGIN blocks) end at a line holding only ``/``; SQL*Plus commands (PROMPT, SET,
    DEFINE, WHENEVER...) are skipped, and ``EXEC x`` becomes the block ``BEGIN x; END;``.
    """
    statements: list[Statement] = []
    current: list[Token] = []
    pos = 0
    line = 1
    length = len(text)
    while pos < length:
        end_of_line = text.find("\n", pos)
        end_of_line = length if end_of_line == -1 else end_of_line
        raw_line = text[pos:end_of_line]
        stripped = raw_line.strip()
        if stripped == "/":
            if current:
                statements.append(_statement(current, text))
                current = []
            pos, line = end_of_line + 1, line + 1
            continue
        if not current:
            command = _sqlplus_command(stripped)
            if command == "exec":
                body = stripped.split(None, 1)[1] if " " in stripped else ""
                block = f"BEGIN {body.rstrip().rstrip(';')}; END;"
                statements.append(_statement(tokenize(block, first_line=line), block))
                pos, line = end_of_line + 1, line + 1
                continue
            if command == "sqlplus":
                pos, line = end_of_line + 1, line + 1
                continue
        tokens, new_pos = _scan(text, pos, length, line, stop_at_line_end=True)
        line += text.count("\n", pos, new_pos)
        pos = new_pos
        for token in tokens:
            current.append(token)
            if token.is_punct(";") and not _is_plsql(current):
                statements.append(_statement(current[:-1], text))
                current = []
    if current:
        statements.append(_statement(current, text))
    return [s for s in statements if s.tokens]


def _scan(
    text: str, pos: int, end: int, line: int, *, stop_at_line_end: bool
) -> tuple[list[Token], int]:
    """Tokenize from ``pos``; stop after the first newline outside a token if asked."""
    tokens: list[Token] = []
    while pos < end:
        match = _TOKEN_PATTERN.match(text, pos, end)
        if match is None:  # pragma: no cover - the last alternative matches any character
            break
        kind = match.lastgroup
        token_text = match.group()
        new_pos = match.end()
        if kind == "q_string":
            opener = match.group("q_open")
            closer = _Q_QUOTE_CLOSERS.get(opener, opener) + "'"
            close_at = text.find(closer, new_pos, end)
            new_pos = end if close_at == -1 else close_at + len(closer)
            token_text = text[pos:new_pos]
            kind = "string"
        if kind == "space":
            if stop_at_line_end and "\n" in token_text:
                return tokens, pos + token_text.index("\n") + 1
        elif kind not in ("line_comment", "block_comment"):
            tokens.append(
                Token(
                    kind=_KINDS[kind or "punct"], text=token_text, line=line, start=pos, end=new_pos
                )
            )
        line += token_text.count("\n")
        pos = new_pos
    return tokens, pos


_KINDS = {
    "string": TokenKind.STRING,
    "quoted_id": TokenKind.QUOTED_ID,
    "postcompile": TokenKind.BIND,
    "bind": TokenKind.BIND,
    "subst": TokenKind.SUBST,
    "word": TokenKind.WORD,
    "number": TokenKind.NUMBER,
    "punct2": TokenKind.PUNCT,
    "punct": TokenKind.PUNCT,
}


def _sqlplus_command(stripped_line: str) -> str | None:
    """'sqlplus' for a SQL*Plus command line, 'exec' for EXEC, None for SQL text."""
    if not stripped_line or stripped_line.startswith("--"):
        return None
    if stripped_line.startswith("@"):
        return "sqlplus"
    parts = stripped_line.split(None, 2)
    first = parts[0].rstrip(";").upper()
    if first in SQLPLUS_EXEC:
        second = parts[1].upper() if len(parts) > 1 else ""
        return None if second == "IMMEDIATE" else "exec"
    if first in SQLPLUS_COMMANDS:
        if first == "SET" and len(parts) > 1 and parts[1].upper() in _SQL_SET_OBJECTS:
            return None
        return "sqlplus"
    return None


def _is_plsql(tokens: list[Token]) -> bool:
    words = [t.upper for t in tokens[:8] if t.kind is TokenKind.WORD]
    if not words:
        return False
    if words[0] in ("DECLARE", "BEGIN"):
        return True
    if words[0] != "CREATE":
        return False
    rest = [w for w in words[1:] if w not in _CREATE_MODIFIERS]
    return bool(rest) and rest[0] in _PLSQL_UNITS


def _statement(tokens: list[Token], text: str) -> Statement:
    sql = text[tokens[0].start : tokens[-1].end] if tokens else ""
    return Statement(
        tokens=tuple(tokens),
        line=tokens[0].line if tokens else 0,
        plsql=_is_plsql(tokens),
        sql=sql,
    )


_SUBSTITUTION = re.compile(r"&&?([A-Za-z_][A-Za-z0-9_$#]*)\.?")


def substitute(script: str, defines: Mapping[str, str]) -> str:
    """Replace ``&name`` / ``&&name.`` as SQL*Plus would, from ``defines`` (names any case).

    An undefined name raises ``KeyError``: SQL*Plus would prompt for it, a test must not.
    """
    lowered = {k.lower(): v for k, v in defines.items()}

    def value(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        if name not in lowered:
            raise KeyError(f"substitution variable &{name} is not defined")
        return lowered[name]

    return _SUBSTITUTION.sub(value, script)


# ---- what a DDL script creates -------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class ColumnShape:
    """A column as a DDL statement declares it."""

    name: str
    type: str
    nullable: bool
    line: int


@dataclass(frozen=True, kw_only=True, slots=True)
class ConstraintShape:
    """A constraint: name (None when Oracle would generate one), kind, and its key columns."""

    name: str | None
    kind: str  #: 'PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY', 'CHECK' or 'NOT NULL'
    columns: tuple[str, ...]
    line: int


@dataclass(kw_only=True, slots=True)
class TableShape:
    """A table as a DDL script declares it: columns in order, and its constraints."""

    name: str
    line: int
    columns: dict[str, ColumnShape] = field(default_factory=dict)
    constraints: list[ConstraintShape] = field(default_factory=list)

    @property
    def named_constraints(self) -> dict[str, str]:
        """Constraint name → kind, for the named ones."""
        return {c.name: c.kind for c in self.constraints if c.name is not None}


@dataclass(frozen=True, kw_only=True, slots=True)
class IndexShape:
    """An index: its table, columns and uniqueness."""

    name: str
    table: str
    columns: tuple[str, ...]
    unique: bool
    line: int


@dataclass(kw_only=True, slots=True)
class SchemaShape:
    """Everything a DDL script creates, names upper case as Oracle stores them."""

    tables: dict[str, TableShape] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    indexes: dict[str, IndexShape] = field(default_factory=dict)


def read_schema(sql: str) -> SchemaShape:
    """Read the CREATE TABLE/SEQUENCE/INDEX and ALTER TABLE ... ADD CONSTRAINT of a script."""
    schema = SchemaShape()
    for statement in split_statements(sql):
        if statement.plsql:
            continue
        words = statement.words
        if words[:2] == ["CREATE", "TABLE"] or words[:4] == [
            "CREATE",
            "GLOBAL",
            "TEMPORARY",
            "TABLE",
        ]:
            table = read_create_table(statement)
            if table is not None:
                schema.tables[table.name] = table
        elif words[:2] == ["CREATE", "SEQUENCE"]:
            name, _ = read_name(statement.tokens, _index_after_words(statement.tokens, 2))
            if name:
                schema.sequences[name.upper()] = statement.line
        elif words[:2] == ["CREATE", "INDEX"] or words[:3] in (
            ["CREATE", "UNIQUE", "INDEX"],
            ["CREATE", "BITMAP", "INDEX"],
        ):
            index = _read_create_index(statement)
            if index is not None:
                schema.indexes[index.name] = index
        elif words[:2] == ["ALTER", "TABLE"]:
            _read_alter_table(statement, schema)
    return schema


def read_name(tokens: tuple[Token, ...], start: int) -> tuple[str | None, int]:
    """Read a qualified name (``a``, ``s.a``, ``&&s..a``): its last part and the next index."""
    name: str | None = None
    i = start
    while i < len(tokens):
        token = tokens[i]
        if token.kind in (TokenKind.WORD, TokenKind.QUOTED_ID):
            name = token.name if token.kind is TokenKind.QUOTED_ID else token.upper
        elif token.kind is not TokenKind.SUBST:
            break
        i += 1
        if i < len(tokens) and tokens[i].is_punct(".", ".."):
            i += 1
            continue
        break
    return name, i


def read_create_table(statement: Statement) -> TableShape | None:
    """The table a CREATE TABLE statement declares, or None if it is not one we can read."""
    tokens = statement.tokens
    table_at = next(i for i, t in enumerate(tokens) if t.is_word("TABLE"))
    name, i = read_name(tokens, table_at + 1)
    if name is None or i >= len(tokens) or not tokens[i].is_punct("("):
        return None
    table = TableShape(name=name, line=tokens[table_at].line)
    for element in _top_level_elements(tokens, i):
        if not element:
            continue
        first = element[0]
        if first.kind is TokenKind.WORD and first.upper in _CONSTRAINT_STARTS:
            table.constraints.append(_constraint_of(element, column=None))
            continue
        column = _column_of(element)
        if column is not None:
            table.columns[column.name] = column
            table.constraints.extend(_inline_constraints(element, column.name))
    return table


def column_name_of(element: list[Token]) -> str | None:
    """The column name a CREATE TABLE element declares, or None for a constraint."""
    first = element[0] if element else None
    if first is None or (first.kind is TokenKind.WORD and first.upper in _CONSTRAINT_STARTS):
        return None
    return first.name if first.kind is TokenKind.QUOTED_ID else first.upper


def table_elements(statement: Statement) -> list[list[Token]]:
    """The comma-separated elements inside a CREATE TABLE's parentheses."""
    tokens = statement.tokens
    for i, token in enumerate(tokens):
        if token.is_punct("("):
            return _top_level_elements(tokens, i)
    return []


def _top_level_elements(tokens: tuple[Token, ...], open_at: int) -> list[list[Token]]:
    elements: list[list[Token]] = [[]]
    depth = 0
    for token in tokens[open_at + 1 :]:
        if token.is_punct("("):
            depth += 1
        elif token.is_punct(")"):
            if depth == 0:
                break
            depth -= 1
        elif token.is_punct(",") and depth == 0:
            elements.append([])
            continue
        elements[-1].append(token)
    return elements


def column_type(element: list[Token]) -> tuple[str, int]:
    """The type of a column definition as normalised text, and how many tokens it spans."""
    parts: list[str] = []
    depth = 0
    count = 0
    for token in element[1:]:
        if depth == 0 and token.kind is TokenKind.WORD and token.upper in _TYPE_ENDS:
            break
        if token.is_punct("("):
            depth += 1
        elif token.is_punct(")"):
            depth -= 1
        parts.append(token.upper)
        count += 1
    return normalise_type(parts), count


def normalise_type(parts: list[str]) -> str:
    """'NUMBER ( 15 , 0 )' → 'NUMBER(15)', 'NUMERIC(18, 2)' → 'NUMBER(18,2)', upper case."""
    text = " ".join(parts).upper()
    text = re.sub(r"\s*\(\s*", "(", text)
    text = re.sub(r"\s*,\s*", ",", text)
    text = re.sub(r"\s*\)", ")", text)
    text = re.sub(r"^(?:NUMERIC|DECIMAL)\(", "NUMBER(", text)  # ANSI names Oracle stores as NUMBER
    return re.sub(r"^NUMBER\((\d+),0\)", r"NUMBER(\1)", text)


def _column_of(element: list[Token]) -> ColumnShape | None:
    name = column_name_of(element)
    if name is None:
        return None
    type_text, span = column_type(element)
    rest = element[1 + span :]
    not_null = any(a.is_word("NOT") and b.is_word("NULL") for a, b in pairwise(rest))
    primary = any(a.is_word("PRIMARY") and b.is_word("KEY") for a, b in pairwise(rest))
    return ColumnShape(
        name=name, type=type_text, nullable=not (not_null or primary), line=element[0].line
    )


def _constraint_of(element: list[Token], *, column: str | None) -> ConstraintShape:
    """An out-of-line constraint, or an inline one on ``column`` (then it has no column list)."""
    name: str | None = None
    i = 0
    if element and element[0].is_word("CONSTRAINT") and len(element) > 1:
        name = element[1].name if element[1].kind is TokenKind.QUOTED_ID else element[1].upper
        i = 2
    words = [t.upper for t in element[i : i + 2] if t.kind is TokenKind.WORD]
    joined = " ".join(words)
    kind = next(
        (k for k in ("PRIMARY KEY", "FOREIGN KEY", "NOT NULL") if joined.startswith(k)),
        words[0] if words else "?",
    )
    columns: tuple[str, ...] = ()
    if column is not None:
        columns = (column,) if kind != "CHECK" else ()
    elif kind != "CHECK":
        opening = next((j for j in range(i, len(element)) if element[j].is_punct("(")), None)
        if opening is not None:
            columns = tuple(
                normalise_type([t.upper for t in part])
                for part in _top_level_elements(tuple(element), opening)
                if part
            )
    line = element[0].line if element else 0
    return ConstraintShape(name=name, kind=kind, columns=columns, line=line)


def _inline_constraints(element: list[Token], column: str) -> list[ConstraintShape]:
    """``CONSTRAINT x PRIMARY KEY``, ``UNIQUE``... written inside a column definition."""
    found: list[ConstraintShape] = []
    for j, token in enumerate(element[1:], start=1):
        named = j >= 2 and element[j - 2].is_word("CONSTRAINT")  # CONSTRAINT name PRIMARY
        if token.is_word("CONSTRAINT"):
            found.append(_constraint_of(element[j:], column=column))
        elif token.is_word("PRIMARY", "UNIQUE") and not named:
            found.append(_constraint_of(element[j:], column=column))
    return found


def _read_create_index(statement: Statement) -> IndexShape | None:
    tokens = statement.tokens
    index_at = next(i for i, t in enumerate(tokens) if t.is_word("INDEX"))
    name, i = read_name(tokens, index_at + 1)
    if name is None or i >= len(tokens) or not tokens[i].is_word("ON"):
        return None
    table, i = read_name(tokens, i + 1)
    columns: list[str] = []
    if table is not None and i < len(tokens) and tokens[i].is_punct("("):
        columns = [
            normalise_type([t.upper for t in element])
            for element in _top_level_elements(tokens, i)
            if element
        ]
    return IndexShape(
        name=name,
        table=table or "?",
        columns=tuple(columns),
        unique=statement.words[1] == "UNIQUE",
        line=statement.line,
    )


def _read_alter_table(statement: Statement, schema: SchemaShape) -> None:
    tokens = statement.tokens
    table_name, i = read_name(tokens, 2)
    if table_name is None or table_name not in schema.tables or i >= len(tokens):
        return
    if tokens[i].is_word("ADD") and i + 1 < len(tokens) and tokens[i + 1].is_word("CONSTRAINT"):
        schema.tables[table_name].constraints.append(
            _constraint_of(list(tokens[i + 1 :]), column=None)
        )


def _index_after_words(tokens: tuple[Token, ...], count: int) -> int:
    seen = 0
    for i, token in enumerate(tokens):
        if token.kind is TokenKind.WORD:
            seen += 1
            if seen == count:
                return i + 1
    return len(tokens)
