-- The service desk: cases with their clocks and timeline, incoming calls, the knowledge
-- base, the service centre's calendar and number, citizens' ratings and staff notifications.

-- Staff call the desk too: their number identifies them.
ALTER TABLE staff_users ADD COLUMN phone TEXT;
ALTER TABLE staff_users ADD COLUMN phone_digits TEXT;
CREATE INDEX staff_users_phone ON staff_users(phone_digits);

-- A service centre's one phone number and its business calendar (JSON: opening hours per
-- weekday, own closing days, whether public holidays close it).
CREATE TABLE service_centres (
    org_id BLOB PRIMARY KEY REFERENCES organisations(id),
    phone TEXT NOT NULL,
    calendar TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Numbers handed out in order (case numbers): one row per counter, bumped in the writing
-- transaction, so two desks never hand out the same number on either backend.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
INSERT INTO counters (name, value) VALUES ('service_case', 1000);

CREATE TABLE service_cases (
    id BLOB PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    centre_org_id BLOB NOT NULL REFERENCES organisations(id),
    citizen_id BLOB REFERENCES citizens(id),
    requester_kind TEXT NOT NULL CHECK (requester_kind IN ('citizen','next_of_kin','staff','system')),
    requester_name TEXT NOT NULL,
    requester_user_id BLOB REFERENCES staff_users(id),
    channel TEXT NOT NULL CHECK (channel IN ('phone','web','staff','automatic')),
    category TEXT NOT NULL CHECK (category IN ('measurement_help','equipment_fault','delivery_pickup','login_access','staff_question','other')),
    subject TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('new','open','pending_citizen','pending_visit','pending_supplier','resolved','closed')),
    impact TEXT NOT NULL CHECK (impact IN ('high','medium','low')),
    urgency TEXT NOT NULL CHECK (urgency IN ('high','medium','low')),
    priority TEXT NOT NULL CHECK (priority IN ('acute','high','normal','low')),
    -- The lifecycle state with its clocks (telesund_core::servicedesk::case::CaseState).
    state TEXT NOT NULL,
    -- When the first running clock reaches its target; NULL while every clock stands.
    due_at INTEGER,
    escalation INTEGER NOT NULL DEFAULT 0,
    assignee_user_id BLOB REFERENCES staff_users(id),
    assignee_name TEXT,
    unit_id BLOB REFERENCES units(id),
    model_id BLOB REFERENCES device_models(id),
    payer_org_id BLOB REFERENCES organisations(id),
    care_plan_id BLOB REFERENCES care_plans(id),
    task_id BLOB,
    merged_into BLOB REFERENCES service_cases(id),
    resolution TEXT,
    first_contact INTEGER NOT NULL DEFAULT 0,
    data_flowing_at INTEGER,
    rating_token_hash TEXT UNIQUE,
    opened_at INTEGER NOT NULL,
    first_response_at INTEGER,
    resolved_at INTEGER,
    closed_at INTEGER,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX service_cases_active_due ON service_cases(due_at) WHERE status NOT IN ('resolved','closed');
CREATE INDEX service_cases_citizen ON service_cases(citizen_id, opened_at);
CREATE INDEX service_cases_assignee ON service_cases(assignee_user_id) WHERE status NOT IN ('resolved','closed');
CREATE INDEX service_cases_opened ON service_cases(opened_at);
CREATE INDEX service_cases_plan_open ON service_cases(care_plan_id) WHERE status NOT IN ('resolved','closed');
-- The minute sweep (measured with bench-servicedesk): a missing-measurement task's case, the
-- proactive cases still waiting for data, resolved cases to close, cases by status.
CREATE INDEX service_cases_task ON service_cases(task_id) WHERE task_id IS NOT NULL;
CREATE INDEX service_cases_silent ON service_cases(unit_id) WHERE channel = 'automatic' AND data_flowing_at IS NULL;
CREATE INDEX service_cases_resolved ON service_cases(resolved_at) WHERE status = 'resolved';
CREATE INDEX service_cases_status ON service_cases(status);

-- Everything a case did, in order; nothing is changed or removed afterwards.
CREATE TABLE case_events (
    id BLOB PRIMARY KEY,
    case_id BLOB NOT NULL REFERENCES service_cases(id),
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('internal','citizen')),
    text TEXT NOT NULL,
    ref TEXT,
    by_user_id BLOB,
    by_name TEXT NOT NULL
) STRICT;
CREATE INDEX case_events_case ON case_events(case_id, at);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'a case timeline is append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'a case timeline is append-only'); END;

CREATE TABLE case_ratings (
    case_id BLOB PRIMARY KEY REFERENCES service_cases(id),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT NOT NULL,
    via TEXT NOT NULL CHECK (via IN ('sms','portal')),
    rated_at INTEGER NOT NULL
) STRICT;

-- Calls the telephony integration reported: ringing until an agent answers one.
CREATE TABLE incoming_calls (
    id BLOB PRIMARY KEY,
    centre_org_id BLOB NOT NULL REFERENCES organisations(id),
    caller TEXT NOT NULL,
    digits TEXT NOT NULL,
    external_id TEXT,
    received_at INTEGER NOT NULL,
    answered_at INTEGER,
    answered_by_user_id BLOB REFERENCES staff_users(id),
    answered_by_name TEXT,
    case_id BLOB REFERENCES service_cases(id)
) STRICT;
CREATE INDEX incoming_calls_ringing ON incoming_calls(received_at) WHERE answered_at IS NULL;

-- Knowledge base: guides per device model and category, for citizens (public) or agents
-- (internal), and reply templates. search_text is the folded title and body.
CREATE TABLE kb_articles (
    id BLOB PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('guide','reply_template')),
    language TEXT NOT NULL CHECK (language IN ('da','en')),
    audience TEXT NOT NULL CHECK (audience IN ('public','internal')),
    category TEXT CHECK (category IN ('measurement_help','equipment_fault','delivery_pickup','login_access','staff_question','other')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    search_text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft','published','retired')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by_name TEXT NOT NULL
) STRICT;
CREATE TABLE kb_article_models (
    article_id BLOB NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    model_id BLOB NOT NULL REFERENCES device_models(id),
    PRIMARY KEY (article_id, model_id)
) STRICT;
CREATE INDEX kb_article_models_model ON kb_article_models(model_id);
CREATE TABLE kb_images (
    id BLOB PRIMARY KEY,
    article_id BLOB NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    alt TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX kb_images_article ON kb_images(article_id);

-- Notices to staff: an SLA warning, a breach, an escalation to the centre's lead.
CREATE TABLE staff_notifications (
    id BLOB PRIMARY KEY,
    user_id BLOB REFERENCES staff_users(id),
    org_id BLOB NOT NULL REFERENCES organisations(id),
    role TEXT,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    case_id BLOB REFERENCES service_cases(id),
    created_at INTEGER NOT NULL,
    read_at INTEGER
) STRICT;
CREATE INDEX staff_notifications_user ON staff_notifications(user_id, created_at);
CREATE INDEX staff_notifications_org ON staff_notifications(org_id, created_at);

-- A call that reveals a clinical concern becomes a task for the citizen's care team: the
-- task table learns the category (SQLite changes a CHECK only by rebuilding the table). A
-- missing-measurement task learns what the service desk found (support_note: the unit has
-- stopped sending, data flows again), which the missing-results job never overwrites.
CREATE TABLE tasks_new (
    id BLOB PRIMARY KEY,
    citizen_id BLOB NOT NULL REFERENCES citizens(id),
    care_plan_id BLOB NOT NULL REFERENCES care_plans(id),
    care_team_id BLOB NOT NULL REFERENCES care_teams(id),
    category TEXT NOT NULL CHECK (category IN ('assessment','missing','unexpected','service_desk')),
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
    completed_by_name TEXT,
    support_note TEXT
) STRICT;
INSERT INTO tasks_new SELECT id, citizen_id, care_plan_id, care_team_id, category, colour, priority, status,
    owner_user_id, owner_name, activity, window_start, window_end, description, oldest_result_at, created_at,
    updated_at, completed_at, completed_by_name, NULL FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_new RENAME TO tasks;
CREATE INDEX tasks_team_status ON tasks(care_team_id, status);
CREATE INDEX tasks_citizen_status ON tasks(citizen_id, status);
CREATE INDEX tasks_open_team ON tasks(care_team_id) WHERE status IN ('requested','in-progress');
