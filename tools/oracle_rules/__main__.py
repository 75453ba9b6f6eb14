"""``python -m tools.oracle_rules [SCRIPT.sql ...]``: check the project (or scripts) for Oracle.

Without arguments: the ``MetaData`` of ``connectors/oracle/tables.py``, the DDL the code would
create on Oracle, and every DBA script in ``connectors/oracle/ddl/``. With arguments: those SQL
files only. Prints one line per violation; exits 1 when there is any, 0 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from connectors.oracle.ddl import render_ddl
from connectors.oracle.tables import build_metadata
from tools.oracle_rules.dialect_rules import RuleViolation, check_metadata, check_oracle_sql

DDL_DIR = Path(__file__).resolve().parents[2] / "connectors" / "oracle" / "ddl"


def violations(scripts: list[Path]) -> list[RuleViolation]:
    """Every violation in ``scripts``, or in the whole project when none are named."""
    found: list[RuleViolation] = []
    if not scripts:
        found += check_metadata(build_metadata())
        found += check_oracle_sql(render_ddl("oracle", include_ebs=True), source="render_ddl")
        scripts = sorted(DDL_DIR.glob("*.sql"))
    for script in scripts:
        found += check_oracle_sql(script.read_text(encoding="utf-8"), source=str(script))
    return found


def main(argv: list[str]) -> int:
    found = violations([Path(arg) for arg in argv])
    for violation in found:
        sys.stdout.write(f"{violation}\n")
    sys.stdout.write(f"{len(found)} Oracle rule violation(s)\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
