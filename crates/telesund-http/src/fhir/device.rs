//! `/fhir/Device`: the service centre's serial-numbered units, read and searched (by
//! `patient`, `serial-number`, `status`, `udi-di`), ordered by id and paged by `_page`.

use super::observation::input_error;
use super::rest::{Fhir, Params, logical_id, searchset};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::response::IntoResponse;
use telesund_core::ids::UnitId;
use telesund_db::equipment::devices::{DeviceFilter, DeviceRecord};
use telesund_fhir::device::{Device, DeviceFacts, SEARCH_PARAMS, from_unit, parse_search};

fn device(r: &DeviceRecord) -> Device {
    let s = &r.summary;
    from_unit(&DeviceFacts {
        id: s.unit.id,
        model: &s.model,
        pi: &s.unit.pi,
        device_id: s.unit.device_id.as_deref(),
        state: s.unit.state,
        citizen: s.holder,
        owner_org: (r.owner_org_id.to_string(), &r.owner_name),
        updated_at: s.unit.updated_at,
    })
}

pub async fn read(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: UnitId = logical_id(&id, "Device")?;
    let r = state.db.device(&auth.ctx(), id).await?;
    Ok(Fhir(device(&r)))
}

pub async fn search(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(query.as_deref(), SEARCH_PARAMS)?;
    let pairs = match query.as_deref() {
        None | Some("") => Vec::new(),
        Some(q) => crate::middleware::urlencoded_pairs(q.as_bytes()),
    };
    let search = parse_search(&pairs).map_err(input_error)?;
    let count = search.count as usize;
    let mut found = state
        .db
        .search_devices(
            &auth.ctx(),
            &DeviceFilter {
                patient: search.patient,
                serial_number: search.serial_number,
                states: search.status.map(|s| s.states()),
                udi_di: search.udi_di,
                after: search.after,
                limit: search.count + 1,
            },
        )
        .await?;
    let next = if found.len() > count {
        found.truncate(count);
        found
            .last()
            .map(|r| ("_page", r.summary.unit.id.to_string()))
    } else {
        None
    };
    let entries = found
        .iter()
        .map(|r| (format!("Device/{}", r.summary.unit.id), device(r)))
        .collect();
    Ok(searchset(&state, "Device", &params, next, entries))
}
