"""All schema in one place: the EBS source tables the worker reads and the ``XX_ARW_`` tables.

Source tables keep their EBS names and columns (simplified) so a DBA recognises them; on a real
EBS database only the ``XX_ARW_`` tables are created (see ``ddl/install.sql``). Every rule of
design §8 shows up here: flags are ``VARCHAR2(1)`` 'Y'/'N' through :class:`YesNo`, strings always
have a length, audit times are ``TIMESTAMP WITH TIME ZONE``, money is ``NUMBER(18,2)``, every
constraint and index has an explicit name of at most 30 bytes, and no column is an Oracle
reserved word.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    Sequence,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import oracle
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "%(table_name)s_N%(column_0_name)s",
    "uq": "%(table_name)s_U%(column_0_name)s",
    "ck": "%(constraint_name)s",
    "fk": "%(table_name)s_F%(column_0_name)s",
    "pk": "%(table_name)s_PK",
}

#: Worker-owned tables, created by ``arworker db init`` and ``ddl/install.sql``.
WORKER_TABLES = (
    "xx_arw_portal_accounts",
    "xx_arw_submissions",
    "xx_arw_events",
    "xx_arw_resync_requests",
    "xx_arw_job_runs",
    "xx_arw_portal_pauses",
    "xx_arw_deliveries",
    "xx_arw_action_requests",
    "xx_arw_audit_log",
    "xx_arw_web_users",
    "xx_arw_api_tokens",
)
#: EBS tables that exist on a real instance; created only for the embedded default and tests.
EBS_STAND_IN_TABLES = (
    "hz_parties",
    "hz_cust_accounts",
    "ra_customer_trx_all",
    "ra_customer_trx_lines_all",
    "ar_payment_schedules_all",
    "iex_delinquencies_all",
    "fnd_lobs",
    "fnd_documents",
    "fnd_attached_documents",
    "jtf_notes_b",
    "jtf_notes_tl",
    "jtf_note_contexts",
    "ar_collectors",
    "hz_customer_profiles",
    "ar_aging_buckets",
    "ar_aging_bucket_lines",
    "ar_system_parameters_all",
    "gl_ledgers",
    "ar_receivable_applications_all",
)


class YesNo(TypeDecorator[bool]):
    """bool ↔ 'Y'/'N' in a VARCHAR2(1): identical on every database, unlike ``Boolean``."""

    impl = String(1)
    cache_ok = True

    def process_bind_param(self, value: bool | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return "Y" if value else "N"

    def process_result_value(self, value: Any, dialect: Dialect) -> bool | None:
        if value is None:
            return None
        return bool(value == "Y")


class UtcTimestamp(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes everywhere; ``TIMESTAMP WITH TIME ZONE`` on Oracle, not ``DATE``."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "oracle":
            return dialect.type_descriptor(oracle.TIMESTAMP(timezone=True))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the worker stores aware UTC times only")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite without detect_types
            value = dt.datetime.fromisoformat(value)
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def id_type() -> TypeEngine[int]:
    """EBS surrogate ids: NUMBER(15); INTEGER on SQLite so that the primary key autoincrements."""
    # SQLAlchemy's oracle.NUMBER carries no annotations
    ebs_number: TypeEngine[int] = oracle.NUMBER(15, 0, asdecimal=False)  # type: ignore[no-untyped-call]
    return BigInteger().with_variant(ebs_number, "oracle").with_variant(Integer(), "sqlite")


def money() -> Numeric[Any]:
    """Amounts are exact decimals; never binary floats."""
    return Numeric(18, 2)


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC: the only clock the tables know."""
    return dt.datetime.now(dt.UTC)


def _who() -> list[Any]:
    """The EBS WHO columns every table carries."""
    return [
        Column("created_by", id_type(), nullable=False, default=-1),
        Column("creation_date", UtcTimestamp(), nullable=False, default=utcnow),
        Column("last_updated_by", id_type(), nullable=False, default=-1),
        Column("last_update_date", UtcTimestamp(), nullable=False, default=utcnow, onupdate=utcnow),
        Column("last_update_login", id_type()),
    ]


def build_metadata(schema: str | None = None) -> MetaData:
    """Build the one ``MetaData`` of the worker: EBS stand-ins + ``XX_ARW_`` tables."""
    md = MetaData(naming_convention=NAMING_CONVENTION, schema=schema)
    jtf_notes_s = Sequence("jtf_notes_s", metadata=md)

    # ---- TCA customers -------------------------------------------------------------------
    Table(
        "hz_parties",
        md,
        Column("party_id", id_type(), nullable=False),
        Column("party_number", String(30), nullable=False),
        Column("party_name", String(360), nullable=False),
        Column("party_type", String(30), nullable=False, default="ORGANIZATION"),
        Column("status", String(1), nullable=False, default="A"),
        Column("tax_reference", String(50)),
        Column("country", String(60)),
        PrimaryKeyConstraint("party_id", name="hz_parties_pk"),
    )
    Table(
        "hz_cust_accounts",
        md,
        Column("cust_account_id", id_type(), nullable=False),
        Column("party_id", id_type(), nullable=False),
        Column("account_number", String(30), nullable=False),
        Column("account_name", String(240)),
        Column("status", String(1), nullable=False, default="A"),
        Column("customer_class_code", String(30)),
        Column("orig_system_reference", String(240), nullable=False),
        PrimaryKeyConstraint("cust_account_id", name="hz_cust_accounts_pk"),
        UniqueConstraint("account_number", name="hz_cust_accounts_u2"),
    )

    # ---- Receivables transactions --------------------------------------------------------
    Table(
        "ra_customer_trx_all",
        md,
        Column("customer_trx_id", id_type(), nullable=False),
        Column("trx_number", String(20), nullable=False),
        Column("trx_date", Date(), nullable=False),
        Column("cust_trx_type_id", id_type(), nullable=False, default=1),
        Column("bill_to_customer_id", id_type()),
        Column("bill_to_site_use_id", id_type()),
        Column("term_id", id_type()),
        Column("term_due_date", Date()),
        Column("purchase_order", String(50)),
        Column("purchase_order_revision", String(50)),
        Column("purchase_order_date", Date()),
        Column("customer_reference", String(30)),
        Column("comments", String(1760)),
        Column("invoice_currency_code", String(15), nullable=False),
        Column("complete_flag", YesNo(), nullable=False),
        Column("status_trx", String(30)),
        Column("org_id", id_type(), nullable=False),
        *_who(),
        PrimaryKeyConstraint("customer_trx_id", name="ra_customer_trx_all_pk"),
        Index("ra_customer_trx_n1", "bill_to_customer_id"),
    )
    Table(
        "ra_customer_trx_lines_all",
        md,
        Column("customer_trx_line_id", id_type(), nullable=False),
        Column("customer_trx_id", id_type(), nullable=False),
        Column("line_number", Integer(), nullable=False),
        Column("line_type", String(20), nullable=False, default="LINE"),
        Column("description", String(240)),
        Column("uom_code", String(3)),
        Column("quantity_invoiced", Numeric(18, 4)),
        Column("unit_selling_price", Numeric(18, 4)),
        Column("extended_amount", money(), nullable=False),
        Column("tax_rate", Numeric(9, 4)),
        Column("sales_order", String(50)),
        Column("org_id", id_type(), nullable=False),
        PrimaryKeyConstraint("customer_trx_line_id", name="ra_customer_trx_lines_pk"),
        Index("ra_customer_trx_lines_n1", "customer_trx_id"),
    )
    Table(
        "ar_payment_schedules_all",
        md,
        Column("payment_schedule_id", id_type(), nullable=False),
        Column("customer_trx_id", id_type()),
        Column("customer_id", id_type(), nullable=False),
        Column("customer_site_use_id", id_type()),
        Column("trx_number", String(30)),
        Column("trx_date", Date()),
        Column("due_date", Date(), nullable=False),
        Column("amount_due_original", money(), nullable=False),
        Column("amount_due_remaining", money(), nullable=False),
        Column("amount_line_items_original", money()),
        Column("tax_original", money()),
        Column("amount_in_dispute", money()),
        Column("invoice_currency_code", String(15), nullable=False),
        Column("status", String(30), nullable=False),
        Column("class", String(20), nullable=False),
        Column("terms_sequence_number", Integer()),
        # NOT NULL in EBS; nullable here so that stand-in books which do not age items stay valid
        Column("gl_date", Date()),
        Column("gl_date_closed", Date()),  #: 4712-12-31 while open, as EBS keeps it
        Column("actual_date_closed", Date()),
        Column("exchange_rate", Numeric(18, 8)),  #: NULL in the ledger's own currency
        Column("acctd_amount_due_remaining", money()),  #: in the ledger's currency
        Column("cash_receipt_id", id_type()),  #: receipts (CLASS 'PMT') only
        Column("org_id", id_type(), nullable=False),
        PrimaryKeyConstraint("payment_schedule_id", name="ar_payment_schedules_pk"),
        Index("ar_payment_schedules_n1", "customer_id", "status"),
        Index("ar_payment_schedules_n2", "customer_trx_id"),
        Index("ar_payment_schedules_n3", "gl_date_closed"),
    )
    Table(
        "ar_receivable_applications_all",
        md,
        Column("receivable_application_id", id_type(), nullable=False),
        Column("payment_schedule_id", id_type()),  #: the receipt's or credit memo's schedule
        Column("cash_receipt_id", id_type()),
        Column("applied_payment_schedule_id", id_type()),  #: the item it pays
        Column("applied_customer_trx_id", id_type()),
        Column("application_type", String(20), nullable=False),  #: 'CASH' or 'CM'
        Column("status", String(30), nullable=False),  #: 'APP' applied
        Column("amount_applied", money(), nullable=False),
        Column("acctd_amount_applied_to", money()),
        Column("acctd_amount_applied_from", money()),
        Column("apply_date", Date(), nullable=False),
        Column("gl_date", Date(), nullable=False),
        Column("org_id", id_type(), nullable=False),
        *_who(),
        PrimaryKeyConstraint("receivable_application_id", name="ar_receivable_applications_pk"),
        Index("ar_receivable_applications_n1", "applied_payment_schedule_id"),
        Index("ar_receivable_applications_n2", "gl_date"),
    )
    Table(
        "iex_delinquencies_all",
        md,
        Column("delinquency_id", id_type(), nullable=False),
        Column("party_cust_id", id_type()),
        Column("cust_account_id", id_type()),
        Column("customer_site_use_id", id_type()),
        Column("transaction_id", id_type()),
        Column("payment_schedule_id", id_type()),
        Column("status", String(30), nullable=False),
        Column("aging_bucket_line_id", id_type()),
        Column("org_id", id_type()),
        *_who(),
        PrimaryKeyConstraint("delinquency_id", name="iex_delinquencies_pk"),
        Index("iex_delinquencies_n1", "payment_schedule_id"),
    )

    # ---- Collectors and who collects which account ---------------------------------------
    Table(
        "ar_collectors",
        md,
        Column("collector_id", id_type(), nullable=False),
        Column("name", String(30), nullable=False),
        Column("employee_id", id_type()),
        Column("description", String(240)),
        Column("status", String(1), nullable=False, default="A"),
        Column("email_address", String(240)),
        Column("inactive_date", Date()),
        *_who(),
        PrimaryKeyConstraint("collector_id", name="ar_collectors_pk"),
        UniqueConstraint("name", name="ar_collectors_u1"),
    )
    Table(
        "hz_customer_profiles",
        md,
        Column("cust_account_profile_id", id_type(), nullable=False),
        Column("cust_account_id", id_type(), nullable=False),
        Column("party_id", id_type(), nullable=False),
        # NULL: the account-level profile; a bill-to site may carry its own
        Column("site_use_id", id_type()),
        Column("collector_id", id_type(), nullable=False),
        Column("status", String(1), nullable=False, default="A"),
        *_who(),
        PrimaryKeyConstraint("cust_account_profile_id", name="hz_customer_profiles_pk"),
        Index("hz_customer_profiles_n1", "cust_account_id", "site_use_id"),
        Index("hz_customer_profiles_n2", "collector_id"),
    )

    # ---- Aging bucket sets, and each operating unit's ledger currency -----------------------
    Table(
        "ar_aging_buckets",
        md,
        Column("aging_bucket_id", id_type(), nullable=False),
        Column("bucket_name", String(20), nullable=False),
        Column("status", String(1), nullable=False, default="A"),
        Column("aging_type", String(30), nullable=False, default="INTERVAL"),
        Column("description", String(240)),
        *_who(),
        PrimaryKeyConstraint("aging_bucket_id", name="ar_aging_buckets_pk"),
        UniqueConstraint("bucket_name", name="ar_aging_buckets_u1"),
    )
    Table(
        "ar_aging_bucket_lines",
        md,
        Column("aging_bucket_line_id", id_type(), nullable=False),
        Column("aging_bucket_id", id_type(), nullable=False),
        Column("bucket_sequence_num", Integer(), nullable=False),
        Column("days_start", Integer()),
        Column("days_to", Integer()),
        #: CURRENT, PAST_DUE, DISPUTE_ONLY, PENDADJ_ONLY or DISPUTE_PENDADJ
        Column("type", String(30), nullable=False),
        Column("report_heading1", String(15)),
        Column("report_heading2", String(15)),
        *_who(),
        PrimaryKeyConstraint("aging_bucket_line_id", name="ar_aging_bucket_lines_pk"),
        UniqueConstraint("aging_bucket_id", "bucket_sequence_num", name="ar_aging_bucket_lines_u1"),
    )
    Table(
        "ar_system_parameters_all",
        md,
        Column("org_id", id_type(), nullable=False),
        Column("set_of_books_id", id_type(), nullable=False),  #: GL_LEDGERS.LEDGER_ID
        *_who(),
        PrimaryKeyConstraint("org_id", name="ar_system_parameters_pk"),
    )
    Table(
        "gl_ledgers",
        md,
        Column("ledger_id", id_type(), nullable=False),
        Column("name", String(30), nullable=False),
        Column("short_name", String(20), nullable=False),
        Column("currency_code", String(15), nullable=False),
        Column("period_set_name", String(15)),
        *_who(),
        PrimaryKeyConstraint("ledger_id", name="gl_ledgers_pk"),
    )

    # ---- Attachments (invoice PDFs) ------------------------------------------------------
    Table(
        "fnd_lobs",
        md,
        Column("file_id", id_type(), nullable=False),
        Column("file_name", String(256)),
        Column("file_content_type", String(256), nullable=False),
        Column("file_data", LargeBinary()),
        Column("upload_date", UtcTimestamp()),
        Column("expiration_date", UtcTimestamp()),
        Column("program_name", String(32)),
        Column("language", String(4)),
        Column("file_format", String(10)),
        PrimaryKeyConstraint("file_id", name="fnd_lobs_pk"),
    )
    Table(
        "fnd_documents",
        md,
        Column("document_id", id_type(), nullable=False),
        Column("datatype_id", id_type(), nullable=False),
        Column("category_id", id_type(), nullable=False, default=1),
        Column("security_type", Integer(), nullable=False, default=4),
        Column("publish_flag", YesNo(), nullable=False, default=False),
        Column("usage_type", String(1), nullable=False, default="O"),
        Column("media_id", id_type()),
        Column("file_name", String(2048)),
        *_who(),
        PrimaryKeyConstraint("document_id", name="fnd_documents_pk"),
    )
    Table(
        "fnd_attached_documents",
        md,
        Column("attached_document_id", id_type(), nullable=False),
        Column("document_id", id_type(), nullable=False),
        Column("entity_name", String(40), nullable=False),
        Column("pk1_value", String(100)),
        Column("seq_num", Integer(), nullable=False, default=10),
        Column("automatically_added_flag", YesNo(), nullable=False, default=False),
        Column("category_id", id_type()),
        *_who(),
        PrimaryKeyConstraint("attached_document_id", name="fnd_attached_documents_pk"),
        Index("fnd_attached_documents_n1", "entity_name", "pk1_value"),
    )

    # ---- Collection notes ----------------------------------------------------------------
    Table(
        "jtf_notes_b",
        md,
        Column("jtf_note_id", id_type(), jtf_notes_s, nullable=False),
        Column("parent_note_id", id_type()),
        Column("source_object_code", String(240), nullable=False),
        Column("source_object_id", id_type(), nullable=False),
        Column("note_status", String(1), nullable=False, default="I"),
        Column("note_type", String(240)),
        Column("entered_by", id_type(), nullable=False),
        Column("entered_date", UtcTimestamp(), nullable=False),
        *_who(),
        PrimaryKeyConstraint("jtf_note_id", name="jtf_notes_b_pk"),
        Index("jtf_notes_b_n1", "source_object_code", "source_object_id"),
    )
    Table(
        "jtf_notes_tl",
        md,
        Column("jtf_note_id", id_type(), nullable=False),
        Column("language", String(4), nullable=False),
        Column("source_lang", String(4), nullable=False),
        Column("notes", String(2000), nullable=False),
        Column("notes_detail", Text()),
        *_who(),
        PrimaryKeyConstraint("jtf_note_id", "language", name="jtf_notes_tl_pk"),
    )
    Table(
        "jtf_note_contexts",
        md,
        Column("note_context_id", id_type(), jtf_notes_s, nullable=False),
        Column("jtf_note_id", id_type(), nullable=False),
        Column("note_context_type", String(240), nullable=False),
        Column("note_context_type_id", id_type(), nullable=False),
        *_who(),
        PrimaryKeyConstraint("note_context_id", name="jtf_note_contexts_pk"),
        Index("jtf_note_contexts_n1", "jtf_note_id"),
        Index("jtf_note_contexts_n2", "note_context_type", "note_context_type_id"),
    )

    # ---- Worker-owned XX_ARW_ tables -----------------------------------------------------
    Table(
        "xx_arw_portal_accounts",
        md,
        Column(
            "portal_account_id",
            id_type(),
            Sequence("xx_arw_portal_accounts_s", metadata=md),
            nullable=False,
        ),
        Column("cust_account_id", id_type(), nullable=False),
        Column("portal_code", String(30), nullable=False),
        Column("portal_url", String(1000), nullable=False),
        Column("display_name", String(100)),
        Column("buyer_name", String(240)),
        Column("supplier_portal_id", String(100)),
        Column("login_name", String(240), nullable=False),
        Column("secret_ref", String(100), nullable=False),
        Column("totp_secret_ref", String(100)),
        Column("enabled_flag", YesNo(), nullable=False, default=True),
        Column("po_required_flag", YesNo(), nullable=False, default=True),
        Column("new_number_on_resubmit", YesNo(), nullable=False, default=False),
        Column("options_json", String(4000)),
        Column("org_id", id_type(), nullable=False),
        # the status pass reading this account's verdicts now, and until when (DB clock)
        Column("status_pass_by", String(200)),
        Column("status_pass_until", UtcTimestamp()),
        *_who(),
        PrimaryKeyConstraint("portal_account_id", name="xx_arw_portal_accounts_pk"),
        UniqueConstraint("cust_account_id", "portal_code", name="xx_arw_portal_accounts_u1"),
        CheckConstraint("enabled_flag IN ('Y','N')", name="xx_arw_portal_accounts_c1"),
        CheckConstraint("po_required_flag IN ('Y','N')", name="xx_arw_portal_accounts_c2"),
        CheckConstraint("new_number_on_resubmit IN ('Y','N')", name="xx_arw_portal_accounts_c3"),
    )
    Table(
        "xx_arw_submissions",
        md,
        Column(
            "submission_id",
            id_type(),
            Sequence("xx_arw_submissions_s", metadata=md),
            nullable=False,
        ),
        Column("customer_trx_id", id_type(), nullable=False),
        Column("payment_schedule_id", id_type(), nullable=False),
        Column("cust_account_id", id_type(), nullable=False),
        Column("portal_account_id", id_type(), nullable=False),
        Column("trx_number", String(30), nullable=False),
        Column("portal_invoice_number", String(50), nullable=False),
        Column("status", String(20), nullable=False),
        Column("attempts", Integer(), nullable=False, default=0),
        Column("next_attempt_at", UtcTimestamp()),
        Column("lease_owner", String(200)),
        Column("lease_token", String(64)),
        Column("lease_expires_at", UtcTimestamp()),
        Column("portal_reference", String(100)),
        Column("portal_status", String(30)),
        Column("portal_status_at", UtcTimestamp()),
        Column("portal_status_reason", String(2000)),
        Column("projected_pay_date", Date()),
        Column("payment_date", Date()),
        Column("payment_reference", String(100)),
        Column("last_error_code", String(30)),
        Column("last_error_text", String(2000)),
        Column("artifact_path", String(1000)),
        Column("resubmit_count", Integer(), nullable=False, default=0),
        Column("enqueued_at", UtcTimestamp(), nullable=False),
        Column("submitted_at", UtcTimestamp()),
        Column("submit_started_at", UtcTimestamp()),
        # when the portal's verdict is next worth reading (NULL: now); jobs/status_schedule.py
        Column("next_status_check_at", UtcTimestamp()),
        Column("org_id", id_type(), nullable=False),
        *_who(),
        PrimaryKeyConstraint("submission_id", name="xx_arw_submissions_pk"),
        UniqueConstraint("customer_trx_id", "portal_account_id", name="xx_arw_submissions_u1"),
        ForeignKeyConstraint(
            ["portal_account_id"],
            ["xx_arw_portal_accounts.portal_account_id"],
            name="xx_arw_submissions_f1",
        ),
        Index("xx_arw_submissions_n1", "status", "next_attempt_at"),
        Index("xx_arw_submissions_n2", "lease_token"),
        Index("xx_arw_submissions_n3", "cust_account_id"),
        # the workspace's worklist: every kind is a range of (status, portal status, submitted);
        # with org_id, its count reads the index alone
        Index("xx_arw_submissions_n4", "status", "portal_status", "submitted_at", "org_id"),
        # the workspace's queue by portal and status, counted from the index alone
        Index("xx_arw_submissions_n5", "portal_account_id", "status"),
        # the status pass: an account's submitted invoices due for a read
        Index("xx_arw_submissions_n6", "portal_account_id", "status", "next_status_check_at"),
    )
    Table(
        "xx_arw_events",
        md,
        Column("event_id", id_type(), Sequence("xx_arw_events_s", metadata=md), nullable=False),
        Column("submission_id", id_type()),
        Column("cust_account_id", id_type()),
        Column("event_type", String(30), nullable=False),
        Column("from_status", String(20)),
        Column("to_status", String(20)),
        Column("detail", String(2000)),
        Column("outcome_uid", String(64)),
        Column("run_id", String(64)),
        Column("jtf_note_id", id_type()),
        *_who(),
        PrimaryKeyConstraint("event_id", name="xx_arw_events_pk"),
        UniqueConstraint("outcome_uid", name="xx_arw_events_u1"),
        Index("xx_arw_events_n1", "submission_id"),
    )
    Table(
        "xx_arw_resync_requests",
        md,
        Column(
            "request_id",
            id_type(),
            Sequence("xx_arw_resync_requests_s", metadata=md),
            nullable=False,
        ),
        Column("account_number", String(30), nullable=False),
        Column("requested_by", String(100)),
        Column("status", String(20), nullable=False),
        Column("requested_at", UtcTimestamp(), nullable=False),
        Column("started_at", UtcTimestamp()),
        Column("finished_at", UtcTimestamp()),
        Column("worker_name", String(200)),
        Column("result_text", String(2000)),
        *_who(),
        PrimaryKeyConstraint("request_id", name="xx_arw_resync_requests_pk"),
        Index("xx_arw_resync_requests_n1", "status"),
    )
    Table(
        "xx_arw_job_runs",
        md,
        Column("job_run_id", id_type(), Sequence("xx_arw_job_runs_s", metadata=md), nullable=False),
        Column("run_id", String(64), nullable=False),
        Column("job_name", String(30), nullable=False),
        Column("scheduled_for", UtcTimestamp(), nullable=False),
        Column("started_at", UtcTimestamp(), nullable=False),
        Column("finished_at", UtcTimestamp()),
        Column("status", String(20), nullable=False),
        Column("worker_name", String(200)),
        Column("enqueued_count", Integer()),
        Column("submitted_count", Integer()),
        Column("already_count", Integer()),
        Column("rejected_count", Integer()),
        Column("failed_count", Integer()),
        Column("notes_count", Integer()),
        Column("summary_text", String(2000)),
        *_who(),
        PrimaryKeyConstraint("job_run_id", name="xx_arw_job_runs_pk"),
        # a unique index, not a constraint: Oracle refuses a TIMESTAMP WITH TIME ZONE column in a
        # unique key (ORA-02329) but indexes it, and raises the same ORA-00001
        Index("xx_arw_job_runs_u1", "job_name", "scheduled_for", unique=True),
        UniqueConstraint("run_id", name="xx_arw_job_runs_u2"),
    )
    Table(
        "xx_arw_portal_pauses",
        md,
        Column(
            "pause_id", id_type(), Sequence("xx_arw_portal_pauses_s", metadata=md), nullable=False
        ),
        # a hash of what is paused (kind, portal, URL, login): one live pause per key, through
        # the unique (key, seq) pair; a worker that loses the race to pause knows it did
        Column("pause_key", String(64), nullable=False),
        Column("pause_seq", Integer(), nullable=False),
        Column("pause_kind", String(10), nullable=False),
        Column("portal_code", String(30), nullable=False),
        Column("portal_url", String(1000)),
        Column("login_name", String(240)),
        Column("secret_fingerprint", String(200)),
        Column("reason", String(2000)),
        Column("error_code", String(30)),
        Column("paused_at", UtcTimestamp(), nullable=False),
        Column("paused_until", UtcTimestamp()),
        Column("probe_after", UtcTimestamp()),
        Column("trip_count", Integer(), nullable=False, default=1),
        Column("resumed_at", UtcTimestamp()),
        Column("resumed_by", String(100)),
        Column("resume_reason", String(2000)),
        Column("worker_name", String(200)),
        *_who(),
        PrimaryKeyConstraint("pause_id", name="xx_arw_portal_pauses_pk"),
        UniqueConstraint("pause_key", "pause_seq", name="xx_arw_portal_pauses_u1"),
        CheckConstraint(
            "pause_kind IN ('LOGIN','PORTAL','OUTAGE')", name="xx_arw_portal_pauses_c1"
        ),
        Index("xx_arw_portal_pauses_n1", "resumed_at"),
    )
    Table(
        "xx_arw_deliveries",
        md,
        Column(
            "delivery_id", id_type(), Sequence("xx_arw_deliveries_s", metadata=md), nullable=False
        ),
        Column("report_name", String(30), nullable=False),  #: 'monthly', 'digest'
        Column("period_key", String(30), nullable=False),  #: the as-of date, the digest's day
        Column("recipient", String(320), nullable=False),  #: one address, lower case
        Column("collector_id", id_type()),
        Column("subject", String(240), nullable=False),
        Column("message_id", String(250), nullable=False),
        Column("message_path", String(1000), nullable=False),  #: the message as sent (.eml)
        Column("status", String(20), nullable=False),
        Column("attempts", Integer(), nullable=False, default=0),
        Column("next_attempt_at", UtcTimestamp()),
        Column("lease_token", String(64)),
        Column("lease_expires_at", UtcTimestamp()),
        Column("last_error", String(2000)),
        Column("sent_at", UtcTimestamp()),
        Column("server_reply", String(500)),
        Column("run_id", String(64)),
        Column("requeued_by", String(100)),
        *_who(),
        PrimaryKeyConstraint("delivery_id", name="xx_arw_deliveries_pk"),
        UniqueConstraint("report_name", "period_key", "recipient", name="xx_arw_deliveries_u1"),
        UniqueConstraint("message_id", name="xx_arw_deliveries_u2"),
        Index("xx_arw_deliveries_n1", "status", "next_attempt_at"),
    )
    _workspace_tables(md)
    return md


def _workspace_tables(md: MetaData) -> None:
    """The collector workspace's tables: requests workers pick up, the audit trail, web users
    and API tokens. Append-only where it matters: the audit log is never updated."""
    roles = "role_code IN ('VIEWER','COLLECTOR','ADMIN')"
    Table(
        "xx_arw_action_requests",
        md,
        Column(
            "request_id",
            id_type(),
            Sequence("xx_arw_action_requests_s", metadata=md),
            nullable=False,
        ),
        Column("action_code", String(30), nullable=False),
        Column("submission_id", id_type()),
        Column("portal_account_id", id_type()),
        Column("cust_account_id", id_type()),
        Column("requested_by", String(100), nullable=False),
        Column("reason", String(2000)),
        Column("status", String(20), nullable=False),
        Column("requested_at", UtcTimestamp(), nullable=False),
        Column("started_at", UtcTimestamp()),
        Column("finished_at", UtcTimestamp()),
        Column("worker_name", String(200)),
        Column("result_text", String(2000)),
        *_who(),
        PrimaryKeyConstraint("request_id", name="xx_arw_action_requests_pk"),
        CheckConstraint(
            "action_code IN ('RETRY','SUBMIT_NOW','TEST_LOGIN')", name="xx_arw_action_requests_c1"
        ),
        Index("xx_arw_action_requests_n1", "status"),
        Index("xx_arw_action_requests_n2", "portal_account_id"),
        Index("xx_arw_action_requests_n3", "submission_id"),
    )
    Table(
        "xx_arw_audit_log",
        md,
        Column("audit_id", id_type(), Sequence("xx_arw_audit_log_s", metadata=md), nullable=False),
        Column("acted_at", UtcTimestamp(), nullable=False),
        Column("actor", String(100), nullable=False),
        Column("actor_role", String(20), nullable=False),
        Column("channel", String(10), nullable=False),
        Column("source_address", String(100)),
        Column("action_code", String(30), nullable=False),
        Column("target_kind", String(30), nullable=False),
        Column("target_ref", String(100)),
        Column("reason", String(2000)),
        Column("detail", String(2000)),
        *_who(),
        PrimaryKeyConstraint("audit_id", name="xx_arw_audit_log_pk"),
        Index("xx_arw_audit_log_n1", "target_kind", "target_ref"),
        Index("xx_arw_audit_log_n2", "acted_at"),
    )
    Table(
        "xx_arw_web_users",
        md,
        Column("user_id", id_type(), Sequence("xx_arw_web_users_s", metadata=md), nullable=False),
        Column("user_name", String(100), nullable=False),
        Column("display_name", String(240)),
        Column("email_address", String(240)),
        Column("role_code", String(20), nullable=False),
        Column("password_hash", String(200)),
        Column("collector_id", id_type()),
        Column("enabled_flag", YesNo(), nullable=False, default=True),
        Column("last_login_at", UtcTimestamp()),
        *_who(),
        PrimaryKeyConstraint("user_id", name="xx_arw_web_users_pk"),
        UniqueConstraint("user_name", name="xx_arw_web_users_u1"),
        CheckConstraint("enabled_flag IN ('Y','N')", name="xx_arw_web_users_c1"),
        CheckConstraint(roles, name="xx_arw_web_users_c2"),
    )
    Table(
        "xx_arw_api_tokens",
        md,
        Column("token_id", id_type(), Sequence("xx_arw_api_tokens_s", metadata=md), nullable=False),
        Column("token_hash", String(64), nullable=False),
        Column("token_hint", String(16), nullable=False),
        Column("label", String(240)),
        Column("user_name", String(100), nullable=False),
        Column("role_code", String(20), nullable=False),
        Column("expires_at", UtcTimestamp()),
        Column("last_used_at", UtcTimestamp()),
        Column("revoked_at", UtcTimestamp()),
        Column("revoked_by", String(100)),
        *_who(),
        PrimaryKeyConstraint("token_id", name="xx_arw_api_tokens_pk"),
        UniqueConstraint("token_hash", name="xx_arw_api_tokens_u1"),
        CheckConstraint(roles, name="xx_arw_api_tokens_c1"),
    )
