//! The care team's open work as triage writes it: one open task per plan and kind of work.

use std::collections::HashMap;
use telesund_core::Timestamp;
use telesund_core::ids::{CarePlanId, CareTeamId, CitizenId};
use telesund_core::monitoring::Colour;
use telesund_core::monitoring::assess::TaskCategory;

/// One result's claim on its plan's open task of a kind.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Raise<'a> {
    pub citizen: CitizenId,
    pub plan: CarePlanId,
    pub team: CareTeamId,
    pub category: TaskCategory,
    pub colour: Colour,
    pub description: &'a str,
    /// When the result was measured or answered: the task's age is its oldest result's.
    pub result_at: Timestamp,
    pub now: Timestamp,
}

/// Results' claims folded into one per plan and kind of work, in the order first seen: the
/// worst colour, the oldest result, the latest description and time. This is what raising
/// them one after another would leave, so a commit may raise them all at once.
pub(crate) fn fold_raises<'a>(raises: impl IntoIterator<Item = Raise<'a>>) -> Vec<Raise<'a>> {
    let mut folded: Vec<Raise<'a>> = Vec::new();
    let mut at: HashMap<(CarePlanId, TaskCategory), usize> = HashMap::new();
    for r in raises {
        match at.get(&(r.plan, r.category)) {
            Some(&i) => {
                let f = &mut folded[i];
                f.colour = f.colour.max(r.colour);
                f.result_at = f.result_at.min(r.result_at);
                f.description = r.description;
                f.now = f.now.max(r.now);
            }
            None => {
                at.insert((r.plan, r.category), folded.len());
                folded.push(r);
            }
        }
    }
    folded
}

/// Creates each plan's open task of the kind, or raises the open one — its colour the worst
/// of what it holds, its age the oldest result's — in three statements however many there
/// are: read the open tasks, raise them, create the rest. `$raises` must be folded (see
/// [`fold_raises`]). An open task completed by an acknowledgement committing meanwhile is
/// not raised (the update matches only open tasks) and the result opens a new one.
macro_rules! raise_tasks {
    ($tx:expr, $raises:expr) => {{
        let raises: &[$crate::monitoring::tasks::Raise] = $raises;
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
            let new: Vec<&$crate::monitoring::tasks::Raise> = raises
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

#[cfg(test)]
mod tests {
    use super::*;

    fn raise(plan: CarePlanId, colour: Colour, description: &str, at: i64) -> Raise<'_> {
        Raise {
            citizen: CitizenId(uuid::Uuid::nil()),
            plan,
            team: CareTeamId(uuid::Uuid::nil()),
            category: TaskCategory::Assessment,
            colour,
            description,
            result_at: Timestamp(at),
            now: Timestamp(at + 1),
        }
    }

    #[test]
    fn folding_keeps_one_claim_per_plan_with_the_worst_colour_and_the_oldest_result() {
        let a = CarePlanId(uuid::Uuid::from_u128(1));
        let b = CarePlanId(uuid::Uuid::from_u128(2));
        let folded = fold_raises([
            raise(a, Colour::Yellow, "første", 20),
            raise(b, Colour::Yellow, "anden plan", 30),
            raise(a, Colour::Red, "rød", 10),
            raise(a, Colour::Yellow, "seneste", 40),
        ]);
        assert_eq!(folded.len(), 2);
        assert_eq!(folded[0].plan, a, "in the order first seen");
        assert_eq!(folded[0].colour, Colour::Red);
        assert_eq!(folded[0].result_at, Timestamp(10));
        assert_eq!(folded[0].description, "seneste");
        assert_eq!(folded[0].now, Timestamp(41));
        assert_eq!(folded[1], raise(b, Colour::Yellow, "anden plan", 30));
    }
}
