-- A citizen's facts version moves with every change to what the access rule and triage read
-- about them: enrolments, care teams and their members, consents and care plans. The server
-- keeps those facts in memory between requests and re-reads them only when this number has
-- moved, so a withdrawn consent or an ended membership takes effect on the next request, on
-- every replica. Triggers, not application code, move it: no write path can forget to.
ALTER TABLE citizens ADD COLUMN facts_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION citizen_facts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE citizens SET facts_version = facts_version + 1 WHERE id = OLD.citizen_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE citizens SET facts_version = facts_version + 1 WHERE id = NEW.citizen_id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION care_team_member_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE citizens SET facts_version = facts_version + 1
        WHERE id = (SELECT citizen_id FROM care_teams WHERE id = OLD.team_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE citizens SET facts_version = facts_version + 1
        WHERE id = (SELECT citizen_id FROM care_teams WHERE id = NEW.team_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER enrolments_facts AFTER INSERT OR UPDATE OR DELETE ON enrolments
FOR EACH ROW EXECUTE FUNCTION citizen_facts_changed();
CREATE TRIGGER consents_facts AFTER INSERT OR UPDATE OR DELETE ON consents
FOR EACH ROW EXECUTE FUNCTION citizen_facts_changed();
CREATE TRIGGER care_teams_facts AFTER INSERT OR UPDATE OR DELETE ON care_teams
FOR EACH ROW EXECUTE FUNCTION citizen_facts_changed();
CREATE TRIGGER care_plans_facts AFTER INSERT OR DELETE ON care_plans
FOR EACH ROW EXECUTE FUNCTION citizen_facts_changed();
-- Only the columns a plan is read with: the missing-results check's own bookkeeping
-- (missing_checked_until) moves every few minutes and changes nothing the facts hold.
CREATE TRIGGER care_plans_facts_update AFTER UPDATE OF
    citizen_id, enrolment_id, programme_version_id, care_team_id, status, definition, started_at, paused_at, ended_at ON care_plans
FOR EACH ROW EXECUTE FUNCTION citizen_facts_changed();
CREATE TRIGGER care_team_members_facts AFTER INSERT OR UPDATE OR DELETE ON care_team_members
FOR EACH ROW EXECUTE FUNCTION care_team_member_changed();
