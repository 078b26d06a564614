-- Telemonitoring: programme versions, questionnaires, care plans, observations, triage
-- (assessments and tasks), questionnaire answers, notes, messages, the notification outbox
-- and job leases. JSON documents (definitions, answers, findings) are TEXT on both backends:
-- they are read and written whole by the domain types, never queried inside.

CREATE TABLE programme_versions (
    id UUID PRIMARY KEY,
    programme_id UUID NOT NULL REFERENCES programmes(id),
    version BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft','active','retired')),
    definition TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    activated_at BIGINT,
    retired_at BIGINT,
    UNIQUE (programme_id, version)
);
-- New enrolments take the one active version.
CREATE UNIQUE INDEX programme_versions_one_active ON programme_versions(programme_id) WHERE status = 'active';

CREATE TABLE questionnaires (
    id UUID PRIMARY KEY,
    key TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft','active','retired')),
    title TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (key, version)
);

-- A team made for an enrolment's care plan lives by that enrolment and its consent.
ALTER TABLE care_teams ADD COLUMN enrolment_id UUID REFERENCES enrolments(id);

CREATE TABLE care_plans (
    id UUID PRIMARY KEY,
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    enrolment_id UUID NOT NULL UNIQUE REFERENCES enrolments(id),
    programme_version_id UUID NOT NULL REFERENCES programme_versions(id),
    care_team_id UUID NOT NULL REFERENCES care_teams(id),
    status TEXT NOT NULL CHECK (status IN ('active','paused','ended')),
    definition TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    paused_at BIGINT,
    ended_at BIGINT,
    missing_checked_until BIGINT NOT NULL
);
CREATE INDEX care_plans_citizen ON care_plans(citizen_id);
CREATE INDEX care_plans_team ON care_plans(care_team_id);
CREATE INDEX care_plans_status ON care_plans(status);

CREATE TABLE care_plan_changes (
    id UUID PRIMARY KEY,
    care_plan_id UUID NOT NULL REFERENCES care_plans(id),
    kind TEXT NOT NULL CHECK (kind IN ('created','thresholds','paused','resumed','ended')),
    quantity TEXT,
    old_value TEXT,
    new_value TEXT,
    reason TEXT NOT NULL,
    changed_by UUID,
    changed_by_name TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX care_plan_changes_plan ON care_plan_changes(care_plan_id, changed_at);

CREATE TABLE observations (
    id UUID PRIMARY KEY,
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    type TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    value2 DOUBLE PRECISION,
    effective_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('device','citizen','staff')),
    entered_by UUID,
    entered_by_name TEXT NOT NULL,
    on_behalf_of_name TEXT,
    device TEXT,
    original TEXT,
    identifier TEXT,
    dedup_key BYTEA UNIQUE,
    unexpected BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('final','entered-in-error'))
);
CREATE INDEX observations_citizen_time ON observations(citizen_id, effective_at);

CREATE TABLE questionnaire_responses (
    id UUID PRIMARY KEY,
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    questionnaire_id UUID NOT NULL REFERENCES questionnaires(id),
    answers TEXT NOT NULL,
    score DOUBLE PRECISION,
    authored_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('device','citizen','staff')),
    entered_by UUID,
    entered_by_name TEXT NOT NULL,
    on_behalf_of_name TEXT,
    identifier TEXT,
    dedup_key BYTEA UNIQUE
);
CREATE INDEX questionnaire_responses_citizen ON questionnaire_responses(citizen_id, authored_at);

CREATE TABLE assessments (
    id UUID PRIMARY KEY,
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    care_plan_id UUID NOT NULL REFERENCES care_plans(id),
    observation_id UUID REFERENCES observations(id),
    response_id UUID REFERENCES questionnaire_responses(id),
    colour TEXT NOT NULL CHECK (colour IN ('green','blue','yellow','red')),
    findings TEXT NOT NULL,
    result_at BIGINT NOT NULL,
    assessed_at BIGINT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by UUID,
    acknowledged_by_name TEXT,
    acknowledgement_note TEXT,
    action_taken BOOLEAN
);
CREATE INDEX assessments_plan_open ON assessments(care_plan_id, acknowledged_at);
CREATE INDEX assessments_citizen ON assessments(citizen_id, result_at);
CREATE INDEX assessments_observation ON assessments(observation_id);

CREATE TABLE tasks (
    id UUID PRIMARY KEY,
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    care_plan_id UUID NOT NULL REFERENCES care_plans(id),
    care_team_id UUID NOT NULL REFERENCES care_teams(id),
    category TEXT NOT NULL CHECK (category IN ('assessment','missing','unexpected')),
    colour TEXT NOT NULL CHECK (colour IN ('green','blue','yellow','red')),
    priority TEXT NOT NULL CHECK (priority IN ('routine','urgent','asap','stat')),
    status TEXT NOT NULL CHECK (status IN ('requested','in-progress','completed','cancelled')),
    owner_user_id UUID REFERENCES staff_users(id),
    owner_name TEXT,
    activity TEXT,
    window_start BIGINT,
    window_end BIGINT,
    description TEXT NOT NULL,
    oldest_result_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    completed_at BIGINT,
    completed_by_name TEXT
);
CREATE INDEX tasks_team_status ON tasks(care_team_id, status);
CREATE INDEX tasks_citizen_status ON tasks(citizen_id, status);

CREATE TABLE monitoring_notes (
    id UUID PRIMARY KEY,
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    care_plan_id UUID REFERENCES care_plans(id),
    important BOOLEAN NOT NULL,
    text TEXT NOT NULL,
    author_id UUID NOT NULL REFERENCES staff_users(id),
    author_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX monitoring_notes_citizen ON monitoring_notes(citizen_id, created_at);

CREATE TABLE messages (
    id UUID PRIMARY KEY,
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    direction TEXT NOT NULL CHECK (direction IN ('to_citizen','from_citizen')),
    author_id UUID,
    author_name TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX messages_citizen ON messages(citizen_id, created_at);

CREATE TABLE notification_outbox (
    id UUID PRIMARY KEY,
    citizen_id UUID NOT NULL REFERENCES citizens(id),
    channel TEXT NOT NULL CHECK (channel IN ('sms','email','portal')),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notification_outbox_unsent ON notification_outbox(sent_at, created_at);

-- One replica at a time runs each background job.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until BIGINT NOT NULL
);
