"""Invoice PDFs from EBS attachments (FND_ATTACHED_DOCUMENTS → FND_DOCUMENTS → FND_LOBS).

Many EBS sites never store the printed invoice as an attachment; ``None`` here is normal and the
submit job renders a PDF from the invoice data instead (and says so in the note).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import MetaData

from connectors.oracle.records import InvoicePdfRecord

AR_TRANSACTION_ENTITY = "RA_CUSTOMER_TRX"
FILE_DATATYPE_ID = 6
PDF_CONTENT_TYPE = "application/pdf"


def read_invoice_pdf(
    conn: sa.Connection, md: MetaData, customer_trx_id: int
) -> InvoicePdfRecord | None:
    """The newest PDF attached to the transaction, or ``None``."""
    ad = md.tables["fnd_attached_documents"]
    doc = md.tables["fnd_documents"]
    lob = md.tables["fnd_lobs"]
    row = conn.execute(
        sa.select(lob.c.file_name, lob.c.file_content_type, lob.c.file_data)
        .join(doc, doc.c.media_id == lob.c.file_id)
        .join(ad, ad.c.document_id == doc.c.document_id)
        .where(
            ad.c.entity_name == AR_TRANSACTION_ENTITY,
            ad.c.pk1_value == str(customer_trx_id),  # PK1_VALUE is VARCHAR2: bind a string
            doc.c.datatype_id == FILE_DATATYPE_ID,
            lob.c.file_content_type == PDF_CONTENT_TYPE,
        )
        .order_by(ad.c.seq_num.desc(), lob.c.file_id.desc())
        .limit(1)
    ).one_or_none()
    if row is None or row.file_data is None:
        return None
    return InvoicePdfRecord(
        file_name=row.file_name or f"{customer_trx_id}.pdf",
        content_type=row.file_content_type,
        data=bytes(row.file_data),
    )
