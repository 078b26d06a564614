-- A citizen's facts version moves with every change to what the access rule and triage read
-- about them: enrolments, care teams and their members, consents and care plans. The server
-- keeps those facts in memory between requests and re-reads them only when this number has
-- moved, so a withdrawn consent or an ended membership takes effect on the next request, on
-- every replica. Triggers, not application code, move it: no write path can forget to.
ALTER TABLE citizens ADD COLUMN facts_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER enrolments_facts_insert AFTER INSERT ON enrolments
BEGIN UPDATE citizens SET facts_version = facts_version + 1 WHERE id = NEW.citizen_id; END;
CREATE TRIGGER enrolments_facts_update AFTER UPDATE ON enrolments
BEGIN UPDATE citizens SET facts_version = facts_version + 1 WHERE id IN (OLD.citizen_id, NEW.citizen_id); END;
CREATE TRIGGER enrolments_facts_delete AFTER DELETE ON enrolments
BEGIN UPDATE citizens SET facts_version = facts_version + 1 WHERE id = OLD.citizen_id; END;

CREATE TRIGGER consents_facts_insert AFTER INSERT ON consents
BEGIN UPDATE citizens SET facts_version = facts_version + 1 WHERE id = NEW.citizen_id; END;
CREATE TRIGGER consents_facts_update AFTER UPDATE ON consents
BEGIN UPDATE citizens SET facts_version = facts_version + 1 WHERE id IN (OLD.citizen_id, NEW.citizen_id); END;
CREATE TRIGGER consents_facts_delete AFTER DELETE ON consents
BEGIN UPDATE citizens SET facts_version = facts_version + 1 WHERE id = OLD.citizen_id; END;

CREATE TRIGGER care_teams_facts_insert AFTER INSERT ON care_teams
BEGIN UPDATE citizens SET facts_version = facts_version + 1 WHERE id = NEW.citizen_id; END;
CREATE TRIGGER care_teams_facts_update AFTER UPDATE ON care_teams
BEGIN UPDATE citizens SET facts_version = facts_version + 1 WHERE id IN (OLD.citizen_id, NEW.citizen_id); END;
CREATE TRIGGER care_teams_facts_delete AFTER DELETE ON care_teams
BEGIN UPDATE citizens SET facts_version = facts_version + 1 WHERE id = OLD.citizen_id; END;

CREATE TRIGGER care_team_members_facts_insert AFTER INSERT ON care_team_members
BEGIN UPDATE citizens SET facts_version = facts_version + 1
      WHERE id = (SELECT citizen_id FROM care_teams WHERE id = NEW.team_id); END;
CREATE TRIGGER care_team_members_facts_update AFTER UPDATE ON care_team_members
BEGIN UPDATE citizens SET facts_version = facts_version + 1
      WHERE id IN (SELECT citizen_id FROM care_teams WHERE id IN (OLD.team_id, NEW.team_id)); END;
CREATE TRIGGER care_team_members_facts_delete AFTER DELETE ON care_team_members
BEGIN UPDATE citizens SET facts_version = facts_version + 1
      WHERE id = (SELECT citizen_id FROM care_teams WHERE id = OLD.team_id); END;

CREATE TRIGGER care_plans_facts_insert AFTER INSERT ON care_plans
BEGIN UPDATE citizens SET facts_version = facts_version + 1 WHERE id = NEW.citizen_id; END;
-- Only the columns a plan is read with: the missing-results check's own bookkeeping
-- (missing_checked_until) moves every few minutes and changes nothing the facts hold.
CREATE TRIGGER care_plans_facts_update AFTER UPDATE OF
    citizen_id, enrolment_id, programme_version_id, care_team_id, status, definition, started_at, paused_at, ended_at ON care_plans
BEGIN UPDATE citizens SET facts_version = facts_version + 1 WHERE id IN (OLD.citizen_id, NEW.citizen_id); END;
CREATE TRIGGER care_plans_facts_delete AFTER DELETE ON care_plans
BEGIN UPDATE citizens SET facts_version = facts_version + 1 WHERE id = OLD.citizen_id; END;
