"""Render an invoice PDF from the invoice data, for invoices that EBS holds no PDF for.

Many EBS sites never store the printed invoice as an attachment, yet most portals require a PDF
with the upload. The worker then renders one from the transaction and says so in the note. The
output must be the same bytes for the same invoice (a re-render on retry must not look like a new
document), so the PDF's dates come from the invoice date and nothing random goes in. Core fonts
only: no font files, no file system access, a few milliseconds a page.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from fpdf import FPDF

PAGE_FORMAT = "Letter"
MARGIN_MM = 15.0
FONT = "Helvetica"
#: core fonts speak one 8-bit encoding; cp1252 has €, curly quotes and dashes, unlike latin-1
CORE_FONT_ENCODING = "windows-1252"
LINE_HEIGHT_MM = 4.6
ROW_PADDING_MM = 1.2
#: space kept free at the bottom of a page for the footer
FOOTER_HEIGHT_MM = 14.0
#: room the totals block needs below the last line
TOTALS_HEIGHT_MM = 26.0
#: description, quantity, unit price, amount (the line number column comes first)
COLUMN_WIDTHS_MM = (10.0, 94.0, 22.0, 28.0, 31.9)
HEADER_FILL_GREY = 230
RULE_GREY = 160
PRODUCER = "arworker invoice renderer"
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoicePdfLine:
    """One billed line as printed."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoicePdf:
    """Everything printed on the invoice; the same value always renders the same bytes."""

    supplier_name: str
    customer_name: str
    account_number: str
    invoice_number: str
    invoice_date: dt.date
    due_date: dt.date | None
    currency: str
    purchase_order: str | None
    lines: tuple[InvoicePdfLine, ...]
    tax: Decimal
    total: Decimal
    supplier_address: tuple[str, ...] = ()
    supplier_tax_id: str | None = None
    customer_address: tuple[str, ...] = ()
    payment_terms: str | None = None
    remit_to: str | None = None

    @property
    def subtotal(self) -> Decimal:
        """Sum of the line amounts (before tax)."""
        return sum((line.amount for line in self.lines), Decimal("0"))


def render_invoice_pdf(data: InvoicePdf) -> bytes:
    """Render ``data`` as a PDF: one page, more when the lines overflow; deterministic bytes."""
    pdf = _InvoiceDocument(data)
    pdf.draw()
    return bytes(pdf.output())


def money_text(amount: Decimal) -> str:
    """``1234.5`` → ``"1,234.50"``: how amounts read on the invoice."""
    return f"{amount.quantize(Decimal('0.01')):,.2f}"


def quantity_text(quantity: Decimal) -> str:
    """``Decimal("12.0000")`` → ``"12"``; keeps real decimals (``"2.5"``)."""
    text = f"{quantity:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def printable(text: str) -> str:
    """``text`` reduced to what a core font can print: accents kept where cp1252 has them."""
    try:
        text.encode(CORE_FONT_ENCODING)
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in unicodedata.normalize("NFKC", text):
        try:
            char.encode(CORE_FONT_ENCODING)
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
            out.append(base or "?")
    return "".join(out)


class _InvoiceDocument(FPDF):
    """The invoice layout; page furniture (header on later pages, footer) lives in the hooks."""

    def __init__(self, data: InvoicePdf) -> None:
        super().__init__(orientation="portrait", unit="mm", format=PAGE_FORMAT)
        self.data = data
        self.core_fonts_encoding = CORE_FONT_ENCODING
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=False)
        stamp = dt.datetime.combine(data.invoice_date, dt.time(12, 0), tzinfo=dt.UTC)
        self.set_creation_date(stamp)
        self.set_producer(PRODUCER)
        self.set_creator(PRODUCER)
        self.set_title(printable(f"Invoice {data.invoice_number}"))
        self.set_author(printable(data.supplier_name))
        self.set_subject(printable(f"Invoice {data.invoice_number} to {data.customer_name}"))
        self.alias_nb_pages()

    # ---- page furniture ------------------------------------------------------------------

    def footer(self) -> None:
        self.set_y(-FOOTER_HEIGHT_MM + 4)
        self.set_draw_color(RULE_GREY)
        self.line(MARGIN_MM, self.get_y(), self.w - MARGIN_MM, self.get_y())
        self.set_font(FONT, "", 7.5)
        self.set_text_color(90)
        left = printable(
            f"{self.data.supplier_name} · Invoice {self.data.invoice_number} · "
            "Please quote the invoice number with your payment."
        )
        self.cell(self.epw * 0.8, 5, left)
        self.cell(self.epw * 0.2, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    # ---- content -------------------------------------------------------------------------

    def draw(self) -> None:
        self.add_page()
        self._draw_heading()
        self._draw_parties()
        self._draw_line_header()
        for number, line in enumerate(self.data.lines, start=1):
            self._draw_line(number, line)
        if self.get_y() + TOTALS_HEIGHT_MM > self._content_bottom:
            self._continue_on_new_page(with_line_header=False)
        self._draw_totals()

    @property
    def _content_bottom(self) -> float:
        return self.h - FOOTER_HEIGHT_MM - 2

    def _draw_heading(self) -> None:
        data = self.data
        top = self.get_y()
        self.set_font(FONT, "B", 15)
        self.cell(110, 7, printable(data.supplier_name), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 8.5)
        for address_line in data.supplier_address:
            self.cell(110, 4.2, printable(address_line), new_x="LMARGIN", new_y="NEXT")
        if data.supplier_tax_id:
            tax_id = printable(f"Tax ID {data.supplier_tax_id}")
            self.cell(110, 4.2, tax_id, new_x="LMARGIN", new_y="NEXT")
        left_bottom = self.get_y()

        self.set_xy(self.w - MARGIN_MM - 70, top)
        self.set_font(FONT, "B", 20)
        self.cell(70, 9, "INVOICE", align="R", new_x="LEFT", new_y="NEXT")
        facts = [
            ("Invoice number", data.invoice_number),
            ("Invoice date", _date_text(data.invoice_date)),
            ("Due date", _date_text(data.due_date) if data.due_date else "On receipt"),
            ("Customer account", data.account_number),
            ("Purchase order", data.purchase_order or "(none)"),
            ("Currency", data.currency),
        ]
        if data.payment_terms:
            facts.append(("Terms", data.payment_terms))
        for label, value in facts:
            self.set_x(self.w - MARGIN_MM - 70)
            self.set_font(FONT, "", 8.5)
            self.cell(32, 4.6, label, align="L")
            self.set_font(FONT, "B", 8.5)
            self.cell(38, 4.6, printable(value), align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_y(max(left_bottom, self.get_y()) + 6)

    def _draw_parties(self) -> None:
        data = self.data
        self.set_font(FONT, "B", 8)
        self.set_text_color(90)
        self.cell(0, 4.5, "BILL TO", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.set_font(FONT, "B", 10)
        self.cell(0, 5, printable(data.customer_name), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 8.5)
        for address_line in data.customer_address:
            self.cell(0, 4.2, printable(address_line), new_x="LMARGIN", new_y="NEXT")
        self.cell(
            0, 4.2, f"Account {printable(data.account_number)}", new_x="LMARGIN", new_y="NEXT"
        )
        self.ln(5)

    def _draw_line_header(self) -> None:
        self.set_font(FONT, "B", 8.5)
        self.set_fill_color(HEADER_FILL_GREY)
        titles = ("#", "Description", "Quantity", "Unit price", f"Amount ({self.data.currency})")
        aligns = ("C", "L", "R", "R", "R")
        for width, title, align in zip(COLUMN_WIDTHS_MM, titles, aligns, strict=True):
            self.cell(width, 6.5, printable(title), align=align, fill=True)
        self.ln(6.5)
        self.set_font(FONT, "", 8.5)

    def _draw_line(self, number: int, line: InvoicePdfLine) -> None:
        description_width = COLUMN_WIDTHS_MM[1] - 2 * self.c_margin
        wrapped = _wrap(self, printable(line.description), description_width)
        height = len(wrapped) * LINE_HEIGHT_MM + ROW_PADDING_MM
        if self.get_y() + height > self._content_bottom:
            self._continue_on_new_page(with_line_header=True)
        top = self.get_y()
        widths = COLUMN_WIDTHS_MM
        self.cell(widths[0], LINE_HEIGHT_MM, str(number), align="C")
        x_description = self.get_x()
        for row, text in enumerate(wrapped):
            self.set_xy(x_description, top + row * LINE_HEIGHT_MM)
            self.cell(widths[1], LINE_HEIGHT_MM, text)
        self.set_xy(x_description + widths[1], top)
        self.cell(widths[2], LINE_HEIGHT_MM, quantity_text(line.quantity), align="R")
        self.cell(widths[3], LINE_HEIGHT_MM, money_text(line.unit_price), align="R")
        self.cell(widths[4], LINE_HEIGHT_MM, money_text(line.amount), align="R")
        bottom = top + height
        self.set_draw_color(RULE_GREY)
        self.line(MARGIN_MM, bottom, self.w - MARGIN_MM, bottom)
        self.set_xy(MARGIN_MM, bottom + 0.6)

    def _continue_on_new_page(self, *, with_line_header: bool) -> None:
        self.add_page()
        self.set_font(FONT, "B", 9)
        self.cell(
            0,
            6,
            printable(f"Invoice {self.data.invoice_number} (continued)"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.ln(2)
        if with_line_header:
            self._draw_line_header()

    def _draw_totals(self) -> None:
        data = self.data
        self.ln(3)
        label_x = self.w - MARGIN_MM - 80
        rows = (
            ("Subtotal", money_text(data.subtotal), ""),
            ("Tax", money_text(data.tax), ""),
            (f"Total due ({data.currency})", money_text(data.total), "B"),
        )
        for label, value, style in rows:
            self.set_x(label_x)
            self.set_font(FONT, style, 10 if style else 9)
            self.cell(48, 6, printable(label), align="R")
            self.cell(32, 6, value, align="R", new_x="LMARGIN", new_y="NEXT")
        if data.remit_to:
            self.ln(4)
            self.set_font(FONT, "", 8)
            for text in _wrap(self, printable(data.remit_to), self.epw - 2 * self.c_margin):
                self.cell(0, 4, text, new_x="LMARGIN", new_y="NEXT")


def _date_text(day: dt.date) -> str:
    """EBS style, ``05-MAR-2025``; month names fixed, never from the locale."""
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}"


def _wrap(pdf: FPDF, text: str, width_mm: float) -> Sequence[str]:
    """Greedy word wrap with the current font; a word longer than the width is cut."""
    if pdf.get_string_width(text) <= width_mm:
        return [text]
    words = text.split()
    if not words:
        return [""]
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if pdf.get_string_width(candidate) <= width_mm:
            current = candidate
            continue
        if current:
            lines.append(current)
        while pdf.get_string_width(word) > width_mm:
            cut = len(word)
            while cut > 1 and pdf.get_string_width(word[:cut]) > width_mm:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines
