"""The demo book of business: a supplier's receivables, as the EBS tables and the portals see them.

The demo and every test tier need the same realistic data on both sides of the worker: open
invoices in the EBS stand-in tables, and the buyers and purchase orders those invoices refer to
on the stand-in portals. The portal runs in another process, so nothing is shared at run time:
both sides call :func:`demo_book` with the same ``today`` and ``seed`` and get identical values.
Everything comes from ``random.Random(seed)`` (one child generator per concern, so adding a
portal family does not move any invoice), and all dates are relative to ``today``.

The book also carries the traps a worker must not fall into: closed schedules, credit memos,
incomplete transactions, another operating unit's rows, a customer with no portal account, and
invoices each portal must refuse for a stated reason (:attr:`DemoBook.expected_rejections`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from connectors.portals.errors import RejectionCode
from jobs.invoice_pdf import InvoicePdf, InvoicePdfLine, render_invoice_pdf
from sandbox.catalog import Buyer, Catalog, PortalUser, PurchaseOrder, PurchaseOrderLine
from sandbox.collections_book import collections_rows

#: the operating unit the worker is configured for (Vision Operations in the EBS demo database)
OPERATING_UNIT_ID = 204
#: another operating unit whose rows the worker must never read
OTHER_OPERATING_UNIT_ID = 458
KNOWN_FAMILIES = ("coupa", "ariba", "upload")
#: portal families that ask for a TOTP code after the password
TOTP_FAMILIES = frozenset({"coupa"})
#: portal families that refuse a number they have seen, even for a corrected invoice
NEW_NUMBER_FAMILIES = frozenset({"ariba"})
SUPPLIER_NAME = "Northwind Supply Co."
SUPPLIER_ADDRESS = ("1200 Harbor Way", "Oakland, CA 94607", "United States")
SUPPLIER_LOGIN = "ar@northwind-supply.example"
REMIT_TO = (
    "Remit to: Northwind Supply Co., First Example Bank, account 000123456789, "
    "routing 021000021. Please quote the invoice number with your payment."
)
#: FND_USER.USER_ID that "created" the EBS rows (OPERATIONS in the Vision demo database)
EBS_USER_ID = 1318
TRX_TYPE_INVOICE_ID = 1
TRX_TYPE_CREDIT_MEMO_ID = 2
ATTACHMENT_CATEGORY_ID = 1  #: "Miscellaneous"
DATATYPE_FILE = 6
PDF_SHARE = 0.85  #: share of open invoices whose PDF is attached in EBS
PARTIAL_PAYMENT_SHARE = 0.08
OPEN_INVOICES_PER_CUSTOMER = (16, 22)  #: inclusive range, ORG 204
REJECTIONS_PER_REASON = 4
OLDEST_INVOICE_AGE_DAYS = 240
#: days past due ranges (negative = not yet due), drawn round-robin so every bucket appears
AGING_BUCKETS_DAYS = (
    (-25, 0),
    (-25, 0),
    (-25, 0),
    (1, 30),
    (1, 30),
    (31, 60),
    (61, 90),
    (91, 120),
    (121, 175),
)
TERM_IDS = {30: 1002, 45: 1003, 60: 1004}
CENT = Decimal("0.01")
ZERO = Decimal("0")


# fmt: off
#: code, name, currency, country, tax label, tax rate, terms days, customer class, address
_CUSTOMERS: tuple[tuple[str, str, str, str, str, str, int, str, tuple[str, ...]], ...] = (
    ("BHF", "Blue Harbor Foods, Inc.", "USD", "US", "Sales tax 7.25%", "0.0725", 30, "COMMERCIAL",
     ("2200 Embarcadero Rd", "Oakland, CA 94606", "United States")),
    ("CRHS", "Cedar Ridge Health System", "USD", "US", "Tax exempt", "0", 45, "HEALTHCARE",
     ("850 Cedar Ridge Pkwy", "Nashville, TN 37203", "United States")),
    ("RHEIN", "Rheinwerk Maschinenbau GmbH", "EUR", "DE", "VAT 19%", "0.19", 30, "COMMERCIAL",
     ("Industriestraße 12", "70173 Stuttgart", "Germany")),
    ("TVU", "Thames Valley Utilities plc", "GBP", "GB", "VAT 20%", "0.20", 30, "UTILITIES",
     ("Kings Meadow Road", "Reading RG1 8DQ", "United Kingdom")),
    ("MAPLE", "Maplewood Retail Canada Ltd.", "CAD", "CA", "HST 13%", "0.13", 45, "RETAIL",
     ("160 Front St W", "Toronto, ON M5J 2X4", "Canada")),
    ("GLSF", "Great Lakes Steel Fabricators LLC", "USD", "US", "Sales tax 5.75%", "0.0575", 30,
     "COMMERCIAL", ("4100 W 150th St", "Cleveland, OH 44135", "United States")),
    ("LUMI", "Lumière Cosmétiques SA", "EUR", "FR", "TVA 20%", "0.20", 60, "RETAIL",
     ("18 rue de la Paix", "75002 Paris", "France")),
    ("PFL", "Pinnacle Freight Lines Inc.", "USD", "US", "Sales tax 6.25%", "0.0625", 30,
     "LOGISTICS", ("1900 Commerce St", "Dallas, TX 75201", "United States")),
    ("HSL", "Harbourside Logistics Ltd", "GBP", "GB", "VAT 20%", "0.20", 45, "LOGISTICS",
     ("Dock Road", "Southampton SO14 3QN", "United Kingdom")),
    ("CPT", "Coastal Pacific Timber Ltd.", "CAD", "CA", "GST 5%", "0.05", 30, "COMMERCIAL",
     ("1055 W Georgia St", "Vancouver, BC V6E 3P3", "Canada")),
    # the last customer has no portal account: its invoices are never submitted
    ("OVG", "Orchard Valley Growers Co-op", "USD", "US", "Tax exempt", "0", 30, "AGRICULTURE",
     ("301 Orchard Ave", "Yakima, WA 98901", "United States")),
)
#: customers (by position) that also buy from operating unit 458
_OTHER_UNIT_CUSTOMERS = (0, 2, 5)

#: description, UOM, unit price range in cents, quantities
_ITEMS: tuple[tuple[str, str, tuple[int, int], tuple[int, ...]], ...] = (
    ("Nitrile exam gloves, powder-free, box of 100", "BX", (650, 1450), (5, 10, 20, 40, 60)),
    ("Safety glasses, anti-fog, clear lens", "EA", (480, 1290), (12, 24, 48, 100)),
    ("Hi-visibility vest, ANSI class 2", "EA", (750, 1900), (10, 25, 50)),
    ("Stretch wrap film 18in x 1500ft", "RL", (1800, 3200), (8, 16, 24, 48)),
    ("Hydraulic hose assembly 1/2in x 36in", "EA", (4200, 9800), (2, 4, 6, 10)),
    ("Industrial absorbent pads, pack of 100", "PK", (3900, 7400), (2, 5, 10)),
    ("Pallet jack wheel kit, polyurethane", "KT", (8900, 16500), (1, 2, 4)),
    ("Preventive maintenance visit, conveyor line", "HR", (9500, 16500), (4, 8, 12, 16)),
    ("LED high-bay fixture 150W", "EA", (11900, 24900), (4, 6, 12, 20)),
    ("Forklift battery watering service", "EA", (22000, 38000), (1, 2)),
    ("Cut-resistant gloves, level A4, pair", "PR", (690, 1590), (24, 48, 96)),
    ("Lockout/tagout station, 10 locks", "EA", (18900, 32900), (1, 2, 3)),
    ("Corrugated shipping boxes 18x12x12, bundle of 25", "BDL", (2400, 4100), (10, 20, 40)),
    ("First aid cabinet refill, 50-person", "EA", (6400, 11800), (1, 2, 4)),
    ("Emergency eyewash station service", "EA", (12500, 19500), (1, 2)),
    ("Freight and handling", "EA", (2500, 18500), (1,)),
)
# fmt: on


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoCustomer:
    """One customer account of the book, and where (if anywhere) it takes invoices online."""

    party_id: int
    cust_account_id: int
    bill_to_site_use_id: int
    account_number: str
    name: str
    currency: str  #: every invoice of the customer is in this currency
    country: str
    address: tuple[str, ...]
    tax_reference: str
    customer_class: str
    terms_days: int
    tax_label: str
    tax_rate: Decimal
    #: the portal family it is enrolled on; None for the one customer with no portal account
    portal_family: str | None
    buyer_code: str
    #: an OPEN PO with a large balance, for tests that fix a rejected invoice's PO in EBS
    spare_po: str | None = None

    @property
    def enrolled(self) -> bool:
        return self.portal_family is not None


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoInvoice:
    """One transaction of the book (an invoice, or the noise around them) with its schedule."""

    customer_trx_id: int
    payment_schedule_id: int
    trx_number: str
    trx_class: str  #: "INV" or "CM"
    org_id: int
    account_number: str
    cust_account_id: int
    trx_date: dt.date
    due_date: dt.date
    currency: str
    lines: tuple[InvoicePdfLine, ...]
    tax: Decimal
    total: Decimal  #: what the invoice says; the portal PO must cover it
    amount_due_remaining: Decimal
    schedule_status: str  #: "OP" or "CL"
    complete: bool
    purchase_order: str | None
    has_pdf: bool  #: a PDF is attached in FND_LOBS
    #: the worker must submit it: open INV, complete, ORG 204, enrolled customer
    eligible: bool

    @property
    def subtotal(self) -> Decimal:
        return self.total - self.tax


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoBook:
    """The whole book: rows per EBS table, the portals' catalog, and what tests should expect.

    ``rows`` maps a table name of :func:`connectors.oracle.tables.build_metadata` to its rows,
    each a dict keyed by column name (the same keys in every row of a table), ready for
    ``conn.execute(insert(table), rows)``: flags are Python bools (``YesNo`` columns), money is
    ``Decimal``, EBS dates are ``date``, timestamps aware UTC, ids explicit. Treat it as read-only.
    """

    today: dt.date
    seed: int
    families: tuple[str, ...]
    supplier_name: str
    customers: tuple[DemoCustomer, ...]
    invoices: tuple[DemoInvoice, ...]
    rows: dict[str, list[dict[str, Any]]]
    catalog: Catalog
    #: trx_number → the RejectionCode value a portal must answer for that eligible invoice
    expected_rejections: dict[str, str]
    #: SECRET_REF → the secret (supplier passwords, TOTP seeds) the portal accounts name
    secrets: dict[str, str]

    @property
    def eligible_invoices(self) -> tuple[DemoInvoice, ...]:
        """What the worker submits: open INV schedules, complete, ORG 204, enrolled customers."""
        return tuple(invoice for invoice in self.invoices if invoice.eligible)

    @property
    def eligible_invoice_count(self) -> int:
        return sum(1 for invoice in self.invoices if invoice.eligible)

    @property
    def enrolled_customers(self) -> tuple[DemoCustomer, ...]:
        return tuple(customer for customer in self.customers if customer.enrolled)

    @property
    def counts(self) -> dict[str, int]:
        """Rows per EBS table."""
        return {table: len(rows) for table, rows in self.rows.items()}

    def invoice(self, trx_number: str) -> DemoInvoice:
        """The transaction numbered ``trx_number``; KeyError when the book has none."""
        for invoice in self.invoices:
            if invoice.trx_number == trx_number:
                return invoice
        raise KeyError(trx_number)

    def customer(self, account_number: str) -> DemoCustomer:
        """The customer account numbered ``account_number``; KeyError when the book has none."""
        for customer in self.customers:
            if customer.account_number == account_number:
                return customer
        raise KeyError(account_number)

    def days_past_due(self, invoice: DemoInvoice) -> int:
        """Days ``invoice`` is past due on the book's ``today`` (zero or less: not yet due)."""
        return (self.today - invoice.due_date).days

    def pdf_data(self, trx_number: str) -> InvoicePdf:
        """What the printed invoice shows; the attached PDF is exactly this, rendered."""
        invoice = self.invoice(trx_number)
        return _pdf_data(invoice, self.customer(invoice.account_number))

    def portal_accounts(self, portal_base_url: str) -> list[dict[str, Any]]:
        """XX_ARW_PORTAL_ACCOUNTS rows, one per enrolled customer, for portals served under
        ``portal_base_url`` (``{base}/{family}``). No ids: the table's sequence gives them."""
        base = portal_base_url.rstrip("/")
        return [
            {
                "cust_account_id": customer.cust_account_id,
                "portal_code": family,
                "portal_url": f"{base}/{family}",
                "buyer_name": customer.name,
                "supplier_portal_id": f"NWS-{customer.buyer_code}",
                "login_name": SUPPLIER_LOGIN,
                "secret_ref": password_ref(family),
                "totp_secret_ref": totp_ref(family) if family in TOTP_FAMILIES else None,
                "enabled_flag": True,
                "po_required_flag": True,
                # Ariba keeps a rejected invoice's number: a corrected one needs a new number
                "new_number_on_resubmit": family in NEW_NUMBER_FAMILIES,
                "options_json": None,
                "org_id": OPERATING_UNIT_ID,
            }
            for customer in self.customers
            if (family := customer.portal_family) is not None
        ]


def password_ref(family: str) -> str:
    """The SECRET_REF of a portal family's supplier password, e.g. ``SANDBOX_COUPA_PASSWORD``."""
    return f"SANDBOX_{family.upper()}_PASSWORD"


def totp_ref(family: str) -> str:
    """The SECRET_REF of a portal family's TOTP seed, e.g. ``SANDBOX_COUPA_TOTP``."""
    return f"SANDBOX_{family.upper()}_TOTP"


def demo_book(
    *,
    today: dt.date,
    seed: int = 7,
    families: Sequence[str] = ("coupa",),
    with_documents: bool = True,
) -> DemoBook:
    """Build the book as of ``today``: the same arguments always give an identical book.

    Enrolled customers cycle over ``families``. ``with_documents=False`` skips rendering the PDFs
    (the FND_* row lists are then empty; ``has_pdf`` still says which invoices have one): what a
    portal process needs to build its catalog quickly.
    """
    family_list = tuple(dict.fromkeys(families))
    if not family_list or any(family not in KNOWN_FAMILIES for family in family_list):
        raise ValueError(f"families must be some of {KNOWN_FAMILIES}, got {tuple(families)!r}")
    master = random.Random(seed)
    customer_rng = random.Random(master.getrandbits(64))
    invoice_rng = random.Random(master.getrandbits(64))
    po_rng = random.Random(master.getrandbits(64))
    credential_seed = master.getrandbits(64)

    customers = _customers(customer_rng, family_list)
    drafts = _drafts(invoice_rng, customers, today)
    rejections = _choose_rejections(po_rng, customers, drafts)
    orders = _PurchaseOrders(po_rng)
    for customer in customers:
        orders.add_customer(customer, drafts, rejections)
    customers = tuple(
        replace(customer, spare_po=orders.spare.get(customer.account_number))
        for customer in customers
    )
    invoices, expected_rejections = _number(drafts, orders.number_of, rejections)
    users, secrets = _credentials(credential_seed, family_list)
    catalog = Catalog(
        users=users,
        buyers=tuple(
            Buyer(family=family, name=customer.name, code=customer.buyer_code)
            for customer in customers
            if (family := customer.portal_family) is not None
        ),
        purchase_orders=tuple(orders.orders),
    )
    return DemoBook(
        today=today,
        seed=seed,
        families=family_list,
        supplier_name=SUPPLIER_NAME,
        customers=customers,
        invoices=invoices,
        rows=_rows(customers, invoices, today, with_documents=with_documents),
        catalog=catalog,
        expected_rejections=expected_rejections,
        secrets=secrets,
    )


# ---- customers -------------------------------------------------------------------------------


def _customers(rng: random.Random, families: tuple[str, ...]) -> tuple[DemoCustomer, ...]:
    customers = []
    for index, fixture in enumerate(_CUSTOMERS):
        code, name, currency, country, tax_label, tax_rate, terms, class_code, address = fixture
        enrolled = index < len(_CUSTOMERS) - 1
        customers.append(
            DemoCustomer(
                party_id=5001 + index * 7 + rng.randint(0, 5),
                cust_account_id=3041 + index,
                bill_to_site_use_id=8101 + index,
                account_number=str(1001 + index),
                name=name,
                currency=currency,
                country=country,
                address=address,
                tax_reference=_tax_reference(rng, country),
                customer_class=class_code,
                terms_days=terms,
                tax_label=tax_label,
                tax_rate=Decimal(tax_rate),
                portal_family=families[index % len(families)] if enrolled else None,
                buyer_code=code,
            )
        )
    return tuple(customers)


def _tax_reference(rng: random.Random, country: str) -> str:
    digits = "".join(str(rng.randint(0, 9)) for _ in range(11))
    if country == "US":
        return f"{digits[:2]}-{digits[2:9]}"
    if country == "CA":
        return f"{digits[:9]}RT0001"
    if country == "FR":
        return f"FR{digits}"
    return f"{country}{digits[:9]}"


# ---- invoices --------------------------------------------------------------------------------

#: what a draft is: the worker submits "open" drafts of enrolled customers and skips the rest
_OPEN, _CLOSED, _CREDIT, _INCOMPLETE, _OTHER_UNIT = (
    "open",
    "closed",
    "credit",
    "incomplete",
    "other",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class _Draft:
    """An invoice before it gets ids and a number (those follow date order across customers)."""

    key: tuple[str, int]  #: (account number, sequence within the customer)
    customer: DemoCustomer
    kind: str
    trx_date: dt.date
    due_date: dt.date
    lines: tuple[InvoicePdfLine, ...]
    tax: Decimal
    paid: Decimal
    has_pdf: bool

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO) + self.tax

    @property
    def eligible(self) -> bool:
        return self.kind == _OPEN and self.customer.enrolled


def _drafts(
    rng: random.Random, customers: tuple[DemoCustomer, ...], today: dt.date
) -> list[_Draft]:
    oldest = today - dt.timedelta(days=OLDEST_INVOICE_AGE_DAYS)
    drafts: list[_Draft] = []
    for index, customer in enumerate(customers):
        kinds = [_OPEN] * rng.randint(*OPEN_INVOICES_PER_CUSTOMER)
        kinds += [_CLOSED] * rng.randint(2, 3)
        kinds += [_CREDIT] * (index % 2 == 0) + [_INCOMPLETE] * (index % 3 == 0)
        kinds += [_OTHER_UNIT] * (rng.randint(2, 3) if index in _OTHER_UNIT_CUSTOMERS else 0)
        buckets = list(AGING_BUCKETS_DAYS)
        rng.shuffle(buckets)
        for sequence, kind in enumerate(kinds):
            lines = _credit_lines(rng) if kind == _CREDIT else _invoice_lines(rng)
            subtotal = sum((line.amount for line in lines), ZERO)
            tax = (subtotal * customer.tax_rate).quantize(CENT, ROUND_HALF_UP)
            if kind == _CLOSED:
                days_past_due = rng.randint(-20, 140)  # paid: long ago or just now
            elif kind == _INCOMPLETE:
                days_past_due = rng.randint(-customer.terms_days, 3 - customer.terms_days)
            else:
                days_past_due = rng.randint(*buckets[sequence % len(buckets)])
            terms = 0 if kind == _CREDIT else customer.terms_days
            due_date = today - dt.timedelta(days=days_past_due)
            trx_date = min(max(due_date - dt.timedelta(days=terms), oldest), today)
            paid = ZERO
            if kind == _CLOSED:
                paid = subtotal + tax
            elif kind == _OPEN and rng.random() < PARTIAL_PAYMENT_SHARE:
                share = Decimal(rng.randint(20, 70)) / 100
                paid = ((subtotal + tax) * share).quantize(CENT, ROUND_HALF_UP)
            drafts.append(
                _Draft(
                    key=(customer.account_number, sequence),
                    customer=customer,
                    kind=kind,
                    trx_date=trx_date,
                    due_date=max(due_date, trx_date),
                    lines=lines,
                    tax=tax,
                    paid=paid,
                    has_pdf=kind == _OPEN and rng.random() < PDF_SHARE,
                )
            )
    return drafts


def _invoice_lines(rng: random.Random) -> tuple[InvoicePdfLine, ...]:
    lines = []
    for description, _, (low, high), quantities in rng.sample(_ITEMS, rng.randint(1, 5)):
        price = Decimal(rng.randint(low, high)).scaleb(-2)
        quantity = Decimal(rng.choice(quantities))
        lines.append(_line(description, quantity, price))
    return tuple(lines)


def _credit_lines(rng: random.Random) -> tuple[InvoicePdfLine, ...]:
    description, _, (low, high), _ = rng.choice(_ITEMS)
    price = Decimal(rng.randint(low, high)).scaleb(-2)
    return (_line(f"Returned goods: {description}", Decimal(-rng.randint(1, 4)), price),)


def _line(description: str, quantity: Decimal, unit_price: Decimal) -> InvoicePdfLine:
    return InvoicePdfLine(
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        amount=(quantity * unit_price).quantize(CENT, ROUND_HALF_UP),
    )


def _uom(description: str) -> str:
    return next((item[1] for item in _ITEMS if item[0] == description), "EA")


# ---- the invoices each portal must refuse, and the purchase orders ---------------------------


def _choose_rejections(
    rng: random.Random, customers: tuple[DemoCustomer, ...], drafts: list[_Draft]
) -> dict[tuple[str, int], str]:
    """``REJECTIONS_PER_REASON`` eligible invoices per reason, each on a different customer."""
    enrolled = [customer for customer in customers if customer.enrolled]
    reasons = (RejectionCode.PO_CLOSED, RejectionCode.PO_AMOUNT_EXCEEDED, RejectionCode.PO_MISSING)
    chosen: dict[tuple[str, int], str] = {}
    for reason_index, reason in enumerate(reasons):
        for round_index in range(REJECTIONS_PER_REASON):
            customer = enrolled[(reason_index + 3 * round_index) % len(enrolled)]
            candidates = [
                draft.key
                for draft in drafts
                if draft.customer is customer and draft.eligible and draft.key not in chosen
            ]
            chosen[rng.choice(candidates)] = reason.value
    return chosen


class _PurchaseOrders:
    """Builds the portal POs, and records which PO number each draft carries in EBS."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.orders: list[PurchaseOrder] = []
        self.number_of: dict[tuple[str, int], str] = {}  #: draft key → PO number
        self.spare: dict[str, str] = {}  #: account number → the spare PO's number
        self._last_number = 310040

    def add_customer(
        self,
        customer: DemoCustomer,
        drafts: list[_Draft],
        rejections: dict[tuple[str, int], str],
    ) -> None:
        own = sorted(
            (draft for draft in drafts if draft.customer is customer),
            key=lambda draft: (draft.trx_date, draft.key),
        )
        group: list[_Draft] = []
        group_size = self._group_size()
        for draft in own:
            reason = rejections.get(draft.key)
            if reason == RejectionCode.PO_CLOSED.value:
                self._order(
                    customer,
                    [draft],
                    amount=_round_up(draft.total * Decimal("1.1"), 100),
                    status="CLOSED",
                )
            elif reason == RejectionCode.PO_AMOUNT_EXCEEDED.value:
                amount = _round_up(draft.total * Decimal("1.1"), 100)
                # below the subtotal, so refused whether the portal checks it or the total
                subtotal = draft.total - draft.tax
                remaining = (subtotal * Decimal(self.rng.randint(30, 70)) / 100).quantize(CENT)
                self._order(customer, [draft], amount=amount, invoiced=amount - remaining)
            elif reason == RejectionCode.PO_MISSING.value or draft.kind == _CREDIT:
                continue
            elif draft.eligible:
                group.append(draft)
                if len(group) >= group_size:
                    self._covering_order(customer, group)
                    group, group_size = [], self._group_size()
            else:  # history, drafts, the other unit, the unenrolled customer: not on a portal
                self.number_of[draft.key] = self._next_number()
        if group:
            self._covering_order(customer, group)
        if customer.enrolled:
            open_total = sum((draft.total for draft in own if draft.kind == _OPEN), ZERO)
            amount = _round_up(max(open_total * 3, Decimal(50000)), 1000)
            self.spare[customer.account_number] = self._order(customer, [], amount=amount)

    def _covering_order(self, customer: DemoCustomer, group: list[_Draft]) -> None:
        """An OPEN PO whose remaining balance covers every invoice of ``group``, with headroom."""
        needed = sum((draft.total for draft in group), ZERO)
        headroom = needed * Decimal(self.rng.randint(5, 40)) / 100
        invoiced = Decimal(self.rng.choice((0, 0, 0, 250, 1000, 2500))).quantize(CENT)
        amount = _round_up(needed + headroom, 100) + invoiced
        self._order(customer, group, amount=amount, invoiced=invoiced)

    def _order(
        self,
        customer: DemoCustomer,
        covered: Sequence[_Draft],
        *,
        amount: Decimal,
        invoiced: Decimal = ZERO,
        status: str = "OPEN",
    ) -> str:
        number = self._next_number()
        lines = [line for draft in covered for line in draft.lines] or [
            _line("Blanket order: MRO and safety supplies", Decimal(1), amount)
        ]
        assert customer.portal_family is not None, "only enrolled customers have portal POs"
        self.orders.append(
            PurchaseOrder(
                family=customer.portal_family,
                number=number,
                buyer_code=customer.buyer_code,
                currency=customer.currency,
                amount=amount,
                invoiced=invoiced,
                status=status,
                lines=tuple(
                    PurchaseOrderLine(
                        line_number=position,
                        description=line.description,
                        quantity=line.quantity,
                        unit_price=line.unit_price,
                    )
                    for position, line in enumerate(lines, start=1)
                ),
            )
        )
        for draft in covered:
            self.number_of[draft.key] = number
        return number

    def _next_number(self) -> str:
        self._last_number += self.rng.randint(1, 9)
        return f"PO-{self._last_number}"

    def _group_size(self) -> int:
        """How many invoices the next PO covers: mostly one, sometimes a few."""
        return self.rng.choice((1, 1, 1, 2, 2, 3))


def _round_up(amount: Decimal, step: int) -> Decimal:
    return ((amount / step).to_integral_value(ROUND_CEILING) * step).quantize(CENT)


def _number(
    drafts: list[_Draft],
    po_numbers: dict[tuple[str, int], str],
    rejections: dict[tuple[str, int], str],
) -> tuple[tuple[DemoInvoice, ...], dict[str, str]]:
    """Give ids and numbers in date order across customers, as the EBS sequences would."""
    next_number = {_OPEN: 104500, _CREDIT: 900100, _OTHER_UNIT: 458000}
    invoices = []
    expected: dict[str, str] = {}
    for position, draft in enumerate(sorted(drafts, key=lambda d: (d.trx_date, d.key))):
        series = draft.kind if draft.kind in next_number else _OPEN
        next_number[series] += 1 + (position % 7 == 3)  # the odd gap, as real sequences have
        total = draft.total
        remaining = total - draft.paid
        invoice = DemoInvoice(
            customer_trx_id=120001 + position,
            payment_schedule_id=316400 + 3 * position,
            trx_number=str(next_number[series]),
            trx_class="CM" if draft.kind == _CREDIT else "INV",
            org_id=OTHER_OPERATING_UNIT_ID if draft.kind == _OTHER_UNIT else OPERATING_UNIT_ID,
            account_number=draft.customer.account_number,
            cust_account_id=draft.customer.cust_account_id,
            trx_date=draft.trx_date,
            due_date=draft.due_date,
            currency=draft.customer.currency,
            lines=draft.lines,
            tax=draft.tax,
            total=total,
            amount_due_remaining=remaining,
            schedule_status="CL" if remaining == 0 else "OP",
            complete=draft.kind != _INCOMPLETE,
            purchase_order=po_numbers.get(draft.key),
            has_pdf=draft.has_pdf,
            eligible=draft.eligible,
        )
        invoices.append(invoice)
        if draft.key in rejections:
            expected[invoice.trx_number] = rejections[draft.key]
    return tuple(invoices), expected


# ---- portal users ----------------------------------------------------------------------------

_PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _credentials(
    credential_seed: int, families: tuple[str, ...]
) -> tuple[tuple[PortalUser, ...], dict[str, str]]:
    """One supplier user per family; a family's secrets do not depend on the other families."""
    users = []
    secrets: dict[str, str] = {}
    for family in families:
        rng = random.Random(f"{credential_seed}:{family}")
        password = "Nw!" + "".join(rng.choice(_PASSWORD_ALPHABET) for _ in range(17))
        totp = None
        if family in TOTP_FAMILIES:
            totp = "".join(rng.choice(_BASE32_ALPHABET) for _ in range(32))
            secrets[totp_ref(family)] = totp
        secrets[password_ref(family)] = password
        users.append(
            PortalUser(
                family=family, login_name=SUPPLIER_LOGIN, password=password, totp_secret=totp
            )
        )
    return tuple(users), secrets


# ---- EBS rows --------------------------------------------------------------------------------


def _rows(
    customers: tuple[DemoCustomer, ...],
    invoices: tuple[DemoInvoice, ...],
    today: dt.date,
    *,
    with_documents: bool,
) -> dict[str, list[dict[str, Any]]]:
    by_account = {customer.account_number: customer for customer in customers}
    rows: dict[str, list[dict[str, Any]]] = {
        "hz_parties": [_party_row(customer) for customer in customers],
        "hz_cust_accounts": [_account_row(customer) for customer in customers],
        "ra_customer_trx_all": [
            _trx_row(invoice, by_account[invoice.account_number]) for invoice in invoices
        ],
        "ra_customer_trx_lines_all": [],
        "ar_payment_schedules_all": [
            _schedule_row(invoice, by_account[invoice.account_number]) for invoice in invoices
        ],
        "iex_delinquencies_all": [],
        "fnd_lobs": [],
        "fnd_documents": [],
        "fnd_attached_documents": [],
    }
    line_id = 520001
    for invoice in invoices:
        line_rows = _line_rows(invoice, by_account[invoice.account_number], first_id=line_id)
        rows["ra_customer_trx_lines_all"] += line_rows
        line_id += len(line_rows)
    delinquent = [
        invoice
        for invoice in invoices
        if invoice.trx_class == "INV"
        and invoice.complete
        and invoice.schedule_status == "OP"
        and invoice.due_date < today
    ]
    rows["iex_delinquencies_all"] = [
        _delinquency_row(47001 + position, invoice, by_account[invoice.account_number])
        for position, invoice in enumerate(delinquent)
    ]
    if with_documents:
        with_pdf = [invoice for invoice in invoices if invoice.has_pdf]
        for position, invoice in enumerate(with_pdf):
            pdf = render_invoice_pdf(_pdf_data(invoice, by_account[invoice.account_number]))
            for table, row in _attachment_rows(position, invoice, pdf).items():
                rows[table].append(row)
    rows |= collections_rows(customers, invoices, rows, today=today)  # collectors, reports' data
    return rows


def _who(stamp: dt.datetime) -> dict[str, Any]:
    return {
        "created_by": EBS_USER_ID,
        "creation_date": stamp,
        "last_updated_by": EBS_USER_ID,
        "last_update_date": stamp,
        "last_update_login": None,
    }


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)


def _party_row(customer: DemoCustomer) -> dict[str, Any]:
    return {
        "party_id": customer.party_id,
        "party_number": str(customer.party_id + 10000),
        "party_name": customer.name,
        "party_type": "ORGANIZATION",
        "status": "A",
        "tax_reference": customer.tax_reference,
        "country": customer.country,
    }


def _account_row(customer: DemoCustomer) -> dict[str, Any]:
    return {
        "cust_account_id": customer.cust_account_id,
        "party_id": customer.party_id,
        "account_number": customer.account_number,
        "account_name": customer.name,
        "status": "A",
        "customer_class_code": customer.customer_class,
        "orig_system_reference": f"DEMO-{customer.account_number}",
    }


def _trx_row(invoice: DemoInvoice, customer: DemoCustomer) -> dict[str, Any]:
    credit = invoice.trx_class == "CM"
    po_date = None
    if invoice.purchase_order is not None:
        po_date = invoice.trx_date - dt.timedelta(days=5 + invoice.customer_trx_id % 20)
    return {
        "customer_trx_id": invoice.customer_trx_id,
        "trx_number": invoice.trx_number,
        "trx_date": invoice.trx_date,
        "cust_trx_type_id": TRX_TYPE_CREDIT_MEMO_ID if credit else TRX_TYPE_INVOICE_ID,
        "bill_to_customer_id": customer.cust_account_id,
        "bill_to_site_use_id": customer.bill_to_site_use_id,
        "term_id": None if credit else TERM_IDS[customer.terms_days],
        "term_due_date": None if credit else invoice.due_date,
        "purchase_order": invoice.purchase_order,
        "purchase_order_revision": None,
        "purchase_order_date": po_date,
        "customer_reference": None,
        "comments": None,
        "invoice_currency_code": invoice.currency,
        "complete_flag": invoice.complete,
        "status_trx": invoice.schedule_status,
        "org_id": invoice.org_id,
        **_who(_midnight(invoice.trx_date)),
    }


def _line_rows(
    invoice: DemoInvoice, customer: DemoCustomer, *, first_id: int
) -> list[dict[str, Any]]:
    rows = [
        {
            "customer_trx_line_id": first_id + index,
            "customer_trx_id": invoice.customer_trx_id,
            "line_number": index + 1,
            "line_type": "LINE",
            "description": line.description,
            "uom_code": _uom(line.description),
            "quantity_invoiced": line.quantity,
            "unit_selling_price": line.unit_price,
            "extended_amount": line.amount,
            "tax_rate": None,
            "sales_order": str(61000 + invoice.customer_trx_id % 100000),
            "org_id": invoice.org_id,
        }
        for index, line in enumerate(invoice.lines)
    ]
    if invoice.tax:
        rows.append(
            {
                **rows[0],
                "customer_trx_line_id": first_id + len(rows),
                "line_number": len(rows) + 1,
                "line_type": "TAX",
                "description": customer.tax_label,
                "uom_code": None,
                "quantity_invoiced": None,
                "unit_selling_price": None,
                "extended_amount": invoice.tax,
                "tax_rate": (customer.tax_rate * 100).quantize(Decimal("0.0001")),
                "sales_order": None,
            }
        )
    return rows


def _schedule_row(invoice: DemoInvoice, customer: DemoCustomer) -> dict[str, Any]:
    return {
        "payment_schedule_id": invoice.payment_schedule_id,
        "customer_trx_id": invoice.customer_trx_id,
        "customer_id": customer.cust_account_id,
        "customer_site_use_id": customer.bill_to_site_use_id,
        "trx_number": invoice.trx_number,
        "trx_date": invoice.trx_date,
        "due_date": invoice.due_date,
        "amount_due_original": invoice.total,
        "amount_due_remaining": invoice.amount_due_remaining,
        "amount_line_items_original": invoice.subtotal,
        "tax_original": invoice.tax,
        "amount_in_dispute": None,
        "invoice_currency_code": invoice.currency,
        "status": invoice.schedule_status,
        "class": invoice.trx_class,
        "terms_sequence_number": 1,
        "org_id": invoice.org_id,
    }


def _delinquency_row(
    delinquency_id: int, invoice: DemoInvoice, customer: DemoCustomer
) -> dict[str, Any]:
    return {
        "delinquency_id": delinquency_id,
        "party_cust_id": customer.party_id,
        "cust_account_id": customer.cust_account_id,
        "customer_site_use_id": customer.bill_to_site_use_id,
        "transaction_id": invoice.customer_trx_id,
        "payment_schedule_id": invoice.payment_schedule_id,
        "status": "DELINQUENT",
        "aging_bucket_line_id": None,
        "org_id": invoice.org_id,
        **_who(_midnight(invoice.due_date + dt.timedelta(days=1))),
    }


def _attachment_rows(position: int, invoice: DemoInvoice, pdf: bytes) -> dict[str, dict[str, Any]]:
    """FND_LOBS + FND_DOCUMENTS + FND_ATTACHED_DOCUMENTS for one invoice PDF."""
    file_id = 640001 + position
    document_id = 870001 + position
    file_name = f"Invoice_{invoice.trx_number}.pdf"
    printed = _midnight(invoice.trx_date) + dt.timedelta(hours=2)  # the nightly print run
    return {
        "fnd_lobs": {
            "file_id": file_id,
            "file_name": file_name,
            "file_content_type": "application/pdf",
            "file_data": pdf,
            "upload_date": printed,
            "expiration_date": None,
            "program_name": "FNDATTCH",
            "language": "US",
            "file_format": "binary",
        },
        "fnd_documents": {
            "document_id": document_id,
            "datatype_id": DATATYPE_FILE,
            "category_id": ATTACHMENT_CATEGORY_ID,
            "security_type": 4,
            "publish_flag": True,
            "usage_type": "O",
            "media_id": file_id,
            "file_name": file_name,
            **_who(printed),
        },
        "fnd_attached_documents": {
            "attached_document_id": 910001 + position,
            "document_id": document_id,
            "entity_name": "RA_CUSTOMER_TRX",
            "pk1_value": str(invoice.customer_trx_id),
            "seq_num": 10,
            "automatically_added_flag": False,
            "category_id": ATTACHMENT_CATEGORY_ID,
            **_who(printed),
        },
    }


def _pdf_data(invoice: DemoInvoice, customer: DemoCustomer) -> InvoicePdf:
    return InvoicePdf(
        supplier_name=SUPPLIER_NAME,
        customer_name=customer.name,
        account_number=customer.account_number,
        invoice_number=invoice.trx_number,
        invoice_date=invoice.trx_date,
        due_date=invoice.due_date,
        currency=invoice.currency,
        purchase_order=invoice.purchase_order,
        lines=invoice.lines,
        tax=invoice.tax,
        total=invoice.total,
        supplier_address=SUPPLIER_ADDRESS,
        customer_address=customer.address,
        payment_terms=f"Net {customer.terms_days}",
        remit_to=REMIT_TO,
    )
