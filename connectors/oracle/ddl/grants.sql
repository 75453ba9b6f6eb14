-- =============================================================================================
-- arworker: the least privilege the worker's database login needs
--
-- Run as a DBA (SYSTEM, or a user with GRANT ANY OBJECT PRIVILEGE and CREATE ANY SYNONYM),
-- after install.sql:
--     sqlplus SYSTEM@EBSDB @grants.sql
-- SQL*Plus asks for each substitution variable once; or define them first, for example:
--     DEFINE worker_user = XXARW_APP     -- the login arworker connects as
--     DEFINE arw_owner   = XXARW         -- the schema install.sql ran in
--     DEFINE ar_schema   = AR            -- owner of HZ_*, RA_*, AR_* tables (AR_COLLECTORS too)
--     DEFINE iex_schema  = IEX           -- owner of IEX_DELINQUENCIES_ALL
--     DEFINE gl_schema   = GL            -- owner of GL_LEDGERS (the ledger currency, for reports)
--     DEFINE fnd_schema  = APPLSYS       -- owner of FND_LOBS, FND_DOCUMENTS, FND_ATTACHED_DOCUMENTS
--     DEFINE jtf_schema  = JTF           -- owner of JTF_NOTES_B/_TL, JTF_NOTE_CONTEXTS, JTF_NOTES_S
--     DEFINE apps_schema = APPS          -- owner of JTF_NOTES_PUB and FND_MSG_PUB (api notes mode)
--
-- What the worker does with each grant:
--   reads open AR, invoices, customers, collectors, delinquencies, PDFs   SELECT, EBS objects
--   reads aging buckets, applications and ledger currencies (reports)     SELECT, EBS objects
--   writes collection notes, notes_mode = 'table' (the default)          INSERT, JTF_NOTES_*
--   writes collection notes, notes_mode = 'api'                         EXECUTE, JTF_NOTES_PUB
--   keeps its queue, history, job runs, enrolments, report e-mails        DML, XX_ARW_* only
-- It never updates or deletes an EBS row. Private synonyms in the worker's schema let it name
-- every object unqualified, as the code does. The worker's login creates no objects.
-- =============================================================================================

WHENEVER SQLERROR EXIT FAILURE
SET VERIFY OFF

PROMPT the worker login may connect

GRANT CREATE SESSION TO &&worker_user;

PROMPT 1. EBS sources, read only

GRANT SELECT ON &&ar_schema..HZ_PARTIES TO &&worker_user;
GRANT SELECT ON &&ar_schema..HZ_CUST_ACCOUNTS TO &&worker_user;
GRANT SELECT ON &&ar_schema..RA_CUSTOMER_TRX_ALL TO &&worker_user;
GRANT SELECT ON &&ar_schema..RA_CUSTOMER_TRX_LINES_ALL TO &&worker_user;
GRANT SELECT ON &&ar_schema..AR_PAYMENT_SCHEDULES_ALL TO &&worker_user;
GRANT SELECT ON &&iex_schema..IEX_DELINQUENCIES_ALL TO &&worker_user;
GRANT SELECT ON &&ar_schema..AR_COLLECTORS TO &&worker_user;
GRANT SELECT ON &&ar_schema..HZ_CUSTOMER_PROFILES TO &&worker_user;
GRANT SELECT ON &&ar_schema..AR_AGING_BUCKETS TO &&worker_user;
GRANT SELECT ON &&ar_schema..AR_AGING_BUCKET_LINES TO &&worker_user;
GRANT SELECT ON &&ar_schema..AR_RECEIVABLE_APPLICATIONS_ALL TO &&worker_user;
GRANT SELECT ON &&ar_schema..AR_SYSTEM_PARAMETERS_ALL TO &&worker_user;
GRANT SELECT ON &&gl_schema..GL_LEDGERS TO &&worker_user;
GRANT SELECT ON &&fnd_schema..FND_ATTACHED_DOCUMENTS TO &&worker_user;
GRANT SELECT ON &&fnd_schema..FND_DOCUMENTS TO &&worker_user;
GRANT SELECT ON &&fnd_schema..FND_LOBS TO &&worker_user;

PROMPT 2. collection notes, table mode: insert the three rows; SELECT to read notes back

GRANT SELECT ON &&jtf_schema..JTF_NOTES_S TO &&worker_user;
GRANT SELECT, INSERT ON &&jtf_schema..JTF_NOTES_B TO &&worker_user;
GRANT SELECT, INSERT ON &&jtf_schema..JTF_NOTES_TL TO &&worker_user;
GRANT SELECT, INSERT ON &&jtf_schema..JTF_NOTE_CONTEXTS TO &&worker_user;

PROMPT 3. collection notes, api mode: JTF_NOTES_PUB.CREATE_NOTE and its message stack

GRANT EXECUTE ON &&apps_schema..JTF_NOTES_PUB TO &&worker_user;
GRANT EXECUTE ON &&apps_schema..FND_MSG_PUB TO &&worker_user;

-- JTF_NOTES_PUB 120.9 is declared AUTHID CURRENT_USER: the SQL inside it runs with the
-- worker's privileges and resolves names in the worker's schema. Besides the table-mode grants
-- above it then reads the objects below (validation of the note type and of the source object).
-- The list is inferred from the package source, not from a live EBS: confirm it on a test
-- instance by writing one note in api mode, and uncomment what your release needs.
-- GRANT SELECT ON &&fnd_schema..FND_LOOKUP_VALUES TO &&worker_user;
-- GRANT SELECT ON &&fnd_schema..FND_LANGUAGES TO &&worker_user;
-- GRANT SELECT ON &&apps_schema..JTF_OBJECTS_VL TO &&worker_user;
-- GRANT SELECT ON &&jtf_schema..JTF_OBJECT_USAGES TO &&worker_user;
-- CREATE OR REPLACE SYNONYM &&worker_user..FND_LOOKUP_VALUES FOR &&fnd_schema..FND_LOOKUP_VALUES;
-- CREATE OR REPLACE SYNONYM &&worker_user..FND_LANGUAGES FOR &&fnd_schema..FND_LANGUAGES;
-- CREATE OR REPLACE SYNONYM &&worker_user..JTF_OBJECTS_VL FOR &&apps_schema..JTF_OBJECTS_VL;
-- CREATE OR REPLACE SYNONYM &&worker_user..JTF_OBJECT_USAGES FOR &&jtf_schema..JTF_OBJECT_USAGES;

PROMPT 4. the worker's own objects: no DELETE (the queue and its history are append/update only)

GRANT SELECT, INSERT, UPDATE ON &&arw_owner..XX_ARW_PORTAL_ACCOUNTS TO &&worker_user;
GRANT SELECT, INSERT, UPDATE ON &&arw_owner..XX_ARW_SUBMISSIONS TO &&worker_user;
GRANT SELECT, INSERT, UPDATE ON &&arw_owner..XX_ARW_EVENTS TO &&worker_user;
GRANT SELECT, INSERT, UPDATE ON &&arw_owner..XX_ARW_RESYNC_REQUESTS TO &&worker_user;
GRANT SELECT, INSERT, UPDATE ON &&arw_owner..XX_ARW_JOB_RUNS TO &&worker_user;
GRANT SELECT, INSERT, UPDATE ON &&arw_owner..XX_ARW_PORTAL_PAUSES TO &&worker_user;
GRANT SELECT, INSERT, UPDATE ON &&arw_owner..XX_ARW_DELIVERIES TO &&worker_user;
GRANT SELECT, INSERT, UPDATE ON &&arw_owner..XX_ARW_ACTION_REQUESTS TO &&worker_user;
-- the audit trail is append-only: no UPDATE
GRANT SELECT, INSERT ON &&arw_owner..XX_ARW_AUDIT_LOG TO &&worker_user;
GRANT SELECT, INSERT, UPDATE ON &&arw_owner..XX_ARW_WEB_USERS TO &&worker_user;
GRANT SELECT, INSERT, UPDATE ON &&arw_owner..XX_ARW_API_TOKENS TO &&worker_user;
GRANT SELECT ON &&arw_owner..XX_ARW_PORTAL_ACCOUNTS_S TO &&worker_user;
GRANT SELECT ON &&arw_owner..XX_ARW_SUBMISSIONS_S TO &&worker_user;
GRANT SELECT ON &&arw_owner..XX_ARW_EVENTS_S TO &&worker_user;
GRANT SELECT ON &&arw_owner..XX_ARW_RESYNC_REQUESTS_S TO &&worker_user;
GRANT SELECT ON &&arw_owner..XX_ARW_JOB_RUNS_S TO &&worker_user;
GRANT SELECT ON &&arw_owner..XX_ARW_PORTAL_PAUSES_S TO &&worker_user;
GRANT SELECT ON &&arw_owner..XX_ARW_DELIVERIES_S TO &&worker_user;
GRANT SELECT ON &&arw_owner..XX_ARW_ACTION_REQUESTS_S TO &&worker_user;
GRANT SELECT ON &&arw_owner..XX_ARW_AUDIT_LOG_S TO &&worker_user;
GRANT SELECT ON &&arw_owner..XX_ARW_WEB_USERS_S TO &&worker_user;
GRANT SELECT ON &&arw_owner..XX_ARW_API_TOKENS_S TO &&worker_user;

PROMPT 5. private synonyms: the worker names every object unqualified

CREATE OR REPLACE SYNONYM &&worker_user..HZ_PARTIES FOR &&ar_schema..HZ_PARTIES;
CREATE OR REPLACE SYNONYM &&worker_user..HZ_CUST_ACCOUNTS FOR &&ar_schema..HZ_CUST_ACCOUNTS;
CREATE OR REPLACE SYNONYM &&worker_user..RA_CUSTOMER_TRX_ALL FOR &&ar_schema..RA_CUSTOMER_TRX_ALL;
CREATE OR REPLACE SYNONYM &&worker_user..RA_CUSTOMER_TRX_LINES_ALL
    FOR &&ar_schema..RA_CUSTOMER_TRX_LINES_ALL;
CREATE OR REPLACE SYNONYM &&worker_user..AR_PAYMENT_SCHEDULES_ALL
    FOR &&ar_schema..AR_PAYMENT_SCHEDULES_ALL;
CREATE OR REPLACE SYNONYM &&worker_user..IEX_DELINQUENCIES_ALL
    FOR &&iex_schema..IEX_DELINQUENCIES_ALL;
CREATE OR REPLACE SYNONYM &&worker_user..AR_COLLECTORS FOR &&ar_schema..AR_COLLECTORS;
CREATE OR REPLACE SYNONYM &&worker_user..HZ_CUSTOMER_PROFILES
    FOR &&ar_schema..HZ_CUSTOMER_PROFILES;
CREATE OR REPLACE SYNONYM &&worker_user..AR_AGING_BUCKETS FOR &&ar_schema..AR_AGING_BUCKETS;
CREATE OR REPLACE SYNONYM &&worker_user..AR_AGING_BUCKET_LINES
    FOR &&ar_schema..AR_AGING_BUCKET_LINES;
CREATE OR REPLACE SYNONYM &&worker_user..AR_RECEIVABLE_APPLICATIONS_ALL
    FOR &&ar_schema..AR_RECEIVABLE_APPLICATIONS_ALL;
CREATE OR REPLACE SYNONYM &&worker_user..AR_SYSTEM_PARAMETERS_ALL
    FOR &&ar_schema..AR_SYSTEM_PARAMETERS_ALL;
CREATE OR REPLACE SYNONYM &&worker_user..GL_LEDGERS FOR &&gl_schema..GL_LEDGERS;
CREATE OR REPLACE SYNONYM &&worker_user..FND_ATTACHED_DOCUMENTS
    FOR &&fnd_schema..FND_ATTACHED_DOCUMENTS;
CREATE OR REPLACE SYNONYM &&worker_user..FND_DOCUMENTS FOR &&fnd_schema..FND_DOCUMENTS;
CREATE OR REPLACE SYNONYM &&worker_user..FND_LOBS FOR &&fnd_schema..FND_LOBS;
CREATE OR REPLACE SYNONYM &&worker_user..JTF_NOTES_S FOR &&jtf_schema..JTF_NOTES_S;
CREATE OR REPLACE SYNONYM &&worker_user..JTF_NOTES_B FOR &&jtf_schema..JTF_NOTES_B;
CREATE OR REPLACE SYNONYM &&worker_user..JTF_NOTES_TL FOR &&jtf_schema..JTF_NOTES_TL;
CREATE OR REPLACE SYNONYM &&worker_user..JTF_NOTE_CONTEXTS FOR &&jtf_schema..JTF_NOTE_CONTEXTS;
CREATE OR REPLACE SYNONYM &&worker_user..JTF_NOTES_PUB FOR &&apps_schema..JTF_NOTES_PUB;
CREATE OR REPLACE SYNONYM &&worker_user..FND_MSG_PUB FOR &&apps_schema..FND_MSG_PUB;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_PORTAL_ACCOUNTS
    FOR &&arw_owner..XX_ARW_PORTAL_ACCOUNTS;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_SUBMISSIONS FOR &&arw_owner..XX_ARW_SUBMISSIONS;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_EVENTS FOR &&arw_owner..XX_ARW_EVENTS;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_RESYNC_REQUESTS
    FOR &&arw_owner..XX_ARW_RESYNC_REQUESTS;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_JOB_RUNS FOR &&arw_owner..XX_ARW_JOB_RUNS;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_PORTAL_PAUSES FOR &&arw_owner..XX_ARW_PORTAL_PAUSES;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_DELIVERIES FOR &&arw_owner..XX_ARW_DELIVERIES;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_PORTAL_ACCOUNTS_S
    FOR &&arw_owner..XX_ARW_PORTAL_ACCOUNTS_S;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_SUBMISSIONS_S
    FOR &&arw_owner..XX_ARW_SUBMISSIONS_S;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_EVENTS_S FOR &&arw_owner..XX_ARW_EVENTS_S;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_RESYNC_REQUESTS_S
    FOR &&arw_owner..XX_ARW_RESYNC_REQUESTS_S;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_JOB_RUNS_S FOR &&arw_owner..XX_ARW_JOB_RUNS_S;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_PORTAL_PAUSES_S FOR &&arw_owner..XX_ARW_PORTAL_PAUSES_S;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_DELIVERIES_S FOR &&arw_owner..XX_ARW_DELIVERIES_S;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_ACTION_REQUESTS
    FOR &&arw_owner..XX_ARW_ACTION_REQUESTS;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_AUDIT_LOG FOR &&arw_owner..XX_ARW_AUDIT_LOG;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_WEB_USERS FOR &&arw_owner..XX_ARW_WEB_USERS;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_API_TOKENS FOR &&arw_owner..XX_ARW_API_TOKENS;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_ACTION_REQUESTS_S
    FOR &&arw_owner..XX_ARW_ACTION_REQUESTS_S;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_AUDIT_LOG_S FOR &&arw_owner..XX_ARW_AUDIT_LOG_S;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_WEB_USERS_S FOR &&arw_owner..XX_ARW_WEB_USERS_S;
CREATE OR REPLACE SYNONYM &&worker_user..XX_ARW_API_TOKENS_S
    FOR &&arw_owner..XX_ARW_API_TOKENS_S;

PROMPT grants done

-- ---------------------------------------------------------------------------------------------
-- To take it all back (the worker keeps no objects of its own): DROP USER &&worker_user CASCADE
-- drops its synonyms and grants with it. Or revoke one by one, for example:
-- REVOKE SELECT ON &&ar_schema..AR_PAYMENT_SCHEDULES_ALL FROM &&worker_user;
-- ---------------------------------------------------------------------------------------------
