-- Foundation: organisations, staff, citizens, care relationships, consent, audit, sessions, tokens.
-- Ids are UUID v7 made by the application (16-byte BLOB here, uuid in PostgreSQL).
-- Times are UTC microseconds since the Unix epoch (INTEGER here, BIGINT in PostgreSQL).
-- Booleans are INTEGER 0/1 here, BOOLEAN in PostgreSQL.

CREATE TABLE organisations (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('region','municipality','hospital','hospital_department','general_practice','service_centre','partner')),
    sor_code TEXT UNIQUE,
    cvr TEXT,
    parent_id BLOB REFERENCES organisations(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX organisations_parent ON organisations(parent_id);

CREATE TABLE staff_users (
    id BLOB PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    totp_secret TEXT,
    totp_enabled INTEGER NOT NULL DEFAULT 0,
    totp_last_step INTEGER,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    oidc_subject TEXT UNIQUE,
    language TEXT NOT NULL DEFAULT 'da',
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE memberships (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES staff_users(id),
    org_id BLOB NOT NULL REFERENCES organisations(id),
    role TEXT NOT NULL CHECK (role IN ('system_admin','org_admin','clinician','social_supporter','service_desk_agent','logistics_technician','educator','analyst')),
    valid_from INTEGER NOT NULL,
    valid_to INTEGER
) STRICT;
CREATE INDEX memberships_user ON memberships(user_id);
CREATE INDEX memberships_org ON memberships(org_id);

CREATE TABLE citizens (
    id BLOB PRIMARY KEY,
    cpr TEXT NOT NULL UNIQUE,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    address_line TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    municipality_id BLOB REFERENCES organisations(id),
    email TEXT,
    language TEXT NOT NULL CHECK (language IN ('da','en')),
    needs_assisted_support INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT,
    oidc_subject TEXT UNIQUE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX citizens_search_name ON citizens(search_name);

CREATE TABLE citizen_phones (
    citizen_id BLOB NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    phone TEXT NOT NULL,
    digits TEXT NOT NULL,
    PRIMARY KEY (citizen_id, position)
) STRICT;
CREATE INDEX citizen_phones_digits ON citizen_phones(digits);

CREATE TABLE next_of_kin (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    phone TEXT,
    phone_digits TEXT
) STRICT;
CREATE INDEX next_of_kin_citizen ON next_of_kin(citizen_id);
CREATE INDEX next_of_kin_phone ON next_of_kin(phone_digits);

CREATE TABLE programmes (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_org_id BLOB NOT NULL REFERENCES organisations(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE enrolments (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    org_id BLOB NOT NULL REFERENCES organisations(id),
    status TEXT NOT NULL CHECK (status IN ('active','paused','ended')),
    started_at INTEGER NOT NULL,
    ended_at INTEGER
) STRICT;
CREATE INDEX enrolments_citizen ON enrolments(citizen_id);

CREATE TABLE care_teams (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    name TEXT NOT NULL,
    managing_org_id BLOB NOT NULL REFERENCES organisations(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX care_teams_citizen ON care_teams(citizen_id);

CREATE TABLE care_team_members (
    id BLOB PRIMARY KEY,
    team_id BLOB NOT NULL REFERENCES care_teams(id),
    org_id BLOB NOT NULL REFERENCES organisations(id),
    user_id BLOB REFERENCES staff_users(id),
    role TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('clinical','social_support','service_support')),
    valid_from INTEGER NOT NULL,
    valid_to INTEGER
) STRICT;
CREATE INDEX care_team_members_team ON care_team_members(team_id);

CREATE TABLE consents (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    consent_type TEXT NOT NULL CHECK (consent_type IN ('telemedicine_participation','cross_sector_sharing','logistics_address_sharing','social_staff_sharing')),
    programme_id BLOB REFERENCES programmes(id),
    status TEXT NOT NULL CHECK (status IN ('given','withdrawn')),
    recorded_by BLOB REFERENCES staff_users(id),
    recorded_by_name TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    note TEXT NOT NULL
) STRICT;
CREATE INDEX consents_citizen ON consents(citizen_id);

CREATE TABLE audit_log (
    id BLOB PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('staff','citizen','system')),
    actor_user_id BLOB,
    actor_citizen_id BLOB,
    actor_name TEXT NOT NULL,
    actor_org_id BLOB,
    actor_org_name TEXT,
    actor_role TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    citizen_id BLOB,
    category TEXT,
    purpose TEXT NOT NULL,
    outcome_allowed INTEGER NOT NULL,
    reason TEXT NOT NULL,
    request_id TEXT NOT NULL,
    client_addr TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_citizen ON audit_log(citizen_id, at);
CREATE INDEX audit_log_actor ON audit_log(actor_user_id, at);
CREATE INDEX audit_log_org ON audit_log(actor_org_id, at);
CREATE INDEX audit_log_at ON audit_log(at);
-- The audit trail is append-only: no interface, and no SQL, may change or remove a record.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    principal_kind TEXT NOT NULL CHECK (principal_kind IN ('staff','citizen')),
    user_id BLOB REFERENCES staff_users(id),
    citizen_id BLOB REFERENCES citizens(id),
    csrf_token TEXT NOT NULL,
    second_factor_pending INTEGER NOT NULL DEFAULT 0,
    language TEXT NOT NULL DEFAULT 'da',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES staff_users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
) STRICT;

CREATE TABLE oidc_logins (
    state TEXT PRIMARY KEY,
    audience TEXT NOT NULL CHECK (audience IN ('staff','citizen')),
    pkce_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
