-- Foundation: organisations, staff, citizens, care relationships, consent, audit, sessions, tokens.
-- Ids are UUID v7 made by the application (uuid here, 16-byte BLOB in SQLite).
-- Times are UTC microseconds since the Unix epoch (BIGINT here, INTEGER in SQLite).
-- Booleans are BOOLEAN here, INTEGER 0/1 in SQLite. Every integer is BIGINT (i64 on both).

CREATE TABLE organisations (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('region','municipality','hospital','hospital_department','general_practice','service_centre','partner')),
    sor_code TEXT UNIQUE,
    cvr TEXT,
    parent_id UUID REFERENCES organisations(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX organisations_parent ON organisations(parent_id);

CREATE TABLE staff_users (
    id UUID PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    totp_secret TEXT,
    totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step BIGINT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    oidc_subject TEXT UNIQUE,
    language TEXT NOT NULL DEFAULT 'da',
    created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES staff_users(id),
    org_id UUID NOT NULL REFERENCES organisations(id),
    role TEXT NOT NULL CHECK (role IN ('system_admin','org_admin','clinician','social_supporter','service_desk_agent','logistics_technician','educator','analyst')),
    valid_from BIGINT NOT NULL,
    valid_to BIGINT
);
CREATE INDEX memberships_user ON memberships(user_id);
CREATE INDEX memberships_org ON memberships(org_id);

CREATE TABLE citizens (
    id UUID PRIMARY KEY,
    cpr TEXT NOT NULL UNIQUE,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    address_line TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    municipality_id UUID REFERENCES organisations(id),
    email TEXT,
    language TEXT NOT NULL CHECK (language IN ('da','en')),
    needs_assisted_support BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT,
    oidc_subject TEXT UNIQUE,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX citizens_search_name ON citizens(search_name);

CREATE TABLE citizen_phones (
    citizen_id UUID NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    phone TEXT NOT NULL,
    digits TEXT NOT NULL,
    PRIMARY KEY (citizen_id, position)
);
CREATE INDEX citizen_phones_digits ON citizen_phones(digits);

CREATE TABLE next_of_kin (
    id UUID PRIMARY KEY,
    citizen_id UUID NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    phone TEXT,
    phone_digits TEXT
);
CREATE INDEX next_of_kin_citizen ON next_of_kin(citizen_id);
CREATE INDEX next_of_kin_phone ON next_of_kin(phone_digits);

CREATE TABLE programmes (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_org_id UUID NOT NULL REFERENCES organisations(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE enrolments (
    id UUID PRIMARY KEY,
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    programme_id UUID NOT NULL REFERENCES programmes(id),
    org_id UUID NOT NULL REFERENCES organisations(id),
    status TEXT NOT NULL CHECK (status IN ('active','paused','ended')),
    started_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX enrolments_citizen ON enrolments(citizen_id);

CREATE TABLE care_teams (
    id UUID PRIMARY KEY,
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    name TEXT NOT NULL,
    managing_org_id UUID NOT NULL REFERENCES organisations(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX care_teams_citizen ON care_teams(citizen_id);

CREATE TABLE care_team_members (
    id UUID PRIMARY KEY,
    team_id UUID NOT NULL REFERENCES care_teams(id),
    org_id UUID NOT NULL REFERENCES organisations(id),
    user_id UUID REFERENCES staff_users(id),
    role TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('clinical','social_support','service_support')),
    valid_from BIGINT NOT NULL,
    valid_to BIGINT
);
CREATE INDEX care_team_members_team ON care_team_members(team_id);

CREATE TABLE consents (
    id UUID PRIMARY KEY,
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    consent_type TEXT NOT NULL CHECK (consent_type IN ('telemedicine_participation','cross_sector_sharing','logistics_address_sharing','social_staff_sharing')),
    programme_id UUID REFERENCES programmes(id),
    status TEXT NOT NULL CHECK (status IN ('given','withdrawn')),
    recorded_by UUID REFERENCES staff_users(id),
    recorded_by_name TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX consents_citizen ON consents(citizen_id);

CREATE TABLE audit_log (
    id UUID PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('staff','citizen','system')),
    actor_user_id UUID,
    actor_citizen_id UUID,
    actor_name TEXT NOT NULL,
    actor_org_id UUID,
    actor_org_name TEXT,
    actor_role TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    citizen_id UUID,
    category TEXT,
    purpose TEXT NOT NULL,
    outcome_allowed BOOLEAN NOT NULL,
    reason TEXT NOT NULL,
    request_id TEXT NOT NULL,
    client_addr TEXT NOT NULL
);
CREATE INDEX audit_log_citizen ON audit_log(citizen_id, at);
CREATE INDEX audit_log_actor ON audit_log(actor_user_id, at);
CREATE INDEX audit_log_org ON audit_log(actor_org_id, at);
CREATE INDEX audit_log_at ON audit_log(at);
-- The audit trail is append-only: no interface, and no SQL, may change or remove a record.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit records are append-only'; END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    principal_kind TEXT NOT NULL CHECK (principal_kind IN ('staff','citizen')),
    user_id UUID REFERENCES staff_users(id),
    citizen_id UUID REFERENCES citizens(id),
    csrf_token TEXT NOT NULL,
    second_factor_pending BOOLEAN NOT NULL DEFAULT FALSE,
    language TEXT NOT NULL DEFAULT 'da',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES staff_users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE oidc_logins (
    state TEXT PRIMARY KEY,
    audience TEXT NOT NULL CHECK (audience IN ('staff','citizen')),
    pkce_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
