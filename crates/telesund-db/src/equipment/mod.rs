//! Equipment storage: the catalogue, units and their history, orders, visits, reprocessing,
//! maintenance, stock and statements. The rules (what a unit may do next, what a kit order
//! comes to, how a month is charged) live in `telesund_core::equipment`; this module loads
//! what they need and stores what they decide, with the unit's history and the order's
//! trace written in the same transaction as the change.

#[doc(hidden)]
pub mod bench_load;
pub mod catalogue;
pub mod costs;
pub mod devices;
pub mod orders;
pub mod stock;
pub mod units;
pub mod visits;

use crate::access::{AccessCtx, guard};
use crate::db::Db;
use crate::error::{DbError, Result};
use telesund_core::access::{Action, Decision, Resource};
use telesund_core::audit::AuditAction;
use time::Date;

/// A date column ('YYYY-MM-DD').
pub(crate) fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

pub(crate) fn parse_date(s: &str) -> Result<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|e| DbError::Internal(format!("stored date '{s}': {e}")))
}

pub(crate) fn opt_date(s: Option<String>) -> Result<Option<Date>> {
    s.as_deref().map(parse_date).transpose()
}

/// Today in Denmark.
pub(crate) fn today() -> Date {
    telesund_core::Timestamp::now().in_copenhagen().date()
}

impl Db {
    /// Whether the caller may run the service centre's equipment, decided and (when refused)
    /// audited as every equipment operation is: for pages that show only the catalogue.
    pub async fn check_equipment_access(&self, ctx: &AccessCtx) -> Result<()> {
        self.equipment_guard(ctx, AuditAction::Read, "equipment")
            .await
            .map(|_| ())
    }

    /// The service centre's own operations (catalogue, fulfilment, reprocessing ...): decides
    /// `ManageEquipment`, auditing a refusal.
    pub(crate) async fn equipment_guard(
        &self,
        ctx: &AccessCtx,
        action: AuditAction,
        entity: &str,
    ) -> Result<Decision> {
        guard(
            self,
            ctx,
            Action::ManageEquipment,
            Resource::Platform,
            action,
            entity,
            None,
        )
        .await
    }
}
