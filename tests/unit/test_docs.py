"""The README and the manual stay true: links resolve, every setting is documented, the README
stays a five-minute read, and it names the test command CI really runs."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from config.settings import Settings

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
README_MAX_LINES = 200
#: every Markdown page a reader is sent to
PAGES = sorted(
    [
        README,
        REPO / "CONTRIBUTING.md",
        REPO / "CHANGELOG.md",
        REPO / "benchmarks" / "README.md",
        *(REPO / "docs").glob("*.md"),
    ]
)
#: [text](target) outside code; the target may carry a #fragment
LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)\)")
CODE_BLOCK = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$", re.MULTILINE)
#: settings that are not set by a person
INTERNAL_SETTINGS = frozenset({"config_file"})


def links(page: Path) -> list[str]:
    """The link targets of a Markdown page, code blocks and inline code left out."""
    text = INLINE_CODE.sub("", CODE_BLOCK.sub("", page.read_text(encoding="utf-8")))
    return LINK.findall(text)


def anchors(page: Path) -> set[str]:
    """The fragments a page's headings answer to, as GitHub makes them."""
    text = CODE_BLOCK.sub("", page.read_text(encoding="utf-8"))
    found = set()
    for heading in HEADING.findall(text):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def documented_settings() -> list[str]:
    """Every setting of the model, as ``section.key`` (top-level ones as ``key``)."""
    names = []
    for section, field in Settings.model_fields.items():
        if section in INTERNAL_SETTINGS:
            continue
        sub_fields = getattr(field.annotation, "model_fields", None)
        if sub_fields is None:
            names.append(section)
        else:
            names.extend(f"{section}.{key}" for key in sub_fields)
    return names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_docs_relative_links_resolve(page: Path) -> None:
    """Each relative link of the README and the manual points at a file (and heading) there."""
    assert page.exists(), page
    broken = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: not ours to check
            continue
        path_part, _, fragment = target.partition("#")
        resolved = (page.parent / unquote(path_part)).resolve() if path_part else page
        if not resolved.exists():
            broken.append(f"{target} (no {resolved.relative_to(REPO)})")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
            broken.append(f"{target} (no heading #{fragment})")
    assert broken == [], f"{page.relative_to(REPO)}: broken links {broken}"


def test_docs_link_check_sees_links() -> None:
    """The link check reads links at all: the README links the manual's pages."""
    targets = links(README)
    assert "docs/recipes.md" in targets and "docs/configuration.md" in targets


def test_docs_readme_stays_short() -> None:
    """The README is the newcomer's first five minutes, not the manual."""
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail to docs/"


@pytest.mark.parametrize("setting", documented_settings())
def test_docs_configuration_reference_covers_every_setting(setting: str) -> None:
    """docs/configuration.md has a row for each setting of the settings model."""
    reference = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert f"| `{setting}` |" in reference, f"{setting} is not in docs/configuration.md"


def test_docs_configuration_reference_names_no_unknown_setting() -> None:
    """Every setting the reference documents exists in the model (none renamed or removed)."""
    reference = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_]+(?:\.[a-z_]+)?)` \|", reference, re.MULTILINE)
    assert rows, "no setting rows found in docs/configuration.md"
    assert sorted(set(rows) - set(documented_settings())) == []


def test_docs_readme_test_command_is_what_ci_runs() -> None:
    """The README's test command is the one `.ci/run` and the CI workflow run."""
    readme = README.read_text(encoding="utf-8")
    ci_run = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    workflow = (REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert "./run.sh test    # the test suite" in readme
    assert ci_run.rstrip().endswith("exec ./run.sh test")
    assert ".ci/run" in workflow
