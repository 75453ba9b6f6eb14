"""Is this database ready for the worker? The tables it needs, probed the way it will use them.

A command pointed at a database that was never set up would otherwise fail on its first query
with "no such table" deep inside a run. The probe reads no row: ``SELECT 1 FROM <table> WHERE
0 = 1``, one table per unit of work (a failed statement poisons a PostgreSQL transaction). It
goes through the same names as every other statement, so on Oracle it follows the private
synonyms ``grants.sql`` creates, and a table this login may not read counts as missing (Oracle
says ORA-00942 for both).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from connectors.oracle.errors import TableMissing
from connectors.oracle.tables import EBS_STAND_IN_TABLES, WORKER_TABLES
from connectors.oracle.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True, slots=True)
class SchemaGaps:
    """Tables the worker needs and cannot read, by who creates them."""

    #: the worker's own XX_ARW_ tables: ``arworker db init`` or ``ddl/install.sql``
    worker_tables: tuple[str, ...] = ()
    #: EBS tables: a grant on Oracle EBS (``ddl/grants.sql``), the stand-ins elsewhere
    ebs_tables: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.worker_tables or self.ebs_tables)


class SchemaProbeVerbs(UnitOfWork):
    """The read-only check every command that touches the database makes before it starts."""

    def schema_gaps(self) -> SchemaGaps:
        """Which of the worker's and EBS's tables this login cannot read, in metadata order."""
        return SchemaGaps(
            worker_tables=tuple(n for n in WORKER_TABLES if not self._readable(n)),
            ebs_tables=tuple(n for n in EBS_STAND_IN_TABLES if not self._readable(n)),
        )

    def _readable(self, name: str) -> bool:
        table = self._t[name]
        # a literal comparison: sa.false() compiles to a bare "WHERE 0" for Oracle 23ai
        never = sa.literal_column("0") == sa.literal_column("1")
        probe: sa.Select[tuple[int]] = (
            sa.select(sa.literal_column("1")).select_from(table).where(never)
        )
        try:
            self._read(lambda c: c.execute(probe).all())
        except TableMissing:
            return False
        return True
