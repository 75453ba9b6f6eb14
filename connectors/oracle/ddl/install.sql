-- =============================================================================================
-- arworker: install the worker's own tables (XX_ARW_*) in an Oracle database
--
-- What it creates: 11 sequences, 11 tables, their indexes and named constraints; nothing else.
-- It never touches an EBS-owned object. Every name is at most 30 bytes (EBS 12.1 / DB 11.2
-- and COMPATIBLE < 12.2 refuse longer ones) and every table name at most 29 bytes (EBS 12.2
-- online patching appends '#' for the editioning view).
--
-- Who runs it: the owner of the worker's tables, a custom schema registered the EBS way (for
-- example XXARW), never APPS, AR or another product schema:
--     sqlplus XXARW@EBSDB @install.sql
-- Then, as a DBA: grants.sql (what the worker's login may read and write).
-- Undo: uninstall.sql.
--
-- It matches, in substance, what the code creates: `arworker db ddl --dialect oracle` prints the
-- DDL compiled from connectors/oracle/tables.py, and tests/unit/test_install_sql.py fails when
-- the two disagree on a table, column, type, key, index or sequence.
--
-- Conventions (design §8): ids NUMBER(15); flags VARCHAR2(1 CHAR) 'Y'/'N'; audit times
-- TIMESTAMP WITH TIME ZONE (stored as UTC by the worker); money NUMBER(18,2); the EBS WHO
-- columns on every table (CREATED_BY/LAST_UPDATED_BY hold FND_USER.USER_ID, -1 when the worker
-- writes without an EBS user). A TIMESTAMP WITH TIME ZONE column cannot be in a PRIMARY KEY or
-- UNIQUE constraint (ORA-02329), so the one key that needs it is a unique index.
--
-- Storage: add TABLESPACE clauses to suit the site (EBS 12.2 custom tables conventionally use
-- APPS_TS_TX_DATA and indexes APPS_TS_TX_IDX). DDL commits implicitly: run this outside any
-- transaction you care about.
-- =============================================================================================

WHENEVER SQLERROR EXIT FAILURE
SET ECHO ON

PROMPT sequences

CREATE SEQUENCE XX_ARW_PORTAL_ACCOUNTS_S START WITH 1 INCREMENT BY 1 CACHE 20 NOCYCLE;
CREATE SEQUENCE XX_ARW_SUBMISSIONS_S START WITH 1 INCREMENT BY 1 CACHE 20 NOCYCLE;
CREATE SEQUENCE XX_ARW_EVENTS_S START WITH 1 INCREMENT BY 1 CACHE 20 NOCYCLE;
CREATE SEQUENCE XX_ARW_RESYNC_REQUESTS_S START WITH 1 INCREMENT BY 1 CACHE 20 NOCYCLE;
CREATE SEQUENCE XX_ARW_JOB_RUNS_S START WITH 1 INCREMENT BY 1 CACHE 20 NOCYCLE;
CREATE SEQUENCE XX_ARW_PORTAL_PAUSES_S START WITH 1 INCREMENT BY 1 CACHE 20 NOCYCLE;
CREATE SEQUENCE XX_ARW_DELIVERIES_S START WITH 1 INCREMENT BY 1 CACHE 20 NOCYCLE;
CREATE SEQUENCE XX_ARW_ACTION_REQUESTS_S START WITH 1 INCREMENT BY 1 CACHE 20 NOCYCLE;
CREATE SEQUENCE XX_ARW_AUDIT_LOG_S START WITH 1 INCREMENT BY 1 CACHE 20 NOCYCLE;
CREATE SEQUENCE XX_ARW_WEB_USERS_S START WITH 1 INCREMENT BY 1 CACHE 20 NOCYCLE;
CREATE SEQUENCE XX_ARW_API_TOKENS_S START WITH 1 INCREMENT BY 1 CACHE 20 NOCYCLE;

PROMPT XX_ARW_PORTAL_ACCOUNTS: which customer account submits to which portal

CREATE TABLE XX_ARW_PORTAL_ACCOUNTS (
    PORTAL_ACCOUNT_ID       NUMBER(15)           NOT NULL,
    CUST_ACCOUNT_ID         NUMBER(15)           NOT NULL,
    PORTAL_CODE             VARCHAR2(30 CHAR)    NOT NULL,
    PORTAL_URL              VARCHAR2(1000 CHAR)  NOT NULL,
    DISPLAY_NAME            VARCHAR2(100 CHAR),
    BUYER_NAME              VARCHAR2(240 CHAR),
    SUPPLIER_PORTAL_ID      VARCHAR2(100 CHAR),
    LOGIN_NAME              VARCHAR2(240 CHAR)   NOT NULL,
    SECRET_REF              VARCHAR2(100 CHAR)   NOT NULL,
    TOTP_SECRET_REF         VARCHAR2(100 CHAR),
    ENABLED_FLAG            VARCHAR2(1 CHAR)     NOT NULL,
    PO_REQUIRED_FLAG        VARCHAR2(1 CHAR)     NOT NULL,
    NEW_NUMBER_ON_RESUBMIT  VARCHAR2(1 CHAR)     NOT NULL,
    OPTIONS_JSON            VARCHAR2(4000 CHAR),
    ORG_ID                  NUMBER(15)           NOT NULL,
    STATUS_PASS_BY          VARCHAR2(200 CHAR),
    STATUS_PASS_UNTIL       TIMESTAMP WITH TIME ZONE,
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT XX_ARW_PORTAL_ACCOUNTS_PK PRIMARY KEY (PORTAL_ACCOUNT_ID),
    CONSTRAINT XX_ARW_PORTAL_ACCOUNTS_U1 UNIQUE (CUST_ACCOUNT_ID, PORTAL_CODE),
    CONSTRAINT XX_ARW_PORTAL_ACCOUNTS_C1 CHECK (ENABLED_FLAG IN ('Y', 'N')),
    CONSTRAINT XX_ARW_PORTAL_ACCOUNTS_C2 CHECK (PO_REQUIRED_FLAG IN ('Y', 'N')),
    CONSTRAINT XX_ARW_PORTAL_ACCOUNTS_C3 CHECK (NEW_NUMBER_ON_RESUBMIT IN ('Y', 'N'))
);

COMMENT ON TABLE XX_ARW_PORTAL_ACCOUNTS IS
    'arworker: customer accounts (HZ_CUST_ACCOUNTS) enrolled on a customer e-invoicing portal';
COMMENT ON COLUMN XX_ARW_PORTAL_ACCOUNTS.SECRET_REF IS
    'Name of the secret holding the portal password; the password itself is never stored here';
COMMENT ON COLUMN XX_ARW_PORTAL_ACCOUNTS.OPTIONS_JSON IS
    'Per-portal options as a JSON object (no secrets)';
COMMENT ON COLUMN XX_ARW_PORTAL_ACCOUNTS.STATUS_PASS_BY IS
    'The worker reading this account''s portal verdicts now; one worker per account and pass';

PROMPT XX_ARW_SUBMISSIONS: one row per (invoice, portal account): queue, outbox, audit head

CREATE TABLE XX_ARW_SUBMISSIONS (
    SUBMISSION_ID           NUMBER(15)           NOT NULL,
    CUSTOMER_TRX_ID         NUMBER(15)           NOT NULL,
    PAYMENT_SCHEDULE_ID     NUMBER(15)           NOT NULL,
    CUST_ACCOUNT_ID         NUMBER(15)           NOT NULL,
    PORTAL_ACCOUNT_ID       NUMBER(15)           NOT NULL,
    TRX_NUMBER              VARCHAR2(30 CHAR)    NOT NULL,
    PORTAL_INVOICE_NUMBER   VARCHAR2(50 CHAR)    NOT NULL,
    STATUS                  VARCHAR2(20 CHAR)    NOT NULL,
    ATTEMPTS                INTEGER              NOT NULL,
    NEXT_ATTEMPT_AT         TIMESTAMP WITH TIME ZONE,
    LEASE_OWNER             VARCHAR2(200 CHAR),
    LEASE_TOKEN             VARCHAR2(64 CHAR),
    LEASE_EXPIRES_AT        TIMESTAMP WITH TIME ZONE,
    PORTAL_REFERENCE        VARCHAR2(100 CHAR),
    PORTAL_STATUS           VARCHAR2(30 CHAR),
    PORTAL_STATUS_AT        TIMESTAMP WITH TIME ZONE,
    PORTAL_STATUS_REASON    VARCHAR2(2000 CHAR),
    PROJECTED_PAY_DATE      DATE,
    PAYMENT_DATE            DATE,
    PAYMENT_REFERENCE       VARCHAR2(100 CHAR),
    LAST_ERROR_CODE         VARCHAR2(30 CHAR),
    LAST_ERROR_TEXT         VARCHAR2(2000 CHAR),
    ARTIFACT_PATH           VARCHAR2(1000 CHAR),
    RESUBMIT_COUNT          INTEGER              NOT NULL,
    ENQUEUED_AT             TIMESTAMP WITH TIME ZONE NOT NULL,
    SUBMITTED_AT            TIMESTAMP WITH TIME ZONE,
    SUBMIT_STARTED_AT       TIMESTAMP WITH TIME ZONE,
    NEXT_STATUS_CHECK_AT    TIMESTAMP WITH TIME ZONE,
    ORG_ID                  NUMBER(15)           NOT NULL,
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT XX_ARW_SUBMISSIONS_PK PRIMARY KEY (SUBMISSION_ID),
    CONSTRAINT XX_ARW_SUBMISSIONS_U1 UNIQUE (CUSTOMER_TRX_ID, PORTAL_ACCOUNT_ID),
    CONSTRAINT XX_ARW_SUBMISSIONS_F1 FOREIGN KEY (PORTAL_ACCOUNT_ID)
        REFERENCES XX_ARW_PORTAL_ACCOUNTS (PORTAL_ACCOUNT_ID)
);

CREATE INDEX XX_ARW_SUBMISSIONS_N1 ON XX_ARW_SUBMISSIONS (STATUS, NEXT_ATTEMPT_AT);
CREATE INDEX XX_ARW_SUBMISSIONS_N2 ON XX_ARW_SUBMISSIONS (LEASE_TOKEN);
CREATE INDEX XX_ARW_SUBMISSIONS_N3 ON XX_ARW_SUBMISSIONS (CUST_ACCOUNT_ID);
CREATE INDEX XX_ARW_SUBMISSIONS_N4
    ON XX_ARW_SUBMISSIONS (STATUS, PORTAL_STATUS, SUBMITTED_AT, ORG_ID);
CREATE INDEX XX_ARW_SUBMISSIONS_N5 ON XX_ARW_SUBMISSIONS (PORTAL_ACCOUNT_ID, STATUS);
CREATE INDEX XX_ARW_SUBMISSIONS_N6
    ON XX_ARW_SUBMISSIONS (PORTAL_ACCOUNT_ID, STATUS, NEXT_STATUS_CHECK_AT);

COMMENT ON TABLE XX_ARW_SUBMISSIONS IS
    'arworker: one row per invoice and portal account; work queue, outbox and audit head';
COMMENT ON COLUMN XX_ARW_SUBMISSIONS.STATUS IS
    'PENDING, IN_PROGRESS, SUBMITTED, REJECTED, FAILED or UNCERTAIN';
COMMENT ON COLUMN XX_ARW_SUBMISSIONS.PAYMENT_SCHEDULE_ID IS
    'AR_PAYMENT_SCHEDULES_ALL id; the IEX_INVOICES note context carries it';
COMMENT ON COLUMN XX_ARW_SUBMISSIONS.LEASE_OWNER IS
    'host:pid:process start time of the worker holding the claim';
COMMENT ON COLUMN XX_ARW_SUBMISSIONS.NEXT_STATUS_CHECK_AT IS
    'When the portal verdict is next worth reading (poll by need); NULL: at the next status pass';
COMMENT ON COLUMN XX_ARW_SUBMISSIONS.SUBMIT_STARTED_AT IS
    'Set when a worker proved its lease just before the submit click; such an item is looked up on the portal before any later upload';

PROMPT XX_ARW_EVENTS: append-only history of every transition

CREATE TABLE XX_ARW_EVENTS (
    EVENT_ID                NUMBER(15)           NOT NULL,
    SUBMISSION_ID           NUMBER(15),
    CUST_ACCOUNT_ID         NUMBER(15),
    EVENT_TYPE              VARCHAR2(30 CHAR)    NOT NULL,
    FROM_STATUS             VARCHAR2(20 CHAR),
    TO_STATUS               VARCHAR2(20 CHAR),
    DETAIL                  VARCHAR2(2000 CHAR),
    OUTCOME_UID             VARCHAR2(64 CHAR),
    RUN_ID                  VARCHAR2(64 CHAR),
    JTF_NOTE_ID             NUMBER(15),
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT XX_ARW_EVENTS_PK PRIMARY KEY (EVENT_ID),
    CONSTRAINT XX_ARW_EVENTS_U1 UNIQUE (OUTCOME_UID)
);

CREATE INDEX XX_ARW_EVENTS_N1 ON XX_ARW_EVENTS (SUBMISSION_ID);

COMMENT ON TABLE XX_ARW_EVENTS IS
    'arworker: append-only history of submission transitions; JTF_NOTE_ID links the note written';

PROMPT XX_ARW_RESYNC_REQUESTS: collector-triggered resyncs

CREATE TABLE XX_ARW_RESYNC_REQUESTS (
    REQUEST_ID              NUMBER(15)           NOT NULL,
    ACCOUNT_NUMBER          VARCHAR2(30 CHAR)    NOT NULL,
    REQUESTED_BY            VARCHAR2(100 CHAR),
    STATUS                  VARCHAR2(20 CHAR)    NOT NULL,
    REQUESTED_AT            TIMESTAMP WITH TIME ZONE NOT NULL,
    STARTED_AT              TIMESTAMP WITH TIME ZONE,
    FINISHED_AT             TIMESTAMP WITH TIME ZONE,
    WORKER_NAME             VARCHAR2(200 CHAR),
    RESULT_TEXT             VARCHAR2(2000 CHAR),
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT XX_ARW_RESYNC_REQUESTS_PK PRIMARY KEY (REQUEST_ID)
);

CREATE INDEX XX_ARW_RESYNC_REQUESTS_N1 ON XX_ARW_RESYNC_REQUESTS (STATUS);

COMMENT ON TABLE XX_ARW_RESYNC_REQUESTS IS
    'arworker: resync requests (a button, a PL/SQL call or the CLI inserts; the worker picks up)';

PROMPT XX_ARW_JOB_RUNS: one row per job run

CREATE TABLE XX_ARW_JOB_RUNS (
    JOB_RUN_ID              NUMBER(15)           NOT NULL,
    RUN_ID                  VARCHAR2(64 CHAR)    NOT NULL,
    JOB_NAME                VARCHAR2(30 CHAR)    NOT NULL,
    SCHEDULED_FOR           TIMESTAMP WITH TIME ZONE NOT NULL,
    STARTED_AT              TIMESTAMP WITH TIME ZONE NOT NULL,
    FINISHED_AT             TIMESTAMP WITH TIME ZONE,
    STATUS                  VARCHAR2(20 CHAR)    NOT NULL,
    WORKER_NAME             VARCHAR2(200 CHAR),
    ENQUEUED_COUNT          INTEGER,
    SUBMITTED_COUNT         INTEGER,
    ALREADY_COUNT           INTEGER,
    REJECTED_COUNT          INTEGER,
    FAILED_COUNT            INTEGER,
    NOTES_COUNT             INTEGER,
    SUMMARY_TEXT            VARCHAR2(2000 CHAR),
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT XX_ARW_JOB_RUNS_PK PRIMARY KEY (JOB_RUN_ID),
    CONSTRAINT XX_ARW_JOB_RUNS_U2 UNIQUE (RUN_ID)
);

-- (job name, scheduled time) is unique so that a fleet of workers runs each nightly once.
-- SCHEDULED_FOR is TIMESTAMP WITH TIME ZONE, which a UNIQUE constraint refuses (ORA-02329);
-- a unique index is allowed (Oracle indexes SYS_EXTRACT_UTC of it) and raises the same ORA-00001.
CREATE UNIQUE INDEX XX_ARW_JOB_RUNS_U1 ON XX_ARW_JOB_RUNS (JOB_NAME, SCHEDULED_FOR);

COMMENT ON TABLE XX_ARW_JOB_RUNS IS
    'arworker: one row per job run, with its counts; unique per job and scheduled time';

PROMPT XX_ARW_PORTAL_PAUSES: paused portal logins, paused portals, outage breakers

CREATE TABLE XX_ARW_PORTAL_PAUSES (
    PAUSE_ID                NUMBER(15)           NOT NULL,
    PAUSE_KEY               VARCHAR2(64 CHAR)    NOT NULL,
    PAUSE_SEQ               INTEGER              NOT NULL,
    PAUSE_KIND              VARCHAR2(10 CHAR)    NOT NULL,
    PORTAL_CODE             VARCHAR2(30 CHAR)    NOT NULL,
    PORTAL_URL              VARCHAR2(1000 CHAR),
    LOGIN_NAME              VARCHAR2(240 CHAR),
    SECRET_FINGERPRINT      VARCHAR2(200 CHAR),
    REASON                  VARCHAR2(2000 CHAR),
    ERROR_CODE              VARCHAR2(30 CHAR),
    PAUSED_AT               TIMESTAMP WITH TIME ZONE NOT NULL,
    PAUSED_UNTIL            TIMESTAMP WITH TIME ZONE,
    PROBE_AFTER             TIMESTAMP WITH TIME ZONE,
    TRIP_COUNT              INTEGER              NOT NULL,
    RESUMED_AT              TIMESTAMP WITH TIME ZONE,
    RESUMED_BY              VARCHAR2(100 CHAR),
    RESUME_REASON           VARCHAR2(2000 CHAR),
    WORKER_NAME             VARCHAR2(200 CHAR),
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT XX_ARW_PORTAL_PAUSES_PK PRIMARY KEY (PAUSE_ID),
    CONSTRAINT XX_ARW_PORTAL_PAUSES_U1 UNIQUE (PAUSE_KEY, PAUSE_SEQ),
    CONSTRAINT XX_ARW_PORTAL_PAUSES_C1 CHECK (PAUSE_KIND IN ('LOGIN', 'PORTAL', 'OUTAGE'))
);

CREATE INDEX XX_ARW_PORTAL_PAUSES_N1 ON XX_ARW_PORTAL_PAUSES (RESUMED_AT);

COMMENT ON TABLE XX_ARW_PORTAL_PAUSES IS
    'arworker: paused portal logins (refused login), paused portals (pages changed) and outage breakers, shared by every worker';
COMMENT ON COLUMN XX_ARW_PORTAL_PAUSES.SECRET_FINGERPRINT IS
    'Salted scrypt of the secret the refused login used (never the secret): a changed secret resumes the login';

PROMPT XX_ARW_DELIVERIES: one row per report e-mail (report, period, recipient), sent at most once

CREATE TABLE XX_ARW_DELIVERIES (
    DELIVERY_ID             NUMBER(15)           NOT NULL,
    REPORT_NAME             VARCHAR2(30 CHAR)    NOT NULL,
    PERIOD_KEY              VARCHAR2(30 CHAR)    NOT NULL,
    RECIPIENT               VARCHAR2(320 CHAR)   NOT NULL,
    COLLECTOR_ID            NUMBER(15),
    SUBJECT                 VARCHAR2(240 CHAR)   NOT NULL,
    MESSAGE_ID              VARCHAR2(250 CHAR)   NOT NULL,
    MESSAGE_PATH            VARCHAR2(1000 CHAR)  NOT NULL,
    STATUS                  VARCHAR2(20 CHAR)    NOT NULL,
    ATTEMPTS                INTEGER              NOT NULL,
    NEXT_ATTEMPT_AT         TIMESTAMP WITH TIME ZONE,
    LEASE_TOKEN             VARCHAR2(64 CHAR),
    LEASE_EXPIRES_AT        TIMESTAMP WITH TIME ZONE,
    LAST_ERROR              VARCHAR2(2000 CHAR),
    SENT_AT                 TIMESTAMP WITH TIME ZONE,
    SERVER_REPLY            VARCHAR2(500 CHAR),
    RUN_ID                  VARCHAR2(64 CHAR),
    REQUEUED_BY             VARCHAR2(100 CHAR),
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT XX_ARW_DELIVERIES_PK PRIMARY KEY (DELIVERY_ID),
    CONSTRAINT XX_ARW_DELIVERIES_U1 UNIQUE (REPORT_NAME, PERIOD_KEY, RECIPIENT),
    CONSTRAINT XX_ARW_DELIVERIES_U2 UNIQUE (MESSAGE_ID)
);

CREATE INDEX XX_ARW_DELIVERIES_N1 ON XX_ARW_DELIVERIES (STATUS, NEXT_ATTEMPT_AT);

COMMENT ON TABLE XX_ARW_DELIVERIES IS
    'arworker: report e-mails; unique per report, period and recipient so none is sent twice';

PROMPT XX_ARW_ACTION_REQUESTS: workspace actions (retry, submit now, test login) for any worker

CREATE TABLE XX_ARW_ACTION_REQUESTS (
    REQUEST_ID              NUMBER(15)           NOT NULL,
    ACTION_CODE             VARCHAR2(30 CHAR)    NOT NULL,
    SUBMISSION_ID           NUMBER(15),
    PORTAL_ACCOUNT_ID       NUMBER(15),
    CUST_ACCOUNT_ID         NUMBER(15),
    REQUESTED_BY            VARCHAR2(100 CHAR)   NOT NULL,
    REASON                  VARCHAR2(2000 CHAR),
    STATUS                  VARCHAR2(20 CHAR)    NOT NULL,
    REQUESTED_AT            TIMESTAMP WITH TIME ZONE NOT NULL,
    STARTED_AT              TIMESTAMP WITH TIME ZONE,
    FINISHED_AT             TIMESTAMP WITH TIME ZONE,
    WORKER_NAME             VARCHAR2(200 CHAR),
    RESULT_TEXT             VARCHAR2(2000 CHAR),
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT XX_ARW_ACTION_REQUESTS_PK PRIMARY KEY (REQUEST_ID),
    CONSTRAINT XX_ARW_ACTION_REQUESTS_C1
        CHECK (ACTION_CODE IN ('RETRY', 'SUBMIT_NOW', 'TEST_LOGIN'))
);

CREATE INDEX XX_ARW_ACTION_REQUESTS_N1 ON XX_ARW_ACTION_REQUESTS (STATUS);
CREATE INDEX XX_ARW_ACTION_REQUESTS_N2 ON XX_ARW_ACTION_REQUESTS (PORTAL_ACCOUNT_ID);
CREATE INDEX XX_ARW_ACTION_REQUESTS_N3 ON XX_ARW_ACTION_REQUESTS (SUBMISSION_ID);

COMMENT ON TABLE XX_ARW_ACTION_REQUESTS IS
    'arworker: actions asked for in the collector workspace; whichever worker claims one runs it';

PROMPT XX_ARW_AUDIT_LOG: append-only audit trail of every workspace and CLI action

CREATE TABLE XX_ARW_AUDIT_LOG (
    AUDIT_ID                NUMBER(15)           NOT NULL,
    ACTED_AT                TIMESTAMP WITH TIME ZONE NOT NULL,
    ACTOR                   VARCHAR2(100 CHAR)   NOT NULL,
    ACTOR_ROLE              VARCHAR2(20 CHAR)    NOT NULL,
    CHANNEL                 VARCHAR2(10 CHAR)    NOT NULL,
    SOURCE_ADDRESS          VARCHAR2(100 CHAR),
    ACTION_CODE             VARCHAR2(30 CHAR)    NOT NULL,
    TARGET_KIND             VARCHAR2(30 CHAR)    NOT NULL,
    TARGET_REF              VARCHAR2(100 CHAR),
    REASON                  VARCHAR2(2000 CHAR),
    DETAIL                  VARCHAR2(2000 CHAR),
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT XX_ARW_AUDIT_LOG_PK PRIMARY KEY (AUDIT_ID)
);

CREATE INDEX XX_ARW_AUDIT_LOG_N1 ON XX_ARW_AUDIT_LOG (TARGET_KIND, TARGET_REF);
CREATE INDEX XX_ARW_AUDIT_LOG_N2 ON XX_ARW_AUDIT_LOG (ACTED_AT);

COMMENT ON TABLE XX_ARW_AUDIT_LOG IS
    'arworker: who did what, when, from where and why (append-only; grants.sql allows no UPDATE)';

PROMPT XX_ARW_WEB_USERS: users of the collector workspace and their roles

CREATE TABLE XX_ARW_WEB_USERS (
    USER_ID                 NUMBER(15)           NOT NULL,
    USER_NAME               VARCHAR2(100 CHAR)   NOT NULL,
    DISPLAY_NAME            VARCHAR2(240 CHAR),
    EMAIL_ADDRESS           VARCHAR2(240 CHAR),
    ROLE_CODE               VARCHAR2(20 CHAR)    NOT NULL,
    PASSWORD_HASH           VARCHAR2(200 CHAR),
    COLLECTOR_ID            NUMBER(15),
    ENABLED_FLAG            VARCHAR2(1 CHAR)     NOT NULL,
    LAST_LOGIN_AT           TIMESTAMP WITH TIME ZONE,
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT XX_ARW_WEB_USERS_PK PRIMARY KEY (USER_ID),
    CONSTRAINT XX_ARW_WEB_USERS_U1 UNIQUE (USER_NAME),
    CONSTRAINT XX_ARW_WEB_USERS_C1 CHECK (ENABLED_FLAG IN ('Y', 'N')),
    CONSTRAINT XX_ARW_WEB_USERS_C2 CHECK (ROLE_CODE IN ('VIEWER', 'COLLECTOR', 'ADMIN'))
);

COMMENT ON COLUMN XX_ARW_WEB_USERS.PASSWORD_HASH IS
    'argon2id hash (auth mode basic); NULL for users who sign in through the SSO proxy';
COMMENT ON COLUMN XX_ARW_WEB_USERS.COLLECTOR_ID IS
    'AR_COLLECTORS.COLLECTOR_ID: the user''s "my worklist" follows HZ_CUSTOMER_PROFILES';

PROMPT XX_ARW_API_TOKENS: API tokens for scripts (hashed; the token itself is never stored)

CREATE TABLE XX_ARW_API_TOKENS (
    TOKEN_ID                NUMBER(15)           NOT NULL,
    TOKEN_HASH              VARCHAR2(64 CHAR)    NOT NULL,
    TOKEN_HINT              VARCHAR2(16 CHAR)    NOT NULL,
    LABEL                   VARCHAR2(240 CHAR),
    USER_NAME               VARCHAR2(100 CHAR)   NOT NULL,
    ROLE_CODE               VARCHAR2(20 CHAR)    NOT NULL,
    EXPIRES_AT              TIMESTAMP WITH TIME ZONE,
    LAST_USED_AT            TIMESTAMP WITH TIME ZONE,
    REVOKED_AT              TIMESTAMP WITH TIME ZONE,
    REVOKED_BY              VARCHAR2(100 CHAR),
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT XX_ARW_API_TOKENS_PK PRIMARY KEY (TOKEN_ID),
    CONSTRAINT XX_ARW_API_TOKENS_U1 UNIQUE (TOKEN_HASH),
    CONSTRAINT XX_ARW_API_TOKENS_C1 CHECK (ROLE_CODE IN ('VIEWER', 'COLLECTOR', 'ADMIN'))
);

COMMENT ON COLUMN XX_ARW_API_TOKENS.TOKEN_HASH IS
    'SHA-256 of the token (hex); the token is shown once, when it is created';

-- ---------------------------------------------------------------------------------------------
-- EBS 12.2 only (online patching, edition-based redefinition). Optional; run as APPS after this
-- script, replacing XXARW by the schema that owns the tables. Each call creates the editioning
-- view <TABLE># and the APPS synonym; code must then use the synonym (MOS Doc 1577661.1).
-- Sequences are not covered by AD_ZD_TABLE: grant them to APPS and create APPS synonyms for
-- them as your site's custom-object standard says.
--
-- EXEC AD_ZD_TABLE.UPGRADE('XXARW', 'XX_ARW_PORTAL_ACCOUNTS')
-- EXEC AD_ZD_TABLE.UPGRADE('XXARW', 'XX_ARW_SUBMISSIONS')
-- EXEC AD_ZD_TABLE.UPGRADE('XXARW', 'XX_ARW_EVENTS')
-- EXEC AD_ZD_TABLE.UPGRADE('XXARW', 'XX_ARW_RESYNC_REQUESTS')
-- EXEC AD_ZD_TABLE.UPGRADE('XXARW', 'XX_ARW_JOB_RUNS')
-- EXEC AD_ZD_TABLE.UPGRADE('XXARW', 'XX_ARW_PORTAL_PAUSES')
-- EXEC AD_ZD_TABLE.UPGRADE('XXARW', 'XX_ARW_DELIVERIES')
-- EXEC AD_ZD_TABLE.UPGRADE('XXARW', 'XX_ARW_ACTION_REQUESTS')
-- EXEC AD_ZD_TABLE.UPGRADE('XXARW', 'XX_ARW_AUDIT_LOG')
-- EXEC AD_ZD_TABLE.UPGRADE('XXARW', 'XX_ARW_WEB_USERS')
-- EXEC AD_ZD_TABLE.UPGRADE('XXARW', 'XX_ARW_API_TOKENS')
-- ---------------------------------------------------------------------------------------------

PROMPT arworker tables installed; next, as a DBA: grants.sql
