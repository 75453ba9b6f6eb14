"""Setting names that do not exist, and environment values that cannot be read, refused with a fix.

pydantic-settings reads an environment variable only when its name is a setting's, so a misspelt
``ARWORKER_QUEUE__LEASE_DURATIN_S`` would be ignored without a word, and the worker would run for
months on the default the operator meant to change. Here every ``ARWORKER_*`` name of the
environment and of ``.env`` is checked against the settings tree at every level, and each
unknown one is refused with the closest real name (difflib). Keys of the TOML file are refused by
the settings models themselves (``extra="forbid"`` at every level); :func:`unknown_key_problem`
words those the same way. List, table and section values in the environment are JSON; a value
that is not gets the variable's name and an example, not pydantic-settings' "error parsing
value for field".

The functions take the root settings model as an argument, so this module does not import
:mod:`config.settings` (which uses it).
"""

from __future__ import annotations

import difflib
import json
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

ENV_PREFIX = "ARWORKER_"
NESTED_DELIMITER = "__"
#: ``ARWORKER_`` variables that are read by name and are not settings
NON_SETTING_NAMES = frozenset({"ARWORKER_CONFIG", "ARWORKER_PORTALS_DIR"})
#: ``ARWORKER_`` prefixes that are not settings: portal secrets (``ARWORKER_SECRET_<REF>``, see
#: :mod:`config.secrets`), and the test suite's and the benchmarks' own database URLs
NON_SETTING_PREFIXES = ("ARWORKER_SECRET_", "ARWORKER_TEST_", "ARWORKER_BENCH_")
#: settings the loader fills in itself (the TOML file it read): never the operator's to set
DERIVED_SETTINGS = frozenset({"config_file"})
#: how alike a name must be to a real one to be offered as "did you mean" (difflib ratio)
SUGGESTION_CUTOFF = 0.6

Loc = tuple[str, ...]


def env_name(loc: tuple[int | str, ...]) -> str:
    """``("queue", "max_attempts")`` → ``ARWORKER_QUEUE__MAX_ATTEMPTS``."""
    return ENV_PREFIX + NESTED_DELIMITER.join(str(p).upper() for p in loc if isinstance(p, str))


def dotted(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc)


def section_model(annotation: Any) -> type[BaseModel] | None:
    """The settings section inside ``X`` or ``X | None``; None for a value (list, dict, str)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, type(int | None)):
        for arg in typing.get_args(annotation):
            found = section_model(arg)
            if found is not None:
                return found
    return None


def _is_table(annotation: Any) -> bool:
    """A ``dict[...]`` value: its keys are data (portal codes), not setting names."""
    return typing.get_origin(annotation) is dict or annotation is dict


def _is_json_value(annotation: Any) -> bool:
    """Values pydantic-settings decodes as JSON when they come from the environment."""
    if section_model(annotation) is not None:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, type(int | None)):
        return any(_is_json_value(a) for a in typing.get_args(annotation) if a is not type(None))
    return origin in (list, dict, set, tuple, frozenset) or annotation in (list, dict)


def setting_locs(root: type[BaseModel], prefix: Loc = ()) -> Iterator[tuple[Loc, FieldInfo]]:
    """Every setting of the tree, sections included, depth first."""
    for name, info in root.model_fields.items():
        if not prefix and name in DERIVED_SETTINGS:
            continue
        loc = (*prefix, name)
        yield loc, info
        sub = section_model(info.annotation)
        if sub is not None:
            yield from setting_locs(sub, loc)


def _resolve(root: type[BaseModel], parts: Loc) -> tuple[FieldInfo | None, int]:
    """Walk ``parts`` down the tree: the field reached and how many parts name real settings.

    A table (``dict``) field takes any key below it; a plain value takes none.
    """
    model: type[BaseModel] | None = root
    info: FieldInfo | None = None
    for depth, part in enumerate(parts):
        if model is None:
            if info is not None and _is_table(info.annotation):
                return info, len(parts)
            return info, depth
        info = model.model_fields.get(part)
        if info is None or (depth == 0 and part in DERIVED_SETTINGS):
            return None, depth
        model = section_model(info.annotation)
    return info, len(parts)


def _known_here(root: type[BaseModel], parts: Loc) -> list[str]:
    """The setting names one level below ``parts`` (the section a mistake sits in)."""
    info, depth = _resolve(root, parts)
    if depth < len(parts):
        return []
    if not parts:
        return [name for name in root.model_fields if name not in DERIVED_SETTINGS]
    model = section_model(info.annotation if info else None)
    return list(model.model_fields) if model is not None else []


def _suggest(word: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=SUGGESTION_CUTOFF)
    return close[0] if close else None


def is_setting_env_name(name: str) -> bool:
    """Whether an ``ARWORKER_`` variable is meant as a setting (not a secret or the file path)."""
    upper = name.upper()
    return (
        upper.startswith(ENV_PREFIX)
        and upper not in NON_SETTING_NAMES
        and not upper.startswith(NON_SETTING_PREFIXES)
    )


def _env_parts(name: str) -> Loc:
    return tuple(name[len(ENV_PREFIX) :].lower().split(NESTED_DELIMITER))


def unknown_env_names(root: type[BaseModel], environ: Mapping[str, str | None]) -> list[str]:
    """The ``ARWORKER_`` names in ``environ`` that are no setting at all, in sorted order."""
    return sorted(
        name
        for name in environ
        if is_setting_env_name(name) and _resolve(root, _env_parts(name))[1] < len(_env_parts(name))
    )


def unknown_env_problems(
    root: type[BaseModel], environ: Mapping[str, str | None], *, origin: str
) -> list[str]:
    """One line per unknown ``ARWORKER_`` name: where it was set and the closest real name.

    Values are never shown: a misspelt name may well hold a password.
    """
    # compared without the common prefix, which would make any two names look alike
    every_name = [env_name(loc)[len(ENV_PREFIX) :] for loc, _ in setting_locs(root)]
    every_name += [n[len(ENV_PREFIX) :] for n in sorted(NON_SETTING_NAMES)]
    problems = []
    for name in unknown_env_names(root, environ):
        parts = _env_parts(name)
        _, depth = _resolve(root, parts)
        line = f"{name} ({origin}): not a setting, so it would be ignored"
        suggestion = _suggest(name.upper()[len(ENV_PREFIX) :], every_name)
        if suggestion is not None:
            line += f"; did you mean {ENV_PREFIX}{suggestion}?"
        else:
            known = _known_here(root, parts[:depth])
            where = f"[{dotted(parts[:depth])}]" if depth else "the top level"
            line += (
                f"; the settings of {where} are: {', '.join(known)} (all of them are in "
                "config/arworker.example.toml; the other ARWORKER_ names are ARWORKER_CONFIG, "
                "ARWORKER_PORTALS_DIR and ARWORKER_SECRET_<NAME>)"
            )
        problems.append(line)
    return problems


def json_env_problems(
    root: type[BaseModel], environ: Mapping[str, str | None], *, origin: str
) -> list[str]:
    """One line per list, table or section value that is not JSON, with an example of one."""
    problems = []
    for name in sorted(environ):
        if not is_setting_env_name(name):
            continue
        parts = _env_parts(name)
        info, depth = _resolve(root, parts)
        if info is None or depth < len(parts) or not _is_json_value(info.annotation):
            continue
        if _is_table(info.annotation) and _resolve(root, parts[:-1])[0] is info:
            continue  # ARWORKER_BROWSER__PORTAL_MAX_PAGES__ARIBA=1: one entry, a plain value
        value = environ[name] or ""
        try:
            json.loads(value)
        except ValueError as exc:
            problems.append(_json_problem(name, origin, value, info, exc))
    return problems


def _json_problem(name: str, origin: str, value: str, info: FieldInfo, exc: ValueError) -> str:
    if section_model(info.annotation) is not None:
        # a whole section may hold a password: never echo it
        what = "is empty" if not value.strip() else "is not valid JSON"
        return (
            f"{name} ({origin}): {what}; a whole section in one variable must be a JSON "
            f"object; or set one key per variable instead, e.g. {name}__<KEY>=..."
        )
    table = _is_table(info.annotation)
    kind = "table (a JSON object)" if table else "list (a JSON array)"
    example = json.dumps(info.examples[0]) if info.examples else ("{}" if table else "[]")
    what = "is empty" if not value.strip() else f"{value!r} is not valid JSON ({exc})"
    return f"{name} ({origin}): {what}; this setting is a {kind}, for example {name}='{example}'"


def unknown_key_problem(
    root: type[BaseModel],
    loc: tuple[int | str, ...],
    *,
    environ: Mapping[str, str | None],
    config_file: Path | None,
) -> str:
    """pydantic's "extra inputs are not permitted" at ``loc``, in the operator's words."""
    parts = tuple(str(p).lower() for p in loc if isinstance(p, str))
    where = _origin_of(parts, environ, config_file)
    known = _known_here(root, parts[:-1])
    line = f"{dotted(parts)}{where}: unknown setting"
    suggestion = _suggest(parts[-1], known)
    if suggestion is not None:
        fixed = (*parts[:-1], suggestion)
        line += f"; did you mean {dotted(fixed)} ({env_name(fixed)})?"
    elif known:
        section = f"[{dotted(parts[:-1])}]" if len(parts) > 1 else "the top level"
        line += f"; the settings of {section} are: {', '.join(known)}"
    return line


def _origin_of(parts: Loc, environ: Mapping[str, str | None], config_file: Path | None) -> str:
    """Where an unknown key came from: a variable, the JSON of a variable, or the TOML file."""
    by_parts = {_env_parts(n): n for n in environ if is_setting_env_name(n)}
    for depth in range(len(parts), 0, -1):
        name = by_parts.get(parts[:depth])
        if name is not None:
            return f" ({name})" if depth == len(parts) else f" (in the JSON of {name})"
    if config_file is not None:
        return f" (in {config_file})"
    return ""


def covered_by(loc: tuple[int | str, ...], reported: list[str]) -> bool:
    """Whether a pydantic error at ``loc`` comes from an unknown variable already reported.

    ``ARWORKER_QUEUE__MAX_ATTEMPTS__X`` is reported as unknown; pydantic would also say that
    ``queue.max_attempts`` is not an integer. One mistake, one line.
    """
    parts = tuple(str(p).lower() for p in loc if isinstance(p, str))
    return any(_env_parts(name)[: len(parts)] == parts for name in reported)
