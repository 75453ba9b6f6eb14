"""The test book: one small, hand-made book of business, seen from every side the tests need.

- :mod:`~tests.support.books.common`: the customers (Globex, Initech), the kinds of purchase
  order every family's book has, the invoices we upload and their tiny PDF;
- :mod:`~tests.support.books.coupa`, :mod:`~tests.support.books.ariba`,
  :mod:`~tests.support.books.upload`: each family's logins and orders, for the browser tests
  and for the stand-in portal tests;
- :mod:`~tests.support.books.ebs`: the EBS side (customers, invoices, schedules, a PDF), for the
  store's contract suite.

:func:`all_portals_catalog` serves the three families' browser books from one stand-in sandbox.
The realistic book the demo and the end-to-end tests use is :mod:`sandbox.book`.
"""

from __future__ import annotations

from sandbox.catalog import Catalog
from tests.support.books.ariba import ariba_catalog
from tests.support.books.coupa import coupa_catalog
from tests.support.books.upload import upload_catalog


def all_portals_catalog(*, upload_validation_delay_s: float) -> Catalog:
    """The Coupa, Ariba and upload browser books in one catalog (one sandbox serves them all)."""
    books = (
        coupa_catalog(),
        ariba_catalog(),
        upload_catalog(validation_delay_s=upload_validation_delay_s),
    )
    return Catalog(
        users=tuple(user for book in books for user in book.users),
        buyers=tuple(buyer for book in books for buyer in book.buyers),
        purchase_orders=tuple(po for book in books for po in book.purchase_orders),
        extra={key: value for book in books for key, value in book.extra.items()},
    )
