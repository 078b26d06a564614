//! The approved catalogue (models), the programmes' kits, visit prices and warehouses. None
//! of this is personal data: every staff member may read it; only the service centre
//! changes it, and each change is audited.

use crate::access::AccessCtx;
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result};
use crate::monitoring::{from_json, to_json};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use telesund_core::Timestamp;
use telesund_core::audit::AuditAction;
use telesund_core::equipment::catalogue::{
    Connectivity, DeviceRole, HygieneClass, Kit, Maintenance, MaintenanceKind, Model, ModelStatus,
};
use telesund_core::equipment::{Ore, ServiceType};
use telesund_core::ids::*;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warehouse {
    pub id: WarehouseId,
    pub org_id: OrgId,
    pub name: String,
    pub address: String,
}

pub(crate) const MODEL_COLUMNS: &str = "id, manufacturer, name, role, udi_di, measures, connectivity, hygiene_class, reprocessing_procedure, \
     maintenance_kind, maintenance_days, purchase_price, day_rate, reprocessing_price, status, programmes, organisations";

macro_rules! model_from_row {
    ($r:expr) => {{
        let text = |c: &str| -> Result<String> { Ok($r.try_get::<String, _>(c)?) };
        let kind: Option<String> = $r.try_get("maintenance_kind")?;
        let days: Option<i64> = $r.try_get("maintenance_days")?;
        Model {
            id: ModelId($r.try_get("id")?),
            manufacturer: text("manufacturer")?,
            name: text("name")?,
            role: DeviceRole::parse(&text("role")?)?,
            udi_di: text("udi_di")?,
            measures: from_json(&text("measures")?)?,
            connectivity: Connectivity::parse(&text("connectivity")?)?,
            hygiene_class: HygieneClass::parse(&text("hygiene_class")?)?,
            reprocessing_procedure: text("reprocessing_procedure")?,
            maintenance: match (kind, days) {
                (Some(k), Some(d)) => Some(Maintenance {
                    kind: MaintenanceKind::parse(&k)?,
                    interval_days: d as u32,
                }),
                _ => None,
            },
            purchase_price: $r.try_get("purchase_price")?,
            day_rate: $r.try_get("day_rate")?,
            reprocessing_price: $r.try_get("reprocessing_price")?,
            status: ModelStatus::parse(&text("status")?)?,
            programmes: from_json(&text("programmes")?)?,
            organisations: from_json(&text("organisations")?)?,
        }
    }};
}

impl Db {
    /// The whole catalogue, by role then manufacturer and name.
    pub async fn models(&self) -> Result<Vec<Model>> {
        on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {MODEL_COLUMNS} FROM device_models ORDER BY role, manufacturer, name"
            )))
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok(model_from_row!(r)))
                .collect::<Result<Vec<_>>>()
        })
    }

    pub async fn model(&self, id: ModelId) -> Result<Model> {
        self.models()
            .await?
            .into_iter()
            .find(|m| m.id == id)
            .ok_or_else(|| DbError::not_found("model"))
    }

    /// Adds a model to the catalogue or changes one (by id). Withdrawing a model stops new
    /// orders for it; units already in homes keep serving.
    pub async fn save_model(&self, ctx: &AccessCtx, model: Model) -> Result<Model> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Update, "device_model")
            .await?;
        model.validate()?;
        let mut record = ctx.record(&decision, AuditAction::Update, "device_model", None, None);
        record.entity_id = Some(model.id.to_string());
        let records = [record];
        let (kind, days) = match model.maintenance {
            Some(m) => (Some(m.kind.as_str()), Some(i64::from(m.interval_days))),
            None => (None, None),
        };
        let measures = to_json(&model.measures)?;
        let programmes = to_json(&model.programmes)?;
        let organisations = to_json(&model.organisations)?;
        let result = on_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO device_models (id, manufacturer, name, role, udi_di, measures, connectivity, hygiene_class, \
                 reprocessing_procedure, maintenance_kind, maintenance_days, purchase_price, day_rate, reprocessing_price, \
                 status, programmes, organisations, updated_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18) \
                 ON CONFLICT (id) DO UPDATE SET manufacturer = excluded.manufacturer, name = excluded.name, \
                 role = excluded.role, udi_di = excluded.udi_di, measures = excluded.measures, \
                 connectivity = excluded.connectivity, hygiene_class = excluded.hygiene_class, \
                 reprocessing_procedure = excluded.reprocessing_procedure, maintenance_kind = excluded.maintenance_kind, \
                 maintenance_days = excluded.maintenance_days, purchase_price = excluded.purchase_price, \
                 day_rate = excluded.day_rate, reprocessing_price = excluded.reprocessing_price, status = excluded.status, \
                 programmes = excluded.programmes, organisations = excluded.organisations, updated_at = excluded.updated_at",
            )
            .bind(model.id.0)
            .bind(model.manufacturer.trim())
            .bind(model.name.trim())
            .bind(model.role.as_str())
            .bind(&model.udi_di)
            .bind(&measures)
            .bind(model.connectivity.as_str())
            .bind(model.hygiene_class.as_str())
            .bind(model.reprocessing_procedure.trim())
            .bind(kind)
            .bind(days)
            .bind(model.purchase_price)
            .bind(model.day_rate)
            .bind(model.reprocessing_price)
            .bind(model.status.as_str())
            .bind(&programmes)
            .bind(&organisations)
            .bind(Timestamp::now().0)
            .execute(&mut *tx)
            .await?;
            crate::audit::insert_records!(tx, records)
        });
        match result {
            Err(DbError::Sql(e)) if crate::error::is_unique_violation(&e) => {
                Err(DbError::conflict(
                    telesund_core::ErrorCode::Conflict,
                    format!("another model has the UDI-DI {}", model.udi_di),
                ))
            }
            other => other.map(|_| model),
        }
    }

    pub async fn kits(&self) -> Result<Vec<Kit>> {
        on_read!(self, |c| {
            let rows = sqlx::query("SELECT id, programme_id, name, roles FROM kits ORDER BY name")
                .fetch_all(&mut *c)
                .await?;
            rows.iter()
                .map(|r| {
                    let roles: String = r.try_get("roles")?;
                    Ok(Kit {
                        id: KitId(r.try_get("id")?),
                        programme_id: ProgrammeId(r.try_get("programme_id")?),
                        name: r.try_get("name")?,
                        roles: from_json(&roles)?,
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
    }

    pub async fn kit_for_programme(&self, programme: ProgrammeId) -> Result<Option<Kit>> {
        Ok(self
            .kits()
            .await?
            .into_iter()
            .find(|k| k.programme_id == programme))
    }

    /// Sets a programme's kit (one per programme; saving replaces the roles).
    pub async fn save_kit(&self, ctx: &AccessCtx, kit: Kit) -> Result<Kit> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Update, "kit")
            .await?;
        self.programme(kit.programme_id).await?;
        kit.validate(&self.models().await?)?;
        let mut record = ctx.record(&decision, AuditAction::Update, "kit", None, None);
        record.entity_id = Some(kit.id.to_string());
        let records = [record];
        let roles = to_json(&kit.roles)?;
        let id: uuid::Uuid = on_write!(self, |tx| {
            let id = sqlx::query_scalar(
                "INSERT INTO kits (id, programme_id, name, roles, updated_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (programme_id) DO UPDATE SET name = excluded.name, roles = excluded.roles, updated_at = excluded.updated_at \
                 RETURNING id",
            )
            .bind(kit.id.0)
            .bind(kit.programme_id.0)
            .bind(kit.name.trim())
            .bind(&roles)
            .bind(Timestamp::now().0)
            .fetch_one(&mut *tx)
            .await?;
            crate::audit::insert_records!(tx, records)?;
            Ok(id)
        })?;
        Ok(Kit {
            id: KitId(id),
            ..kit
        })
    }

    /// What a visit of each service type costs (types without a price cost nothing).
    pub async fn service_prices(&self) -> Result<Vec<(ServiceType, Ore)>> {
        on_read!(self, |c| {
            let rows: Vec<(String, i64)> = sqlx::query_as(
                "SELECT service_type, price FROM service_prices ORDER BY service_type",
            )
            .fetch_all(&mut *c)
            .await?;
            rows.into_iter()
                .map(|(t, p)| Ok((ServiceType::parse(&t)?, p)))
                .collect::<Result<Vec<_>>>()
        })
    }

    pub async fn set_service_price(
        &self,
        ctx: &AccessCtx,
        service: ServiceType,
        price: Ore,
    ) -> Result<()> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Update, "service_price")
            .await?;
        if price < 0 {
            return Err(telesund_core::DomainError::invalid("a price cannot be negative").into());
        }
        let mut record = ctx.record(&decision, AuditAction::Update, "service_price", None, None);
        record.entity_id = Some(service.as_str().into());
        let records = [record];
        on_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO service_prices (service_type, price) VALUES ($1, $2) \
                 ON CONFLICT (service_type) DO UPDATE SET price = excluded.price",
            )
            .bind(service.as_str())
            .bind(price)
            .execute(&mut *tx)
            .await?;
            crate::audit::insert_records!(tx, records)
        })
    }

    pub async fn warehouses(&self) -> Result<Vec<Warehouse>> {
        on_read!(self, |c| {
            let rows =
                sqlx::query("SELECT id, org_id, name, address FROM warehouses ORDER BY name")
                    .fetch_all(&mut *c)
                    .await?;
            rows.iter()
                .map(|r| {
                    Ok(Warehouse {
                        id: WarehouseId(r.try_get("id")?),
                        org_id: OrgId(r.try_get("org_id")?),
                        name: r.try_get("name")?,
                        address: r.try_get("address")?,
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
    }

    pub async fn create_warehouse(
        &self,
        ctx: &AccessCtx,
        org_id: OrgId,
        name: &str,
        address: &str,
    ) -> Result<Warehouse> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Create, "warehouse")
            .await?;
        if name.trim().is_empty() {
            return Err(telesund_core::DomainError::invalid("a warehouse needs a name").into());
        }
        let w = Warehouse {
            id: WarehouseId::new(),
            org_id,
            name: name.trim().into(),
            address: address.trim().into(),
        };
        let mut record = ctx.record(&decision, AuditAction::Create, "warehouse", None, None);
        record.entity_id = Some(w.id.to_string());
        let records = [record];
        on_write!(self, |tx| {
            sqlx::query("INSERT INTO warehouses (id, org_id, name, address, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(w.id.0)
                .bind(w.org_id.0)
                .bind(&w.name)
                .bind(&w.address)
                .bind(Timestamp::now().0)
                .execute(&mut *tx)
                .await?;
            crate::audit::insert_records!(tx, records)
        })?;
        Ok(w)
    }
}
