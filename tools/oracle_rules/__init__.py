"""The Oracle rules checker (design §8) and the SQL*Plus script reader it stands on.

No Oracle server runs where most of our tests run, so the tests use this package to check the
statements the store issues (compiled for Oracle), the DDL the code would create and every DBA
script in ``connectors/oracle/ddl/`` for the forms Oracle refuses. A development tool: it is not
part of the worker and does not ship in the wheel. ``python -m tools.oracle_rules`` checks the
project's metadata, its rendered DDL and its DBA scripts from the command line.
"""
