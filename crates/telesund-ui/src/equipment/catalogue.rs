//! The approved catalogue (models, with prices typed and shown in kroner), visit prices per
//! FUT service type, and the kit editor: per programme, its roles and the models allowed
//! for each.

use super::{Flash, Opt, Shell, eq_page, gate, kr, opt, refusal};
use crate::page::{OrPage, Page, PageResult, StaffAuth, path_id, render, see_other};
use askama::Template;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use telesund_core::equipment::catalogue::{
    Connectivity, DeviceRole, HygieneClass, Kit, KitRole, Maintenance, MaintenanceKind, Model,
    ModelStatus,
};
use telesund_core::equipment::{ServiceType, format_dkk, parse_dkk};
use telesund_core::identity::Language;
use telesund_core::ids::{KitId, ModelId, OrgId, ProgrammeId};
use telesund_core::monitoring::MeasurementType;
use telesund_http::auth::Auth;
use telesund_http::{ApiError, AppState};

fn measurement_name(lang: Language, m: MeasurementType) -> &'static str {
    match lang {
        Language::Danish => m.danish(),
        Language::English => m.english(),
    }
}

/// A model in the catalogue table.
pub struct ModelRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub udi_di: String,
    pub measures: String,
    pub connectivity: String,
    pub hygiene: String,
    pub maintenance: String,
    pub purchase_price: String,
    pub day_rate: String,
    pub reprocessing_price: String,
    pub status: String,
    pub approved_for: String,
    pub available: i64,
}

/// The model form's values as typed (kept when the form is refused).
#[derive(Default)]
pub struct ModelForm {
    pub id: String,
    pub manufacturer: String,
    pub name: String,
    pub role: String,
    pub udi_di: String,
    pub measures: Vec<String>,
    pub connectivity: String,
    pub hygiene_class: String,
    pub procedure: String,
    pub maintenance_kind: String,
    pub maintenance_days: String,
    pub purchase_price: String,
    pub day_rate: String,
    pub reprocessing_price: String,
    pub status: String,
    pub programmes: Vec<String>,
    pub organisations: Vec<String>,
}

impl ModelForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let one = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let all = |k: &str| {
            pairs
                .iter()
                .filter(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
                .collect()
        };
        ModelForm {
            id: one("id"),
            manufacturer: one("manufacturer"),
            name: one("name"),
            role: one("role"),
            udi_di: one("udi_di"),
            measures: all("measures"),
            connectivity: one("connectivity"),
            hygiene_class: one("hygiene_class"),
            procedure: one("procedure"),
            maintenance_kind: one("maintenance_kind"),
            maintenance_days: one("maintenance_days"),
            purchase_price: one("purchase_price"),
            day_rate: one("day_rate"),
            reprocessing_price: one("reprocessing_price"),
            status: one("status"),
            programmes: all("programmes"),
            organisations: all("organisations"),
        }
    }

    fn from_model(m: &Model) -> Self {
        ModelForm {
            id: m.id.to_string(),
            manufacturer: m.manufacturer.clone(),
            name: m.name.clone(),
            role: m.role.as_str().into(),
            udi_di: m.udi_di.clone(),
            measures: m.measures.iter().map(|x| x.as_str().to_string()).collect(),
            connectivity: m.connectivity.as_str().into(),
            hygiene_class: m.hygiene_class.as_str().into(),
            procedure: m.reprocessing_procedure.clone(),
            maintenance_kind: m
                .maintenance
                .map(|m| m.kind.as_str().to_string())
                .unwrap_or_default(),
            maintenance_days: m
                .maintenance
                .map(|m| m.interval_days.to_string())
                .unwrap_or_default(),
            purchase_price: format_dkk(m.purchase_price),
            day_rate: format_dkk(m.day_rate),
            reprocessing_price: format_dkk(m.reprocessing_price),
            status: m.status.as_str().into(),
            programmes: m.programmes.iter().map(|p| p.to_string()).collect(),
            organisations: m.organisations.iter().map(|o| o.to_string()).collect(),
        }
    }

    /// The model the form describes, or what is wrong with it (in the user's language).
    fn to_model(&self, page: &Page) -> Result<Model, String> {
        let invalid = |detail: String| page.t1("eq-error-invalid", "detail", detail);
        let amount = |label: &str, text: &str| {
            parse_dkk(text).map_err(|_| page.t1("eq-error-amount", "field", page.t(label)))
        };
        let id = if self.id.is_empty() {
            ModelId::new()
        } else {
            self.id
                .parse()
                .map_err(|_| page.t("error-not-found-form"))?
        };
        let maintenance = match self.maintenance_kind.as_str() {
            "" => None,
            k => {
                let kind = MaintenanceKind::parse(k).map_err(|e| invalid(e.message))?;
                let days: u32 = self
                    .maintenance_days
                    .parse()
                    .map_err(|_| page.t("eq-error-interval"))?;
                Some((kind, days))
            }
        };
        let programmes: Vec<ProgrammeId> = parse_ids(page, &self.programmes)?;
        let organisations: Vec<OrgId> = parse_ids(page, &self.organisations)?;
        Ok(Model {
            id,
            manufacturer: self.manufacturer.clone(),
            name: self.name.clone(),
            role: DeviceRole::parse(&self.role).map_err(|e| invalid(e.message))?,
            udi_di: self.udi_di.replace(' ', ""),
            measures: self
                .measures
                .iter()
                .map(|m| MeasurementType::parse(m).map_err(|e| invalid(e.message)))
                .collect::<Result<_, _>>()?,
            connectivity: Connectivity::parse(&self.connectivity)
                .map_err(|e| invalid(e.message))?,
            hygiene_class: HygieneClass::parse(&self.hygiene_class)
                .map_err(|e| invalid(e.message))?,
            reprocessing_procedure: self.procedure.clone(),
            maintenance: maintenance.map(|(kind, interval_days)| Maintenance {
                kind,
                interval_days,
            }),
            purchase_price: amount("eq-model-purchase-price", &self.purchase_price)?,
            day_rate: amount("eq-model-day-rate", &self.day_rate)?,
            reprocessing_price: amount("eq-model-reprocessing-price", &self.reprocessing_price)?,
            status: ModelStatus::parse(&self.status).map_err(|e| invalid(e.message))?,
            programmes,
            organisations,
        })
    }
}

/// Ids from ticked boxes; one that cannot exist means the page is out of date.
fn parse_ids<T: std::str::FromStr>(page: &Page, values: &[String]) -> Result<Vec<T>, String> {
    values
        .iter()
        .map(|s| s.parse().map_err(|_| page.t("error-not-found-form")))
        .collect()
}

pub struct PriceRow {
    pub service: String,
    pub label: String,
    pub price: String,
    pub shown: String,
}

#[derive(Template)]
#[template(path = "equipment_catalogue.html")]
struct CataloguePage {
    page: Page,
    eq: Shell,
    models: Vec<ModelRow>,
    editing: bool,
    form: ModelForm,
    roles: Vec<Opt>,
    measures: Vec<Opt>,
    connectivity: Vec<Opt>,
    hygiene: Vec<Opt>,
    maintenance: Vec<Opt>,
    statuses: Vec<Opt>,
    programmes: Vec<Opt>,
    organisations: Vec<Opt>,
    prices: Vec<PriceRow>,
}

#[derive(Deserialize, Default)]
pub struct CatalogueQuery {
    #[serde(default)]
    model: String,
    #[serde(default)]
    ok: Option<String>,
}

async fn catalogue_page(
    state: &AppState,
    auth: &Auth,
    form: Option<ModelForm>,
    edit: Option<ModelId>,
    flash: Flash,
) -> PageResult {
    let page = eq_page(auth, "/udstyr/katalog".into(), "eq-catalogue-title");
    gate(state, auth, &page).await?;
    let mut eq = Shell::new(&page, "/udstyr/katalog");
    flash.into_shell(&page, &mut eq);
    let models = state.db.models().await?;
    let stock = state.db.stock(&auth.ctx()).await.or_page(&page)?;
    let programmes = state.db.programmes().await?;
    let orgs = state.db.organisations(None).await?;
    let lang = page.lang;
    let rows = models
        .iter()
        .map(|m| {
            let mut approved = Vec::new();
            approved.push(if m.programmes.is_empty() {
                page.t("eq-model-all-programmes")
            } else {
                programmes
                    .iter()
                    .filter(|p| m.programmes.contains(&p.id))
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            approved.push(if m.organisations.is_empty() {
                page.t("eq-model-all-organisations")
            } else {
                orgs.iter()
                    .filter(|o| m.organisations.contains(&o.id))
                    .map(|o| o.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            ModelRow {
                id: m.id.to_string(),
                name: format!("{} {}", m.manufacturer, m.name),
                role: page.label("eq-role", m.role.as_str()),
                udi_di: m.udi_di.clone(),
                measures: m
                    .measures
                    .iter()
                    .map(|x| measurement_name(lang, *x))
                    .collect::<Vec<_>>()
                    .join(", "),
                connectivity: page.label("eq-connectivity", m.connectivity.as_str()),
                hygiene: page.label("eq-hygiene", m.hygiene_class.as_str()),
                maintenance: m
                    .maintenance
                    .map(
                        |Maintenance {
                             kind: k,
                             interval_days: d,
                         }| {
                            crate::i18n::t_args(
                                lang,
                                "eq-model-every",
                                &[
                                    ("what", &page.label("eq-maint", k.as_str())),
                                    ("days", &d.to_string()),
                                ],
                            )
                        },
                    )
                    .unwrap_or_else(|| page.t("eq-model-no-maintenance")),
                purchase_price: kr(&page, m.purchase_price),
                day_rate: kr(&page, m.day_rate),
                reprocessing_price: kr(&page, m.reprocessing_price),
                status: page.label("eq-modelstatus", m.status.as_str()),
                approved_for: approved.join(" · "),
                available: stock
                    .iter()
                    .filter(|l| l.model_id == m.id)
                    .map(|l| l.available)
                    .sum(),
            }
        })
        .collect();
    let editing = edit.is_some() || form.as_ref().is_some_and(|f| !f.id.is_empty());
    let form = match (form, edit) {
        (Some(f), _) => f,
        (None, Some(id)) => match models.iter().find(|m| m.id == id) {
            Some(m) => ModelForm::from_model(m),
            None => return Err(ApiError::not_found("model")).or_page(&page),
        },
        (None, None) => ModelForm {
            hygiene_class: HygieneClass::NonCritical.as_str().into(),
            status: ModelStatus::Approved.as_str().into(),
            connectivity: Connectivity::Bluetooth.as_str().into(),
            ..Default::default()
        },
    };
    let closed = |prefix: &str, values: Vec<&'static str>, chosen: &str| -> Vec<Opt> {
        values
            .into_iter()
            .map(|v| opt(v, page.label(prefix, v), v == chosen))
            .collect()
    };
    let roles = closed(
        "eq-role",
        DeviceRole::ALL.iter().map(|v| v.as_str()).collect(),
        &form.role,
    );
    let connectivity = closed(
        "eq-connectivity",
        Connectivity::ALL.iter().map(|v| v.as_str()).collect(),
        &form.connectivity,
    );
    let hygiene = closed(
        "eq-hygiene",
        HygieneClass::ALL.iter().map(|v| v.as_str()).collect(),
        &form.hygiene_class,
    );
    let mut maintenance = vec![opt(
        "",
        page.t("eq-model-no-maintenance"),
        form.maintenance_kind.is_empty(),
    )];
    maintenance.extend(closed(
        "eq-maint",
        MaintenanceKind::ALL.iter().map(|v| v.as_str()).collect(),
        &form.maintenance_kind,
    ));
    let statuses = closed(
        "eq-modelstatus",
        ModelStatus::ALL.iter().map(|v| v.as_str()).collect(),
        &form.status,
    );
    let measures = MeasurementType::ALL
        .iter()
        .map(|m| {
            opt(
                m.as_str(),
                measurement_name(lang, *m),
                form.measures.iter().any(|x| x == m.as_str()),
            )
        })
        .collect();
    let programme_opts = programmes
        .iter()
        .map(|p| {
            let id = p.id.to_string();
            let selected = form.programmes.contains(&id);
            opt(id, p.name.clone(), selected)
        })
        .collect();
    let organisations = orgs
        .iter()
        .filter(|o| o.active)
        .map(|o| {
            let id = o.id.to_string();
            let selected = form.organisations.contains(&id);
            opt(id, o.name.clone(), selected)
        })
        .collect();
    let set = state.db.service_prices().await?;
    let prices = ServiceType::ALL
        .iter()
        .map(|t| {
            let price = set.iter().find(|(s, _)| s == t).map(|(_, p)| *p);
            PriceRow {
                service: t.as_str().into(),
                label: page.label("eq-service", t.as_str()),
                price: price.map(format_dkk).unwrap_or_default(),
                shown: price
                    .map(|p| kr(&page, p))
                    .unwrap_or_else(|| page.t("eq-price-none")),
            }
        })
        .collect();
    let body = CataloguePage {
        models: rows,
        editing,
        form,
        roles,
        measures,
        connectivity,
        hygiene,
        maintenance,
        statuses,
        programmes: programme_opts,
        organisations,
        prices,
        eq,
        page,
    };
    Ok(render(body.eq.status(), &body))
}

pub async fn catalogue(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<CatalogueQuery>,
) -> PageResult {
    let edit = if q.model.is_empty() {
        None
    } else {
        let page = eq_page(&auth, "/udstyr/katalog".into(), "eq-catalogue-title");
        Some(path_id::<ModelId>(&q.model, "model", &page)?)
    };
    catalogue_page(&state, &auth, None, edit, Flash::ok(q.ok.as_deref())).await
}

pub async fn save_model(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let page = eq_page(&auth, "/udstyr/katalog".into(), "eq-catalogue-title");
    gate(&state, &auth, &page).await?;
    let form = ModelForm::from_pairs(&pairs);
    let model = match form.to_model(&page) {
        Ok(m) => m,
        Err(msg) => {
            return catalogue_page(&state, &auth, Some(form), None, Flash::error(msg)).await;
        }
    };
    match state.db.save_model(&auth.ctx(), model).await {
        Ok(_) => Ok(see_other("/udstyr/katalog?ok=saved")),
        Err(e) => {
            let msg = refusal(&page, e)?;
            catalogue_page(&state, &auth, Some(form), None, Flash::error(msg)).await
        }
    }
}

#[derive(Deserialize)]
pub struct PriceForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    price: String,
}

pub async fn set_price(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(f): axum::Form<PriceForm>,
) -> PageResult {
    let page = eq_page(&auth, "/udstyr/katalog".into(), "eq-catalogue-title");
    let result = match (ServiceType::parse(&f.service), parse_dkk(&f.price)) {
        (Ok(service), Ok(price)) => state
            .db
            .set_service_price(&auth.ctx(), service, price)
            .await
            .map_err(ApiError::from),
        (Err(e), _) => Err(e.into()),
        (_, Err(_)) => {
            let msg = page.t1("eq-error-amount", "field", page.t("eq-price"));
            return catalogue_page(&state, &auth, None, None, Flash::error(msg)).await;
        }
    };
    match result {
        Ok(()) => Ok(see_other("/udstyr/katalog?ok=price#prices")),
        Err(e) => {
            let msg = refusal(&page, e)?;
            catalogue_page(&state, &auth, None, None, Flash::error(msg)).await
        }
    }
}

// ---------------------------------------------------------------- kits

pub struct RoleChoice {
    pub label: String,
    pub models: Vec<Opt>,
}

pub struct KitView {
    pub programme_id: String,
    pub programme: String,
    pub active: bool,
    pub name: String,
    pub exists: bool,
    /// The kit as it is: "Tablet: Samsung Galaxy Tab A9+ 5G".
    pub summary: Vec<String>,
    pub roles: Vec<RoleChoice>,
}

#[derive(Template)]
#[template(path = "equipment_kits.html")]
struct KitsPage {
    page: Page,
    eq: Shell,
    kits: Vec<KitView>,
}

#[derive(Deserialize, Default)]
pub struct OkOnly {
    #[serde(default)]
    ok: Option<String>,
}

async fn kits_page(state: &AppState, auth: &Auth, flash: Flash) -> PageResult {
    let page = eq_page(auth, "/udstyr/kits".into(), "eq-kits-title");
    gate(state, auth, &page).await?;
    let mut eq = Shell::new(&page, "/udstyr/kits");
    flash.into_shell(&page, &mut eq);
    let models = state.db.models().await?;
    let kits = state.db.kits().await?;
    let programmes = state.db.programmes().await?;
    let views = programmes
        .iter()
        .map(|p| {
            let kit = kits.iter().find(|k| k.programme_id == p.id);
            let allowed = |role: DeviceRole, model: ModelId| {
                kit.and_then(|k| k.roles.iter().find(|r| r.role == role))
                    .is_some_and(|r| r.models.contains(&model))
            };
            let summary = kit
                .map(|k| {
                    k.roles
                        .iter()
                        .map(|r| {
                            let names: Vec<String> = r
                                .models
                                .iter()
                                .filter_map(|id| models.iter().find(|m| m.id == *id))
                                .map(|m| format!("{} {}", m.manufacturer, m.name))
                                .collect();
                            format!(
                                "{}: {}",
                                page.label("eq-role", r.role.as_str()),
                                names.join(", ")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let roles = DeviceRole::ALL
                .iter()
                .filter(|role| models.iter().any(|m| m.role == **role))
                .map(|role| RoleChoice {
                    label: page.label("eq-role", role.as_str()),
                    models: models
                        .iter()
                        .filter(|m| m.role == *role)
                        .map(|m| {
                            let mut label = format!("{} {}", m.manufacturer, m.name);
                            if m.status != ModelStatus::Approved {
                                label = format!(
                                    "{label} ({})",
                                    page.label("eq-modelstatus", m.status.as_str())
                                );
                            }
                            opt(m.id.to_string(), label, allowed(*role, m.id))
                        })
                        .collect(),
                })
                .collect();
            KitView {
                programme_id: p.id.to_string(),
                programme: p.name.clone(),
                active: p.active,
                name: kit
                    .map(|k| k.name.clone())
                    .unwrap_or_else(|| page.t1("eq-kit-default-name", "programme", &p.name)),
                exists: kit.is_some(),
                summary,
                roles,
            }
        })
        .collect();
    let body = KitsPage {
        kits: views,
        eq,
        page,
    };
    Ok(render(body.eq.status(), &body))
}

pub async fn kits(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<OkOnly>,
) -> PageResult {
    kits_page(&state, &auth, Flash::ok(q.ok.as_deref())).await
}

/// Saves a programme's kit: its name and, per role, the models ticked (a role with none
/// ticked is not in the kit).
pub async fn save_kit(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(programme): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let page = eq_page(&auth, "/udstyr/kits".into(), "eq-kits-title");
    gate(&state, &auth, &page).await?;
    let programme: ProgrammeId = path_id(&programme, "programme", &page)?;
    let models = state.db.models().await?;
    let existing = state.db.kit_for_programme(programme).await?;
    let name = pairs
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let mut ticked: Vec<&Model> = Vec::new();
    for (k, v) in &pairs {
        if k != "models" {
            continue;
        }
        match v
            .parse::<ModelId>()
            .ok()
            .and_then(|id| models.iter().find(|m| m.id == id))
        {
            Some(m) => ticked.push(m),
            None => {
                let msg = page.t("error-not-found-form");
                return kits_page(&state, &auth, Flash::error(msg)).await;
            }
        }
    }
    // Roles keep the kit's order; new ones follow in the catalogue's order.
    let mut order: Vec<DeviceRole> = existing
        .as_ref()
        .map(|k| k.roles.iter().map(|r| r.role).collect())
        .unwrap_or_default();
    let rest: Vec<DeviceRole> = DeviceRole::ALL
        .iter()
        .copied()
        .filter(|r| !order.contains(r))
        .collect();
    order.extend(rest);
    let roles = order
        .into_iter()
        .filter_map(|role| {
            let models: Vec<ModelId> = ticked
                .iter()
                .filter(|m| m.role == role)
                .map(|m| m.id)
                .collect();
            (!models.is_empty()).then_some(KitRole { role, models })
        })
        .collect();
    let kit = Kit {
        id: existing.as_ref().map(|k| k.id).unwrap_or_else(KitId::new),
        programme_id: programme,
        name,
        roles,
    };
    match state.db.save_kit(&auth.ctx(), kit).await {
        Ok(_) => Ok(see_other(&format!("/udstyr/kits?ok=kit#kit-{programme}"))),
        Err(e) => {
            let msg = refusal(&page, e)?;
            kits_page(&state, &auth, Flash::error(msg)).await
        }
    }
}
