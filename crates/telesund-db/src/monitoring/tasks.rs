//! The care team's open work as triage writes it: one open task per plan and kind of work.

/// Creates each plan's open task of the kind, or raises the open one — its colour the worst
/// of what it holds, its age the oldest result's — in three statements however many there
/// are: read the open tasks, raise them, create the rest. `$raises` must be folded (see
/// `telesund_core::monitoring::work::fold_raises`). An open task completed by an acknowledgement committing meanwhile is
/// not raised (the update matches only open tasks) and the result opens a new one.
macro_rules! raise_tasks {
    ($tx:expr, $raises:expr) => {{
        let raises: &[telesund_core::monitoring::work::Raise] = $raises;
        if !raises.is_empty() {
            let mut citizens: Vec<uuid::Uuid> = raises.iter().map(|r| r.citizen.0).collect();
            citizens.sort_unstable();
            citizens.dedup();
            // By citizen first: the (citizen_id, status) index finds the few open tasks.
            let mut q = sqlx::query_as::<_, (uuid::Uuid, String, uuid::Uuid, String)>(
                sqlx::AssertSqlSafe(format!(
                    "SELECT id, colour, care_plan_id, category FROM tasks WHERE citizen_id IN ({}) \
                     AND status IN ('requested','in-progress')",
                    $crate::db::placeholders(1, citizens.len())
                )),
            );
            for c in &citizens {
                q = q.bind(*c);
            }
            let mut open: std::collections::HashMap<(uuid::Uuid, String), (uuid::Uuid, String)> =
                std::collections::HashMap::new();
            for (id, colour, plan, category) in q.fetch_all(&mut *$tx).await? {
                open.entry((plan, category)).or_insert((id, colour));
            }
            let mut raised_ids: Vec<(usize, uuid::Uuid, telesund_core::monitoring::Colour)> =
                Vec::new();
            for (i, r) in raises.iter().enumerate() {
                if let Some((id, held)) = open.get(&(r.plan.0, r.category.as_str().to_string())) {
                    let colour = telesund_core::monitoring::Colour::parse(held)?.max(r.colour);
                    raised_ids.push((i, *id, colour));
                }
            }
            let mut raised: std::collections::HashSet<uuid::Uuid> =
                std::collections::HashSet::new();
            if !raised_ids.is_empty() {
                let values = (0..raised_ids.len())
                    .map(|k| {
                        let p = 6 * k;
                        format!(
                            "SELECT ${} AS task_id, ${} AS new_colour, ${} AS new_priority, \
                             ${} AS new_description, ${} AS new_now, ${} AS new_result_at",
                            p + 1,
                            p + 2,
                            p + 3,
                            p + 4,
                            p + 5,
                            p + 6
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" UNION ALL ");
                let mut q = sqlx::query_scalar::<_, uuid::Uuid>(sqlx::AssertSqlSafe(format!(
                    "UPDATE tasks SET colour = v.new_colour, priority = v.new_priority, \
                     description = v.new_description, updated_at = v.new_now, \
                     oldest_result_at = CASE WHEN oldest_result_at < v.new_result_at \
                     THEN oldest_result_at ELSE v.new_result_at END \
                     FROM ({values}) AS v \
                     WHERE id = v.task_id AND status IN ('requested','in-progress') RETURNING id"
                )));
                for (i, id, colour) in &raised_ids {
                    let r = &raises[*i];
                    q = q
                        .bind(*id)
                        .bind(colour.as_str())
                        .bind(colour.task_priority())
                        .bind(r.description)
                        .bind(r.now.0)
                        .bind(r.result_at.0);
                }
                raised.extend(q.fetch_all(&mut *$tx).await?);
            }
            let still_open = |i: usize| {
                raised_ids
                    .iter()
                    .any(|(k, id, _)| *k == i && raised.contains(id))
            };
            let new: Vec<&telesund_core::monitoring::work::Raise> = raises
                .iter()
                .enumerate()
                .filter(|(i, _)| !still_open(*i))
                .map(|(_, r)| r)
                .collect();
            for chunk in new.chunks(100) {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(
                    $crate::monitoring::writer::values_sql(
                        "INSERT INTO tasks (id, citizen_id, care_plan_id, care_team_id, category, colour, priority, \
                         status, description, oldest_result_at, created_at, updated_at) VALUES ",
                        12,
                        chunk.len(),
                    ),
                ));
                for r in chunk {
                    q = q
                        .bind(telesund_core::ids::TaskId::new().0)
                        .bind(r.citizen.0)
                        .bind(r.plan.0)
                        .bind(r.team.0)
                        .bind(r.category.as_str())
                        .bind(r.colour.as_str())
                        .bind(r.colour.task_priority())
                        .bind("requested")
                        .bind(r.description)
                        .bind(r.result_at.0)
                        .bind(r.now.0)
                        .bind(r.now.0);
                }
                q.execute(&mut *$tx).await?;
            }
        }
    }};
}
pub(crate) use raise_tasks;
