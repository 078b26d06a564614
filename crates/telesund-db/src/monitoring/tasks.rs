//! The care team's open work as triage writes it: one open task per plan and kind of work.

/// Creates the plan's open assessment task, or raises the open one: one task per plan and
/// kind of work, its colour the worst of what it holds, its age the oldest result's.
macro_rules! raise_task {
    ($tx:expr, $t:expr, $category:expr, $description:expr, $citizen:expr, $result_at:expr, $now:expr) => {{
        let t: &telesund_core::monitoring::assess::PlanTriage = $t;
        let category: telesund_core::monitoring::assess::TaskCategory = $category;
        let colour = t.assessment.colour;
        let open: Option<(uuid::Uuid, String)> = sqlx::query_as(
            // By citizen first: the (citizen_id, status) index finds the few open tasks.
            "SELECT id, colour FROM tasks WHERE citizen_id = $1 AND care_plan_id = $2 AND category = $3 \
             AND status IN ('requested','in-progress') LIMIT 1",
        )
        .bind($citizen.0)
        .bind(t.plan.0)
        .bind(category.as_str())
        .fetch_optional(&mut *$tx)
        .await?;
        // The open task may be completed by an acknowledgement committing meanwhile: the
        // update then touches nothing, and this result opens a new task.
        let raised = match open {
            Some((id, held)) => {
                let colour = telesund_core::monitoring::Colour::parse(&held)?.max(colour);
                sqlx::query(
                    "UPDATE tasks SET colour = $1, priority = $2, description = $3, updated_at = $4, \
                     oldest_result_at = CASE WHEN oldest_result_at < $5 THEN oldest_result_at ELSE $5 END \
                     WHERE id = $6 AND status IN ('requested','in-progress')",
                )
                .bind(colour.as_str())
                .bind(colour.task_priority())
                .bind($description)
                .bind($now.0)
                .bind($result_at.0)
                .bind(id)
                .execute(&mut *$tx)
                .await?
                .rows_affected()
                    > 0
            }
            None => false,
        };
        if !raised {
            sqlx::query(
                "INSERT INTO tasks (id, citizen_id, care_plan_id, care_team_id, category, colour, priority, status, description, oldest_result_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'requested', $8, $9, $10, $10)",
            )
            .bind(telesund_core::ids::TaskId::new().0)
            .bind($citizen.0)
            .bind(t.plan.0)
            .bind(t.team.0)
            .bind(category.as_str())
            .bind(colour.as_str())
            .bind(colour.task_priority())
            .bind($description)
            .bind($result_at.0)
            .bind($now.0)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(crate) use raise_task;
