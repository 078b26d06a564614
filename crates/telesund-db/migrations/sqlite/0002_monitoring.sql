-- Telemonitoring: programme versions, questionnaires, care plans, observations, triage
-- (assessments and tasks), questionnaire answers, notes, messages, the notification outbox
-- and job leases. JSON documents (definitions, answers, findings) are TEXT on both backends:
-- they are read and written whole by the domain types, never queried inside.

CREATE TABLE programme_versions (
    id BLOB PRIMARY KEY,
    programme_id BLOB NOT NULL REFERENCES programmes(id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft','active','retired')),
    definition TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    activated_at INTEGER,
    retired_at INTEGER,
    UNIQUE (programme_id, version)
) STRICT;
-- New enrolments take the one active version.
CREATE UNIQUE INDEX programme_versions_one_active ON programme_versions(programme_id) WHERE status = 'active';

CREATE TABLE questionnaires (
    id BLOB PRIMARY KEY,
    key TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft','active','retired')),
    title TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (key, version)
) STRICT;

-- A team made for an enrolment's care plan lives by that enrolment and its consent.
ALTER TABLE care_teams ADD COLUMN enrolment_id BLOB REFERENCES enrolments(id);

CREATE TABLE care_plans (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    enrolment_id BLOB NOT NULL UNIQUE REFERENCES enrolments(id),
    programme_version_id BLOB NOT NULL REFERENCES programme_versions(id),
    care_team_id BLOB NOT NULL REFERENCES care_teams(id),
    status TEXT NOT NULL CHECK (status IN ('active','paused','ended')),
    definition TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    paused_at INTEGER,
    ended_at INTEGER,
    missing_checked_until INTEGER NOT NULL
) STRICT;
CREATE INDEX care_plans_citizen ON care_plans(citizen_id);
CREATE INDEX care_plans_team ON care_plans(care_team_id);
CREATE INDEX care_plans_status ON care_plans(status);

CREATE TABLE care_plan_changes (
    id BLOB PRIMARY KEY,
    care_plan_id BLOB NOT NULL REFERENCES care_plans(id),
    kind TEXT NOT NULL CHECK (kind IN ('created','thresholds','paused','resumed','ended')),
    quantity TEXT,
    old_value TEXT,
    new_value TEXT,
    reason TEXT NOT NULL,
    changed_by BLOB,
    changed_by_name TEXT NOT NULL,
    changed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX care_plan_changes_plan ON care_plan_changes(care_plan_id, changed_at);

CREATE TABLE observations (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    type TEXT NOT NULL,
    value REAL NOT NULL,
    value2 REAL,
    effective_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('device','citizen','staff')),
    entered_by BLOB,
    entered_by_name TEXT NOT NULL,
    on_behalf_of_name TEXT,
    device TEXT,
    original TEXT,
    identifier TEXT,
    dedup_key BLOB UNIQUE,
    unexpected INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('final','entered-in-error'))
) STRICT;
CREATE INDEX observations_citizen_time ON observations(citizen_id, effective_at);

CREATE TABLE questionnaire_responses (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    questionnaire_id BLOB NOT NULL REFERENCES questionnaires(id),
    answers TEXT NOT NULL,
    score REAL,
    authored_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('device','citizen','staff')),
    entered_by BLOB,
    entered_by_name TEXT NOT NULL,
    on_behalf_of_name TEXT,
    identifier TEXT,
    dedup_key BLOB UNIQUE
) STRICT;
CREATE INDEX questionnaire_responses_citizen ON questionnaire_responses(citizen_id, authored_at);

CREATE TABLE assessments (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    care_plan_id BLOB NOT NULL REFERENCES care_plans(id),
    observation_id BLOB REFERENCES observations(id),
    response_id BLOB REFERENCES questionnaire_responses(id),
    colour TEXT NOT NULL CHECK (colour IN ('green','blue','yellow','red')),
    findings TEXT NOT NULL,
    result_at INTEGER NOT NULL,
    assessed_at INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by BLOB,
    acknowledged_by_name TEXT,
    acknowledgement_note TEXT,
    action_taken INTEGER
) STRICT;
CREATE INDEX assessments_plan_open ON assessments(care_plan_id, acknowledged_at);
CREATE INDEX assessments_citizen ON assessments(citizen_id, result_at);
CREATE INDEX assessments_observation ON assessments(observation_id);

CREATE TABLE tasks (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    care_plan_id BLOB NOT NULL REFERENCES care_plans(id),
    care_team_id BLOB NOT NULL REFERENCES care_teams(id),
    category TEXT NOT NULL CHECK (category IN ('assessment','missing','unexpected')),
    colour TEXT NOT NULL CHECK (colour IN ('green','blue','yellow','red')),
    priority TEXT NOT NULL CHECK (priority IN ('routine','urgent','asap','stat')),
    status TEXT NOT NULL CHECK (status IN ('requested','in-progress','completed','cancelled')),
    owner_user_id BLOB REFERENCES staff_users(id),
    owner_name TEXT,
    activity TEXT,
    window_start INTEGER,
    window_end INTEGER,
    description TEXT NOT NULL,
    oldest_result_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    completed_at INTEGER,
    completed_by_name TEXT
) STRICT;
CREATE INDEX tasks_team_status ON tasks(care_team_id, status);
CREATE INDEX tasks_citizen_status ON tasks(citizen_id, status);

CREATE TABLE monitoring_notes (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    care_plan_id BLOB REFERENCES care_plans(id),
    important INTEGER NOT NULL,
    text TEXT NOT NULL,
    author_id BLOB NOT NULL REFERENCES staff_users(id),
    author_name TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX monitoring_notes_citizen ON monitoring_notes(citizen_id, created_at);

CREATE TABLE messages (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    direction TEXT NOT NULL CHECK (direction IN ('to_citizen','from_citizen')),
    author_id BLOB,
    author_name TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER
) STRICT;
CREATE INDEX messages_citizen ON messages(citizen_id, created_at);

CREATE TABLE notification_outbox (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    channel TEXT NOT NULL CHECK (channel IN ('sms','email','portal')),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX notification_outbox_unsent ON notification_outbox(sent_at, created_at);

-- One replica at a time runs each background job.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until INTEGER NOT NULL
) STRICT;
