-- =============================================================================================
-- arworker: remove the worker's own objects (XX_ARW_*) created by install.sql
--
-- Run as the schema that owns them (the one install.sql ran in):
--     sqlplus XXARW@EBSDB @uninstall.sql
-- It drops the worker's queue, history and job runs for good (PURGE skips the recycle bin):
-- export XX_ARW_SUBMISSIONS and XX_ARW_EVENTS first if the audit trail must be kept. Notes the
-- worker wrote into JTF_NOTES_* belong to EBS and stay. A missing object is reported and
-- skipped, so the script can be run again after a partial install.
--
-- On EBS 12.2, if AD_ZD_TABLE.UPGRADE was run, drop the APPS synonyms and editioning views
-- (XX_ARW_...#) first, as APPS, the way your site retires custom objects.
-- Then revoke what grants.sql granted (see the end of grants.sql) if the worker's login stays.
-- =============================================================================================

WHENEVER SQLERROR CONTINUE
SET ECHO ON

PROMPT tables (children first)

DROP TABLE XX_ARW_SUBMISSIONS CASCADE CONSTRAINTS PURGE;
DROP TABLE XX_ARW_PORTAL_ACCOUNTS CASCADE CONSTRAINTS PURGE;
DROP TABLE XX_ARW_EVENTS CASCADE CONSTRAINTS PURGE;
DROP TABLE XX_ARW_RESYNC_REQUESTS CASCADE CONSTRAINTS PURGE;
DROP TABLE XX_ARW_JOB_RUNS CASCADE CONSTRAINTS PURGE;
DROP TABLE XX_ARW_PORTAL_PAUSES CASCADE CONSTRAINTS PURGE;
DROP TABLE XX_ARW_DELIVERIES CASCADE CONSTRAINTS PURGE;
DROP TABLE XX_ARW_ACTION_REQUESTS CASCADE CONSTRAINTS PURGE;
DROP TABLE XX_ARW_AUDIT_LOG CASCADE CONSTRAINTS PURGE;
DROP TABLE XX_ARW_WEB_USERS CASCADE CONSTRAINTS PURGE;
DROP TABLE XX_ARW_API_TOKENS CASCADE CONSTRAINTS PURGE;

PROMPT sequences

DROP SEQUENCE XX_ARW_PORTAL_ACCOUNTS_S;
DROP SEQUENCE XX_ARW_SUBMISSIONS_S;
DROP SEQUENCE XX_ARW_EVENTS_S;
DROP SEQUENCE XX_ARW_RESYNC_REQUESTS_S;
DROP SEQUENCE XX_ARW_JOB_RUNS_S;
DROP SEQUENCE XX_ARW_PORTAL_PAUSES_S;
DROP SEQUENCE XX_ARW_DELIVERIES_S;
DROP SEQUENCE XX_ARW_ACTION_REQUESTS_S;
DROP SEQUENCE XX_ARW_AUDIT_LOG_S;
DROP SEQUENCE XX_ARW_WEB_USERS_S;
DROP SEQUENCE XX_ARW_API_TOKENS_S;

PROMPT arworker objects removed
