-- =============================================================================================
-- arworker: an iCollections-style EBS stand-in for an empty Oracle Free / XE schema
--
-- NOT for an EBS database. It builds, in an empty schema of Oracle Database Free (or XE), the
-- simplified EBS source tables the worker reads and writes (the same stand-ins the embedded
-- SQLite default and the tests use, connectors/oracle/tables.py), the JTF_NOTES_S sequence,
-- and small stand-ins of the two APPS packages the 'api' notes mode calls:
--   FND_MSG_PUB    the message stack (INITIALIZE, ADD_EXC_MSG, COUNT_MSG, GET, COUNT_AND_GET)
--   JTF_NOTES_PUB  CREATE_NOTE with the real 12.x signature, minus P_ATTRIBUTE1..15; it
--                  validates, inserts JTF_NOTES_B, one JTF_NOTES_TL row ('US') and the contexts
--                  (the source object's own, then P_JTF_NOTE_CONTEXTS_TAB, without duplicates),
--                  and reports errors through FND_MSG_PUB like the real one.
-- So the whole product can be tried on a laptop:
--     docker compose up -d oracle            (compose.yaml at the repository root)
--     sqlplus arworker/<password>@//127.0.0.1:1521/FREEPDB1 @xe_seed.sql
--     sqlplus arworker/<password>@//127.0.0.1:1521/FREEPDB1 @install.sql
-- then point ARWORKER_DATABASE__URL at it (oracle+oracledb://arworker@127.0.0.1:1521/?service_name=FREEPDB1).
--
-- Differences from EBS worth knowing: dates the stand-in package writes are SYSTIMESTAMP (the
-- real API stores the DATEs it is given); the WHO and note date columns are TIMESTAMP WITH TIME
-- ZONE here, DATE in EBS; there is one TL row ('US'), not one per installed language; object
-- codes are checked against a fixed list, not JTF_OBJECTS; note types are not validated.
-- =============================================================================================

WHENEVER SQLERROR EXIT FAILURE
SET ECHO ON

PROMPT JTF_NOTES_S: note and note-context ids, as in EBS

CREATE SEQUENCE JTF_NOTES_S START WITH 1 INCREMENT BY 1 CACHE 20 NOCYCLE;

PROMPT TCA customers

CREATE TABLE HZ_PARTIES (
    PARTY_ID                NUMBER(15)           NOT NULL,
    PARTY_NUMBER            VARCHAR2(30 CHAR)    NOT NULL,
    PARTY_NAME              VARCHAR2(360 CHAR)   NOT NULL,
    PARTY_TYPE              VARCHAR2(30 CHAR)    NOT NULL,
    STATUS                  VARCHAR2(1 CHAR)     NOT NULL,
    TAX_REFERENCE           VARCHAR2(50 CHAR),
    COUNTRY                 VARCHAR2(60 CHAR),
    CONSTRAINT HZ_PARTIES_PK PRIMARY KEY (PARTY_ID)
);

CREATE TABLE HZ_CUST_ACCOUNTS (
    CUST_ACCOUNT_ID         NUMBER(15)           NOT NULL,
    PARTY_ID                NUMBER(15)           NOT NULL,
    ACCOUNT_NUMBER          VARCHAR2(30 CHAR)    NOT NULL,
    ACCOUNT_NAME            VARCHAR2(240 CHAR),
    STATUS                  VARCHAR2(1 CHAR)     NOT NULL,
    CUSTOMER_CLASS_CODE     VARCHAR2(30 CHAR),
    ORIG_SYSTEM_REFERENCE   VARCHAR2(240 CHAR)   NOT NULL,
    CONSTRAINT HZ_CUST_ACCOUNTS_PK PRIMARY KEY (CUST_ACCOUNT_ID),
    CONSTRAINT HZ_CUST_ACCOUNTS_U2 UNIQUE (ACCOUNT_NUMBER)
);

PROMPT Receivables transactions and payment schedules

CREATE TABLE RA_CUSTOMER_TRX_ALL (
    CUSTOMER_TRX_ID         NUMBER(15)           NOT NULL,
    TRX_NUMBER              VARCHAR2(20 CHAR)    NOT NULL,
    TRX_DATE                DATE                 NOT NULL,
    CUST_TRX_TYPE_ID        NUMBER(15)           NOT NULL,
    BILL_TO_CUSTOMER_ID     NUMBER(15),
    BILL_TO_SITE_USE_ID     NUMBER(15),
    TERM_ID                 NUMBER(15),
    TERM_DUE_DATE           DATE,
    PURCHASE_ORDER          VARCHAR2(50 CHAR),
    PURCHASE_ORDER_REVISION VARCHAR2(50 CHAR),
    PURCHASE_ORDER_DATE     DATE,
    CUSTOMER_REFERENCE      VARCHAR2(30 CHAR),
    COMMENTS                VARCHAR2(1760 CHAR),
    INVOICE_CURRENCY_CODE   VARCHAR2(15 CHAR)    NOT NULL,
    COMPLETE_FLAG           VARCHAR2(1 CHAR)     NOT NULL,
    STATUS_TRX              VARCHAR2(30 CHAR),
    ORG_ID                  NUMBER(15)           NOT NULL,
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT RA_CUSTOMER_TRX_ALL_PK PRIMARY KEY (CUSTOMER_TRX_ID)
);

CREATE INDEX RA_CUSTOMER_TRX_N1 ON RA_CUSTOMER_TRX_ALL (BILL_TO_CUSTOMER_ID);

CREATE TABLE RA_CUSTOMER_TRX_LINES_ALL (
    CUSTOMER_TRX_LINE_ID    NUMBER(15)           NOT NULL,
    CUSTOMER_TRX_ID         NUMBER(15)           NOT NULL,
    LINE_NUMBER             INTEGER              NOT NULL,
    LINE_TYPE               VARCHAR2(20 CHAR)    NOT NULL,
    DESCRIPTION             VARCHAR2(240 CHAR),
    UOM_CODE                VARCHAR2(3 CHAR),
    QUANTITY_INVOICED       NUMBER(18, 4),
    UNIT_SELLING_PRICE      NUMBER(18, 4),
    EXTENDED_AMOUNT         NUMBER(18, 2)        NOT NULL,
    TAX_RATE                NUMBER(9, 4),
    SALES_ORDER             VARCHAR2(50 CHAR),
    ORG_ID                  NUMBER(15)           NOT NULL,
    CONSTRAINT RA_CUSTOMER_TRX_LINES_PK PRIMARY KEY (CUSTOMER_TRX_LINE_ID)
);

CREATE INDEX RA_CUSTOMER_TRX_LINES_N1 ON RA_CUSTOMER_TRX_LINES_ALL (CUSTOMER_TRX_ID);

CREATE TABLE AR_PAYMENT_SCHEDULES_ALL (
    PAYMENT_SCHEDULE_ID     NUMBER(15)           NOT NULL,
    CUSTOMER_TRX_ID         NUMBER(15),
    CUSTOMER_ID             NUMBER(15)           NOT NULL,
    CUSTOMER_SITE_USE_ID    NUMBER(15),
    TRX_NUMBER              VARCHAR2(30 CHAR),
    TRX_DATE                DATE,
    DUE_DATE                DATE                 NOT NULL,
    AMOUNT_DUE_ORIGINAL     NUMBER(18, 2)        NOT NULL,
    AMOUNT_DUE_REMAINING    NUMBER(18, 2)        NOT NULL,
    AMOUNT_LINE_ITEMS_ORIGINAL NUMBER(18, 2),
    TAX_ORIGINAL            NUMBER(18, 2),
    AMOUNT_IN_DISPUTE       NUMBER(18, 2),
    INVOICE_CURRENCY_CODE   VARCHAR2(15 CHAR)    NOT NULL,
    STATUS                  VARCHAR2(30 CHAR)    NOT NULL,
    CLASS                   VARCHAR2(20 CHAR)    NOT NULL,
    TERMS_SEQUENCE_NUMBER   INTEGER,
    ORG_ID                  NUMBER(15)           NOT NULL,
    CONSTRAINT AR_PAYMENT_SCHEDULES_PK PRIMARY KEY (PAYMENT_SCHEDULE_ID)
);

CREATE INDEX AR_PAYMENT_SCHEDULES_N1 ON AR_PAYMENT_SCHEDULES_ALL (CUSTOMER_ID, STATUS);
CREATE INDEX AR_PAYMENT_SCHEDULES_N2 ON AR_PAYMENT_SCHEDULES_ALL (CUSTOMER_TRX_ID);

PROMPT Advanced Collections delinquencies

CREATE TABLE IEX_DELINQUENCIES_ALL (
    DELINQUENCY_ID          NUMBER(15)           NOT NULL,
    PARTY_CUST_ID           NUMBER(15),
    CUST_ACCOUNT_ID         NUMBER(15),
    CUSTOMER_SITE_USE_ID    NUMBER(15),
    TRANSACTION_ID          NUMBER(15),
    PAYMENT_SCHEDULE_ID     NUMBER(15),
    STATUS                  VARCHAR2(30 CHAR)    NOT NULL,
    AGING_BUCKET_LINE_ID    NUMBER(15),
    ORG_ID                  NUMBER(15),
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT IEX_DELINQUENCIES_PK PRIMARY KEY (DELINQUENCY_ID)
);

CREATE INDEX IEX_DELINQUENCIES_N1 ON IEX_DELINQUENCIES_ALL (PAYMENT_SCHEDULE_ID);

PROMPT Collectors, and the customer profiles that assign them to accounts

CREATE TABLE AR_COLLECTORS (
    COLLECTOR_ID            NUMBER(15)           NOT NULL,
    NAME                    VARCHAR2(30 CHAR)    NOT NULL,
    EMPLOYEE_ID             NUMBER(15),
    DESCRIPTION             VARCHAR2(240 CHAR),
    STATUS                  VARCHAR2(1 CHAR)     NOT NULL,
    EMAIL_ADDRESS           VARCHAR2(240 CHAR),
    INACTIVE_DATE           DATE,
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT AR_COLLECTORS_PK PRIMARY KEY (COLLECTOR_ID),
    CONSTRAINT AR_COLLECTORS_U1 UNIQUE (NAME)
);

-- SITE_USE_ID NULL: the account-level profile (the one whose collector owns the account)
CREATE TABLE HZ_CUSTOMER_PROFILES (
    CUST_ACCOUNT_PROFILE_ID NUMBER(15)           NOT NULL,
    CUST_ACCOUNT_ID         NUMBER(15)           NOT NULL,
    PARTY_ID                NUMBER(15)           NOT NULL,
    SITE_USE_ID             NUMBER(15),
    COLLECTOR_ID            NUMBER(15)           NOT NULL,
    STATUS                  VARCHAR2(1 CHAR)     NOT NULL,
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT HZ_CUSTOMER_PROFILES_PK PRIMARY KEY (CUST_ACCOUNT_PROFILE_ID)
);

CREATE INDEX HZ_CUSTOMER_PROFILES_N1 ON HZ_CUSTOMER_PROFILES (CUST_ACCOUNT_ID, SITE_USE_ID);
CREATE INDEX HZ_CUSTOMER_PROFILES_N2 ON HZ_CUSTOMER_PROFILES (COLLECTOR_ID);

PROMPT Attachments: invoice PDFs

CREATE TABLE FND_LOBS (
    FILE_ID                 NUMBER(15)           NOT NULL,
    FILE_NAME               VARCHAR2(256 CHAR),
    FILE_CONTENT_TYPE       VARCHAR2(256 CHAR)   NOT NULL,
    FILE_DATA               BLOB,
    UPLOAD_DATE             TIMESTAMP WITH TIME ZONE,
    EXPIRATION_DATE         TIMESTAMP WITH TIME ZONE,
    PROGRAM_NAME            VARCHAR2(32 CHAR),
    LANGUAGE                VARCHAR2(4 CHAR),
    FILE_FORMAT             VARCHAR2(10 CHAR),
    CONSTRAINT FND_LOBS_PK PRIMARY KEY (FILE_ID)
);

CREATE TABLE FND_DOCUMENTS (
    DOCUMENT_ID             NUMBER(15)           NOT NULL,
    DATATYPE_ID             NUMBER(15)           NOT NULL,
    CATEGORY_ID             NUMBER(15)           NOT NULL,
    SECURITY_TYPE           INTEGER              NOT NULL,
    PUBLISH_FLAG            VARCHAR2(1 CHAR)     NOT NULL,
    USAGE_TYPE              VARCHAR2(1 CHAR)     NOT NULL,
    MEDIA_ID                NUMBER(15),
    FILE_NAME               VARCHAR2(2048 CHAR),
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT FND_DOCUMENTS_PK PRIMARY KEY (DOCUMENT_ID)
);

CREATE TABLE FND_ATTACHED_DOCUMENTS (
    ATTACHED_DOCUMENT_ID    NUMBER(15)           NOT NULL,
    DOCUMENT_ID             NUMBER(15)           NOT NULL,
    ENTITY_NAME             VARCHAR2(40 CHAR)    NOT NULL,
    PK1_VALUE               VARCHAR2(100 CHAR),
    SEQ_NUM                 INTEGER              NOT NULL,
    AUTOMATICALLY_ADDED_FLAG VARCHAR2(1 CHAR)    NOT NULL,
    CATEGORY_ID             NUMBER(15),
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT FND_ATTACHED_DOCUMENTS_PK PRIMARY KEY (ATTACHED_DOCUMENT_ID)
);

CREATE INDEX FND_ATTACHED_DOCUMENTS_N1 ON FND_ATTACHED_DOCUMENTS (ENTITY_NAME, PK1_VALUE);

PROMPT Collection notes

CREATE TABLE JTF_NOTES_B (
    JTF_NOTE_ID             NUMBER(15)           NOT NULL,
    PARENT_NOTE_ID          NUMBER(15),
    SOURCE_OBJECT_CODE      VARCHAR2(240 CHAR)   NOT NULL,
    SOURCE_OBJECT_ID        NUMBER(15)           NOT NULL,
    NOTE_STATUS             VARCHAR2(1 CHAR)     NOT NULL,
    NOTE_TYPE               VARCHAR2(240 CHAR),
    ENTERED_BY              NUMBER(15)           NOT NULL,
    ENTERED_DATE            TIMESTAMP WITH TIME ZONE NOT NULL,
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT JTF_NOTES_B_PK PRIMARY KEY (JTF_NOTE_ID)
);

CREATE INDEX JTF_NOTES_B_N1 ON JTF_NOTES_B (SOURCE_OBJECT_CODE, SOURCE_OBJECT_ID);

CREATE TABLE JTF_NOTES_TL (
    JTF_NOTE_ID             NUMBER(15)           NOT NULL,
    LANGUAGE                VARCHAR2(4 CHAR)     NOT NULL,
    SOURCE_LANG             VARCHAR2(4 CHAR)     NOT NULL,
    NOTES                   VARCHAR2(2000 CHAR)  NOT NULL,
    NOTES_DETAIL            CLOB,
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT JTF_NOTES_TL_PK PRIMARY KEY (JTF_NOTE_ID, LANGUAGE)
);

CREATE TABLE JTF_NOTE_CONTEXTS (
    NOTE_CONTEXT_ID         NUMBER(15)           NOT NULL,
    JTF_NOTE_ID             NUMBER(15)           NOT NULL,
    NOTE_CONTEXT_TYPE       VARCHAR2(240 CHAR)   NOT NULL,
    NOTE_CONTEXT_TYPE_ID    NUMBER(15)           NOT NULL,
    CREATED_BY              NUMBER(15)           NOT NULL,
    CREATION_DATE           TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATED_BY         NUMBER(15)           NOT NULL,
    LAST_UPDATE_DATE        TIMESTAMP WITH TIME ZONE NOT NULL,
    LAST_UPDATE_LOGIN       NUMBER(15),
    CONSTRAINT JTF_NOTE_CONTEXTS_PK PRIMARY KEY (NOTE_CONTEXT_ID)
);

CREATE INDEX JTF_NOTE_CONTEXTS_N1 ON JTF_NOTE_CONTEXTS (JTF_NOTE_ID);
CREATE INDEX JTF_NOTE_CONTEXTS_N2 ON JTF_NOTE_CONTEXTS (NOTE_CONTEXT_TYPE, NOTE_CONTEXT_TYPE_ID);

PROMPT FND_MSG_PUB stand-in: the API message stack

CREATE OR REPLACE PACKAGE FND_MSG_PUB AS
    -- Stand-in for the EBS message stack: just what JTF_NOTES_PUB and its callers use.
    G_NEXT CONSTANT NUMBER := -1;
    G_TRUE CONSTANT VARCHAR2(1) := 'T';
    G_FALSE CONSTANT VARCHAR2(1) := 'F';

    PROCEDURE initialize;
    PROCEDURE add_exc_msg(
        p_pkg_name       IN VARCHAR2,
        p_procedure_name IN VARCHAR2,
        p_error_text     IN VARCHAR2 DEFAULT NULL
    );
    FUNCTION count_msg RETURN NUMBER;
    FUNCTION get(
        p_msg_index IN NUMBER DEFAULT G_NEXT,
        p_encoded   IN VARCHAR2 DEFAULT G_TRUE
    ) RETURN VARCHAR2;
    PROCEDURE count_and_get(
        p_encoded IN VARCHAR2 DEFAULT G_TRUE,
        p_count   OUT NUMBER,
        p_data    OUT VARCHAR2
    );
END fnd_msg_pub;
/

CREATE OR REPLACE PACKAGE BODY FND_MSG_PUB AS
    TYPE message_table IS TABLE OF VARCHAR2(2000) INDEX BY PLS_INTEGER;
    g_messages message_table;
    g_no_messages message_table;
    g_last_read PLS_INTEGER := 0;

    PROCEDURE initialize IS
    BEGIN
        g_messages := g_no_messages;
        g_last_read := 0;
    END initialize;

    PROCEDURE add_exc_msg(
        p_pkg_name       IN VARCHAR2,
        p_procedure_name IN VARCHAR2,
        p_error_text     IN VARCHAR2 DEFAULT NULL
    ) IS
    BEGIN
        g_messages(g_messages.COUNT + 1) := SUBSTRB(
            p_pkg_name || '.' || p_procedure_name || ': ' || NVL(p_error_text, 'error'), 1, 2000);
    END add_exc_msg;

    FUNCTION count_msg RETURN NUMBER IS
    BEGIN
        RETURN g_messages.COUNT;
    END count_msg;

    FUNCTION get(
        p_msg_index IN NUMBER DEFAULT G_NEXT,
        p_encoded   IN VARCHAR2 DEFAULT G_TRUE
    ) RETURN VARCHAR2 IS
        l_index PLS_INTEGER := p_msg_index;
    BEGIN
        IF l_index IS NULL OR l_index = G_NEXT THEN
            l_index := g_last_read + 1;
        END IF;
        IF l_index < 1 OR l_index > g_messages.COUNT THEN
            RETURN NULL;
        END IF;
        g_last_read := l_index;
        RETURN g_messages(l_index);
    END get;

    PROCEDURE count_and_get(
        p_encoded IN VARCHAR2 DEFAULT G_TRUE,
        p_count   OUT NUMBER,
        p_data    OUT VARCHAR2
    ) IS
    BEGIN
        p_count := g_messages.COUNT;
        p_data := NULL;
        IF g_messages.COUNT = 1 THEN
            p_data := g_messages(1);
        END IF;
    END count_and_get;
END fnd_msg_pub;
/

PROMPT JTF_NOTES_PUB stand-in: CREATE_NOTE with the real signature (minus P_ATTRIBUTE1..15)

CREATE OR REPLACE PACKAGE JTF_NOTES_PUB AS
    -- Record and table types exactly as in jtfnotes.pls 120.9.
    TYPE jtf_note_contexts_rec_type IS RECORD (
        note_context_id      NUMBER,
        jtf_note_id          NUMBER,
        note_context_type    VARCHAR2(240),
        note_context_type_id NUMBER,
        last_update_date     DATE,
        last_updated_by      NUMBER(15),
        creation_date        DATE,
        created_by           NUMBER,
        last_update_login    NUMBER
    );
    TYPE jtf_note_contexts_tbl_type IS TABLE OF jtf_note_contexts_rec_type
        INDEX BY BINARY_INTEGER;
    jtf_note_contexts_tab_dflt jtf_note_contexts_tbl_type;

    PROCEDURE create_note(
        p_parent_note_id        IN  NUMBER   DEFAULT 9.99E125,
        p_jtf_note_id           IN  NUMBER   DEFAULT 9.99E125,
        p_api_version           IN  NUMBER,
        p_init_msg_list         IN  VARCHAR2 DEFAULT 'F',
        p_commit                IN  VARCHAR2 DEFAULT 'F',
        p_validation_level      IN  NUMBER   DEFAULT 100,
        x_return_status         OUT VARCHAR2,
        x_msg_count             OUT NUMBER,
        x_msg_data              OUT VARCHAR2,
        p_org_id                IN  NUMBER   DEFAULT NULL,
        p_source_object_id      IN  NUMBER   DEFAULT 9.99E125,
        p_source_object_code    IN  VARCHAR2 DEFAULT CHR(0),
        p_notes                 IN  VARCHAR2 DEFAULT CHR(0),
        p_notes_detail          IN  VARCHAR2 DEFAULT NULL,
        p_note_status           IN  VARCHAR2 DEFAULT 'I',
        p_entered_by            IN  NUMBER   DEFAULT -1,
        p_entered_date          IN  DATE     DEFAULT TO_DATE('1', 'j'),
        x_jtf_note_id           OUT NUMBER,
        p_last_update_date      IN  DATE     DEFAULT TO_DATE('1', 'j'),
        p_last_updated_by       IN  NUMBER   DEFAULT -1,
        p_creation_date         IN  DATE     DEFAULT TO_DATE('1', 'j'),
        p_created_by            IN  NUMBER   DEFAULT -1,
        p_last_update_login     IN  NUMBER   DEFAULT NULL,
        p_context               IN  VARCHAR2 DEFAULT NULL,
        p_note_type             IN  VARCHAR2 DEFAULT NULL,
        p_jtf_note_contexts_tab IN  jtf_note_contexts_tbl_type DEFAULT jtf_note_contexts_tab_dflt
    );
END jtf_notes_pub;
/

CREATE OR REPLACE PACKAGE BODY JTF_NOTES_PUB AS
    g_miss_num CONSTANT NUMBER := 9.99E125;
    g_miss_char CONSTANT VARCHAR2(1) := CHR(0);
    g_pkg_name CONSTANT VARCHAR2(30) := 'JTF_NOTES_PUB';
    e_invalid EXCEPTION;

    -- 'Y' when the stand-in knows the object code (the real API looks it up in JTF_OBJECTS).
    FUNCTION known_object(p_code IN VARCHAR2) RETURN VARCHAR2 IS
    BEGIN
        IF p_code IN ('PARTY', 'IEX_ACCOUNT', 'IEX_BILLTO', 'IEX_INVOICES', 'IEX_DELINQUENCY',
                      'IEX_PROMISE', 'IEX_DISPUTE', 'IEX_PAYMENT', 'IEX_CASE') THEN
            RETURN 'Y';
        END IF;
        RETURN 'N';
    END known_object;

    PROCEDURE reject(p_message IN VARCHAR2) IS
    BEGIN
        fnd_msg_pub.add_exc_msg(g_pkg_name, 'CREATE_NOTE', p_message);
        RAISE e_invalid;
    END reject;

    PROCEDURE add_context(
        p_note_id IN NUMBER,
        p_type    IN VARCHAR2,
        p_type_id IN NUMBER,
        p_user_id IN NUMBER
    ) IS
        l_count NUMBER;
    BEGIN
        IF p_type IS NULL OR known_object(p_type) = 'N' THEN
            reject('invalid note context type ' || NVL(p_type, 'NULL'));
        END IF;
        IF p_type_id IS NULL OR p_type_id = g_miss_num THEN
            reject('note context ' || p_type || ' has no id');
        END IF;
        SELECT COUNT(*) INTO l_count
          FROM jtf_note_contexts
         WHERE jtf_note_id = p_note_id
           AND note_context_type = p_type
           AND note_context_type_id = p_type_id;
        IF l_count = 0 THEN
            INSERT INTO jtf_note_contexts (
                note_context_id, jtf_note_id, note_context_type, note_context_type_id,
                created_by, creation_date, last_updated_by, last_update_date
            ) VALUES (
                jtf_notes_s.NEXTVAL, p_note_id, p_type, p_type_id,
                p_user_id, SYSTIMESTAMP, p_user_id, SYSTIMESTAMP
            );
        END IF;
    END add_context;

    PROCEDURE create_note(
        p_parent_note_id        IN  NUMBER   DEFAULT 9.99E125,
        p_jtf_note_id           IN  NUMBER   DEFAULT 9.99E125,
        p_api_version           IN  NUMBER,
        p_init_msg_list         IN  VARCHAR2 DEFAULT 'F',
        p_commit                IN  VARCHAR2 DEFAULT 'F',
        p_validation_level      IN  NUMBER   DEFAULT 100,
        x_return_status         OUT VARCHAR2,
        x_msg_count             OUT NUMBER,
        x_msg_data              OUT VARCHAR2,
        p_org_id                IN  NUMBER   DEFAULT NULL,
        p_source_object_id      IN  NUMBER   DEFAULT 9.99E125,
        p_source_object_code    IN  VARCHAR2 DEFAULT CHR(0),
        p_notes                 IN  VARCHAR2 DEFAULT CHR(0),
        p_notes_detail          IN  VARCHAR2 DEFAULT NULL,
        p_note_status           IN  VARCHAR2 DEFAULT 'I',
        p_entered_by            IN  NUMBER   DEFAULT -1,
        p_entered_date          IN  DATE     DEFAULT TO_DATE('1', 'j'),
        x_jtf_note_id           OUT NUMBER,
        p_last_update_date      IN  DATE     DEFAULT TO_DATE('1', 'j'),
        p_last_updated_by       IN  NUMBER   DEFAULT -1,
        p_creation_date         IN  DATE     DEFAULT TO_DATE('1', 'j'),
        p_created_by            IN  NUMBER   DEFAULT -1,
        p_last_update_login     IN  NUMBER   DEFAULT NULL,
        p_context               IN  VARCHAR2 DEFAULT NULL,
        p_note_type             IN  VARCHAR2 DEFAULT NULL,
        p_jtf_note_contexts_tab IN  jtf_note_contexts_tbl_type DEFAULT jtf_note_contexts_tab_dflt
    ) IS
        l_note_id NUMBER;
        l_status VARCHAR2(1);
        l_parent NUMBER;
        l_user NUMBER := NVL(p_entered_by, -1);
    BEGIN
        SAVEPOINT create_note_pub;
        IF p_init_msg_list = 'T' THEN
            fnd_msg_pub.initialize;
        END IF;
        IF p_api_version IS NULL OR p_api_version <> 1.0 THEN
            reject('incompatible API version ' || NVL(TO_CHAR(p_api_version), 'NULL'));
        END IF;
        IF p_source_object_code IS NULL OR p_source_object_code = g_miss_char
           OR known_object(p_source_object_code) = 'N' THEN
            reject('invalid p_source_object_code ' || NVL(p_source_object_code, 'NULL'));
        END IF;
        IF p_source_object_id IS NULL OR p_source_object_id = g_miss_num THEN
            reject('p_source_object_id is required');
        END IF;
        IF p_notes IS NULL OR p_notes = g_miss_char THEN
            reject('p_notes is required');
        END IF;
        l_status := NVL(p_note_status, 'I');
        IF l_status NOT IN ('I', 'E', 'P') THEN
            reject('invalid p_note_status ' || l_status);
        END IF;
        IF p_parent_note_id IS NULL OR p_parent_note_id = g_miss_num THEN
            l_parent := NULL;
        ELSE
            l_parent := p_parent_note_id;
        END IF;

        SELECT jtf_notes_s.NEXTVAL INTO l_note_id FROM dual;
        INSERT INTO jtf_notes_b (
            jtf_note_id, parent_note_id, source_object_code, source_object_id, note_status,
            note_type, entered_by, entered_date, created_by, creation_date, last_updated_by,
            last_update_date, last_update_login
        ) VALUES (
            l_note_id, l_parent, p_source_object_code, p_source_object_id, l_status,
            p_note_type, l_user, SYSTIMESTAMP, NVL(p_created_by, l_user), SYSTIMESTAMP,
            NVL(p_last_updated_by, l_user), SYSTIMESTAMP, p_last_update_login
        );
        INSERT INTO jtf_notes_tl (
            jtf_note_id, language, source_lang, notes, notes_detail, created_by, creation_date,
            last_updated_by, last_update_date, last_update_login
        ) VALUES (
            l_note_id, 'US', 'US', SUBSTRB(p_notes, 1, 2000), p_notes_detail,
            NVL(p_created_by, l_user), SYSTIMESTAMP, NVL(p_last_updated_by, l_user),
            SYSTIMESTAMP, p_last_update_login
        );
        add_context(l_note_id, p_source_object_code, p_source_object_id, l_user);
        FOR i IN 1 .. p_jtf_note_contexts_tab.COUNT LOOP
            add_context(
                l_note_id,
                p_jtf_note_contexts_tab(i).note_context_type,
                p_jtf_note_contexts_tab(i).note_context_type_id,
                NVL(p_jtf_note_contexts_tab(i).created_by, l_user)
            );
        END LOOP;

        IF p_commit = 'T' THEN
            COMMIT;
        END IF;
        x_jtf_note_id := l_note_id;
        x_return_status := 'S';
        fnd_msg_pub.count_and_get(p_encoded => 'F', p_count => x_msg_count, p_data => x_msg_data);
    EXCEPTION
        WHEN e_invalid THEN
            ROLLBACK TO create_note_pub;
            x_jtf_note_id := NULL;
            x_return_status := 'E';
            fnd_msg_pub.count_and_get(
                p_encoded => 'F', p_count => x_msg_count, p_data => x_msg_data);
        WHEN OTHERS THEN
            ROLLBACK TO create_note_pub;
            x_jtf_note_id := NULL;
            x_return_status := 'U';
            fnd_msg_pub.add_exc_msg(g_pkg_name, 'CREATE_NOTE', SQLERRM);
            fnd_msg_pub.count_and_get(
                p_encoded => 'F', p_count => x_msg_count, p_data => x_msg_data);
    END create_note;
END jtf_notes_pub;
/

SHOW ERRORS

PROMPT EBS stand-in ready; next: install.sql in the same schema
