//! The service desk's reports: loads the facts of every case opened in a period and hands
//! them to `telesund_core::servicedesk::report`, which does the counting. Aggregates only —
//! no citizen is named or loaded — so the read is decided as the desk's own work and audited
//! once, not per citizen.

use crate::access::AccessCtx;
use crate::db::{Db, on_read};
use crate::error::{DbError, Result};
use sqlx::Row;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use telesund_core::Timestamp;
use telesund_core::audit::AuditAction;
use telesund_core::ids::OrgId;
use telesund_core::servicedesk::case::{CaseState, Category, Channel};
use telesund_core::servicedesk::report::{CaseFacts, Period, ServiceReport};
use telesund_core::servicedesk::sla::BusinessCalendar;

impl Db {
    /// The report over the cases opened in `period`, of one service centre or (None) of
    /// every centre. Merged duplicates are left out: the case they were merged into counts.
    /// Running clocks are judged now, each on its own centre's calendar.
    pub async fn service_report(
        &self,
        ctx: &AccessCtx,
        centre: Option<OrgId>,
        period: Period,
    ) -> Result<ServiceReport> {
        let decision = self
            .desk_guard(ctx, AuditAction::Read, "service_report")
            .await?;
        let (from, to) = period.bounds();
        let cases: Vec<CaseFacts> = on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT s.centre_org_id, s.channel, s.category, s.state, s.first_contact, s.opened_at, \
                 s.resolved_at, s.data_flowing_at, m.manufacturer || ' ' || m.name AS model, p.name AS payer \
                 FROM service_cases s LEFT JOIN device_models m ON m.id = s.model_id \
                 LEFT JOIN organisations p ON p.id = s.payer_org_id \
                 WHERE s.opened_at >= $1 AND s.opened_at < $2 AND s.merged_into IS NULL \
                 AND ($3 IS NULL OR s.centre_org_id = $3)",
            )
            .bind(from.0)
            .bind(to.0)
            .bind(centre.map(|o| o.0))
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    let state: String = r.try_get("state")?;
                    Ok(CaseFacts {
                        centre: OrgId(r.try_get("centre_org_id")?),
                        channel: Channel::parse(r.try_get("channel")?)?,
                        category: Category::parse(r.try_get("category")?)?,
                        model: r.try_get("model")?,
                        payer: r.try_get("payer")?,
                        state: serde_json::from_str::<CaseState>(&state)
                            .map_err(|e| DbError::Internal(format!("stored case state: {e}")))?,
                        first_contact: r.try_get("first_contact")?,
                        opened_at: Timestamp(r.try_get("opened_at")?),
                        resolved_at: r.try_get::<Option<i64>, _>("resolved_at")?.map(Timestamp),
                        data_flowing_at: r
                            .try_get::<Option<i64>, _>("data_flowing_at")?
                            .map(Timestamp),
                    })
                })
                .collect::<Result<Vec<_>>>()
        })?;
        // One calendar per centre that has cases (usually one), with the same fallback the
        // queue uses for a centre that has not set its hours.
        let mut calendars: BTreeMap<OrgId, BusinessCalendar> = BTreeMap::new();
        for c in &cases {
            if let Entry::Vacant(e) = calendars.entry(c.centre) {
                e.insert(self.desk_calendar(c.centre).await?);
            }
        }
        let office = BusinessCalendar::office_hours();
        let report = ServiceReport::build(
            period,
            &cases,
            |org| calendars.get(&org).unwrap_or(&office),
            Timestamp::now(),
        );
        self.audit(vec![ctx.record(
            &decision,
            AuditAction::Read,
            "service_report",
            None,
            None,
        )])
        .await?;
        Ok(report)
    }
}
