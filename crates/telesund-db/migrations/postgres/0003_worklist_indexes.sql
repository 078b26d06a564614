-- The worklist and the alarm-burden statistics at a team of 2,000 citizens and millions of
-- results (measured with the worklist tests' bulk fill and bench-monitoring).

-- The teams an organisation's clinicians serve (every worklist and acknowledgement asks).
CREATE INDEX care_team_members_org_role ON care_team_members(org_id, role);
-- Only open tasks are on a worklist; completed ones pile up for ever.
CREATE INDEX tasks_open_team ON tasks(care_team_id) WHERE status IN ('requested','in-progress');
-- Alarms of a plan in a period (alarm burden).
CREATE INDEX assessments_plan_alarms ON assessments(care_plan_id, result_at) WHERE colour IN ('yellow','red');
-- "Is any alarm of this plan still unseen?" (acknowledging, completing a task).
CREATE INDEX assessments_plan_unacknowledged_alarms ON assessments(care_plan_id) WHERE acknowledged_at IS NULL AND colour IN ('yellow','red');

-- A citizen's measurements newest first, paged by (time, id): with the id in the index a
-- page stops after its 51 rows. Without it PostgreSQL's generic plan for the search (after
-- five executions) sorted all of a citizen's ~1,100 rows a year (bench-monitoring: p99 50 ms
-- at concurrency 1).
CREATE INDEX observations_citizen_time_id ON observations(citizen_id, effective_at, id);
DROP INDEX observations_citizen_time;
