"""The database schema, as numbered migrations run in order by ``ketatui db upgrade``.

An upgrade runs in one transaction, each migration with its row in ``ketatui_migrations``, so a
database is always at exactly one version. A migration is never edited once released: a change is a new one
at the end. A database at a higher version than this ketatui knows is opened read-only.

What is in clear on the server, and why (see ``docs/postgres.md``): record ids, revision
numbers, statuses, who saved and when, the urgent/blocked/training badges, the step reached and
the planned session dates, so the server can order and page the records list. Everything that
names or describes a person (name, birth date, every answer, the plan, sessions, amendment
reasons) is AES-256-GCM ciphertext made on the client; search goes through keyed hashes.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "records, revisions, course, signers, blind index and audit", """
        CREATE TABLE ketatui_store (
            only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            description   jsonb NOT NULL            -- kind, key source (and scrypt salt), key check; no health data
        );
        CREATE TABLE ketatui_records (
            record_id     text COLLATE "C" PRIMARY KEY,
            rev           integer NOT NULL,
            status        text NOT NULL,
            urgent        boolean NOT NULL,
            blocked       boolean NOT NULL,
            training      boolean NOT NULL,
            current_step  text,
            sessions      date[] NOT NULL DEFAULT '{}',
            created_by    text,
            updated_by    text,
            updated_at    text,                     -- ISO UTC with microseconds: sorts as text
            ever_signed   boolean NOT NULL DEFAULT false,
            summary       bytea NOT NULL            -- sealed {full_name, date_of_birth}
        );
        CREATE INDEX ketatui_records_list ON ketatui_records (urgent DESC, updated_at DESC);
        CREATE INDEX ketatui_records_status ON ketatui_records (status);
        CREATE TABLE ketatui_revisions (
            record_id     text COLLATE "C" NOT NULL REFERENCES ketatui_records ON DELETE CASCADE,
            rev           integer NOT NULL,
            status        text NOT NULL,
            body          bytea NOT NULL,           -- the sealed intake document
            PRIMARY KEY (record_id, rev)
        );
        CREATE TABLE ketatui_amendments (
            record_id     text COLLATE "C" NOT NULL REFERENCES ketatui_records ON DELETE CASCADE,
            rev           integer NOT NULL,
            body          bytea NOT NULL,           -- sealed {rev, amends_rev, reason, by, at}
            PRIMARY KEY (record_id, rev)
        );
        CREATE TABLE ketatui_course (
            course_id     text COLLATE "C" PRIMARY KEY,
            record_id     text COLLATE "C" NOT NULL REFERENCES ketatui_records ON DELETE CASCADE,
            rev           integer NOT NULL,
            body          bytea NOT NULL            -- the sealed session or visit
        );
        CREATE INDEX ketatui_course_intake ON ketatui_course (record_id);
        CREATE TABLE ketatui_search_terms (
            term          bigint NOT NULL,          -- keyed hash of a name-word prefix or a birth-date prefix
            record_id     text COLLATE "C" NOT NULL REFERENCES ketatui_records ON DELETE CASCADE,
            PRIMARY KEY (term, record_id)
        );
        CREATE INDEX ketatui_search_terms_record ON ketatui_search_terms (record_id);
        CREATE TABLE ketatui_signers (
            username      text PRIMARY KEY,
            passphrase    jsonb NOT NULL,           -- scrypt hash, salt and cost
            attempts      jsonb NOT NULL            -- wrong tries in a row, locked until
        );
        CREATE TABLE ketatui_audit (
            seq           bigint PRIMARY KEY,
            ts            text NOT NULL,
            username      text NOT NULL,
            action        text NOT NULL,
            record_id     text NOT NULL,
            rev           integer NOT NULL,
            target        text,
            recovered     boolean NOT NULL DEFAULT false,
            prev          text NOT NULL,
            mac           text NOT NULL
        );
    """),
    Migration(2, "the audit table refuses UPDATE, DELETE and TRUNCATE; urgent intakes are announced", """
        CREATE FUNCTION ketatui_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the ketatui audit trail is append-only: % is refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER ketatui_audit_no_update BEFORE UPDATE OR DELETE ON ketatui_audit
            FOR EACH ROW EXECUTE FUNCTION ketatui_audit_is_append_only();
        CREATE TRIGGER ketatui_audit_no_truncate BEFORE TRUNCATE ON ketatui_audit
            FOR EACH STATEMENT EXECUTE FUNCTION ketatui_audit_is_append_only();
        REVOKE UPDATE, DELETE, TRUNCATE ON ketatui_audit FROM PUBLIC;

        CREATE FUNCTION ketatui_announce_urgent() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.urgent AND (TG_OP = 'INSERT' OR NOT OLD.urgent OR OLD.rev <> NEW.rev) THEN
                PERFORM pg_notify('ketatui_urgent', NEW.record_id);
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER ketatui_records_urgent AFTER INSERT OR UPDATE ON ketatui_records
            FOR EACH ROW EXECUTE FUNCTION ketatui_announce_urgent();
    """),
)

LATEST = MIGRATIONS[-1].version
#: Serialises upgrades from several machines: only one runs the migrations, the others wait.
UPGRADE_LOCK = 0x6B657461  # "keta"


def current_version(conn: psycopg.Connection) -> int:
    """The version the database is at; 0 for a database ketatui has not set up."""
    exists = conn.execute("SELECT to_regclass('ketatui_migrations') IS NOT NULL").fetchone()[0]
    if not exists:
        return 0
    return conn.execute("SELECT coalesce(max(version), 0) FROM ketatui_migrations").fetchone()[0]


def upgrade(conn: psycopg.Connection) -> list[Migration]:
    """Run every migration the database lacks, all in one transaction (all or none); the ones run."""
    ran = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (UPGRADE_LOCK,))
        conn.execute("""CREATE TABLE IF NOT EXISTS ketatui_migrations (
                            version integer PRIMARY KEY, name text NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now())""")
        at = current_version(conn)
        for migration in MIGRATIONS:
            if migration.version <= at:
                continue
            with conn.transaction():
                conn.execute(migration.sql)
                conn.execute("INSERT INTO ketatui_migrations (version, name) VALUES (%s, %s)",
                             (migration.version, migration.name))
            ran.append(migration)
    return ran
