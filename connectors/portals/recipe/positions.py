"""Where each key of a TOML file is written, so a recipe error can name its line.

``tomllib`` gives values without positions, and a load error that says "submit.steps[3].value"
without a line sends the reader counting braces. This scanner walks the text (already known to
be valid TOML: ``tomllib`` parsed it first) and records the line of every table header, every
key, and every element of an array, keyed by the same path pydantic reports
(``("submit", "steps", 3, "value")``). It understands what recipes use: tables, arrays of tables,
dotted and quoted keys, inline tables, arrays over several lines, the four kinds of string and
comments. Anything it cannot place falls back to the nearest enclosing key it could.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

#: a key path: table and key names, and array indexes
KeyPath = tuple[str | int, ...]

_BARE_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def key_lines(text: str) -> dict[KeyPath, int]:
    """Path → 1-based line of every key, table and array element in ``text``."""
    scanner = _Scanner(text)
    scanner.document()
    return scanner.lines


def line_of(lines: Mapping[KeyPath, int], path: Sequence[str | int]) -> int | None:
    """The line of ``path``, else of its nearest ancestor that has one; None if none does."""
    wanted = tuple(path)
    while wanted:
        if wanted in lines:
            return lines[wanted]
        wanted = wanted[:-1]
    return None


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[KeyPath, int] = {}
        self._array_tables: dict[KeyPath, int] = {}  # resolved path → last index

    # --- characters -------------------------------------------------------------------------

    def _peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def _advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self.pos < len(self.text):
                if self.text[self.pos] == "\n":
                    self.line += 1
                self.pos += 1

    def _skip_blank(self, *, newlines: bool) -> None:
        """Spaces and tabs (and newlines and comments when ``newlines``)."""
        while self.pos < len(self.text):
            ch = self._peek()
            if ch in " \t\r" or (newlines and ch == "\n"):
                self._advance()
            elif newlines and ch == "#":
                while self.pos < len(self.text) and self._peek() != "\n":
                    self._advance()
            else:
                return

    def _skip_line(self) -> None:
        while self.pos < len(self.text) and self._peek() != "\n":
            self._advance()

    # --- structure --------------------------------------------------------------------------

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self._skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            if self._peek() == "[":
                table = self._header()
            else:
                self._key_value(table)
            self._skip_line()

    def _header(self) -> KeyPath:
        line = self.line
        is_array = self._peek(1) == "["
        self._advance(2 if is_array else 1)
        names = self._key()
        self._advance(2 if is_array else 1)
        resolved = (*self._resolve(names[:-1]), names[-1]) if is_array else self._resolve(names)
        if is_array:
            index = self._array_tables.get(resolved, -1) + 1
            self._array_tables[resolved] = index
            self.lines.setdefault(resolved, line)
            resolved = (*resolved, index)
        self.lines.setdefault(resolved, line)
        return resolved

    def _resolve(self, names: Sequence[str]) -> KeyPath:
        """A header's names with the current index of every array of tables on the way."""
        resolved: KeyPath = ()
        for name in names:
            resolved = (*resolved, name)
            if resolved in self._array_tables:
                resolved = (*resolved, self._array_tables[resolved])
        return resolved

    def _key_value(self, table: KeyPath) -> None:
        line = self.line
        path = (*table, *self._key())
        self.lines.setdefault(path, line)
        self._skip_blank(newlines=False)
        if self._peek() == "=":
            self._advance()
        self._value(path)

    def _key(self) -> list[str]:
        """A possibly dotted, possibly quoted key; stops before ``=`` or ``]``."""
        names: list[str] = []
        while True:
            self._skip_blank(newlines=False)
            ch = self._peek()
            if ch in ('"', "'"):
                names.append(self._string())
            else:
                start = self.pos
                while self._peek() in _BARE_KEY_CHARS and self._peek():
                    self._advance()
                names.append(self.text[start : self.pos])
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return names
            self._advance()

    def _value(self, path: KeyPath) -> None:
        self._skip_blank(newlines=False)
        ch = self._peek()
        if ch in ('"', "'"):
            self._string()
        elif ch == "[":
            self._array(path)
        elif ch == "{":
            self._inline_table(path)
        else:
            while self._peek() and self._peek() not in ",]}\n#":
                self._advance()

    def _array(self, path: KeyPath) -> None:
        self._advance()  # [
        index = 0
        while self.pos < len(self.text):
            self._skip_blank(newlines=True)
            if self._peek() == "]":
                self._advance()
                return
            self.lines.setdefault((*path, index), self.line)
            self._value((*path, index))
            self._skip_blank(newlines=True)
            if self._peek() == ",":
                self._advance()
                index += 1

    def _inline_table(self, path: KeyPath) -> None:
        self._advance()  # {
        while self.pos < len(self.text):
            self._skip_blank(newlines=True)
            if self._peek() == "}":
                self._advance()
                return
            if self._peek() == ",":
                self._advance()
                continue
            line = self.line
            key = (*path, *self._key())
            self.lines.setdefault(key, line)
            self._skip_blank(newlines=False)
            if self._peek() == "=":
                self._advance()
            self._value(key)

    def _string(self) -> str:
        quote = self._peek()
        if self.text.startswith(quote * 3, self.pos):
            self._advance(3)
            start = self.pos
            end = self.text.find(quote * 3, self.pos)
            self._advance((len(self.text) if end < 0 else end) - self.pos)
            value = self.text[start : self.pos]
            self._advance(3)
            return value
        self._advance()
        chars: list[str] = []
        while self.pos < len(self.text) and self._peek() not in (quote, "\n"):
            if quote == '"' and self._peek() == "\\":
                chars.append(self._peek(1))
                self._advance(2)
                continue
            chars.append(self._peek())
            self._advance()
        self._advance()  # the closing quote
        return "".join(chars)
