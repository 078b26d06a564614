//! Administration pages: organisations, staff users and memberships, the audit log. Storage
//! decides who may do what (and audits refusals); these pages only show the forms to people
//! whose roles make them useful.

use crate::i18n;
use crate::page::{
    OrPage, Page, PageResult, StaffAuth, UiError, encode, path_and_query, render, see_other,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use telesund_core::audit::{AuditAction, AuditFilter};
use telesund_core::identity::{Language, OrgKind, Organisation, Role, validate_email};
use telesund_core::ids::{MembershipId, OrgId, UserId};
use telesund_core::{ErrorCode, Timestamp};
use telesund_db::organisations::NewOrganisation;
use telesund_db::staff::{NewMembership, NewStaffUser};
use telesund_http::auth::Auth;
use telesund_http::{ApiError, AppState};

pub const AUDIT_ACTIONS: [AuditAction; 8] = [
    AuditAction::Read,
    AuditAction::Search,
    AuditAction::Create,
    AuditAction::Update,
    AuditAction::Delete,
    AuditAction::Login,
    AuditAction::LoginFailed,
    AuditAction::Logout,
];

/// An `<option>`.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn opts(items: impl IntoIterator<Item = (String, String)>, selected: &str) -> Vec<Opt> {
    items
        .into_iter()
        .map(|(value, label)| Opt {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

fn is_admin(auth: &Auth) -> bool {
    auth.has_role(Role::SystemAdmin) || auth.has_role(Role::OrgAdmin)
}

fn forbidden(page: &Page) -> UiError {
    UiError::in_page(
        ApiError::new(ErrorCode::Forbidden, "administrators only"),
        page,
    )
}

/// A message for a refused form, in the user's language; `None` for errors that are not the
/// user's to fix (those get the error page).
fn form_error(lang: Language, e: &ApiError) -> Option<String> {
    let key = match e.code {
        ErrorCode::InvalidInput | ErrorCode::InvalidCpr | ErrorCode::UnknownField => {
            return Some(i18n::t_args(
                lang,
                "error-invalid-input",
                &[("detail", &e.message)],
            ));
        }
        ErrorCode::Conflict | ErrorCode::DuplicateCpr => "error-conflict",
        ErrorCode::NotFound => "error-not-found-form",
        _ => return None,
    };
    Some(i18n::t(lang, key))
}

/// Organisations as a tree: (organisation, depth), parents before their children.
fn as_tree(orgs: &[Organisation]) -> Vec<(&Organisation, usize)> {
    let ids: HashSet<OrgId> = orgs.iter().map(|o| o.id).collect();
    let mut children: BTreeMap<Option<OrgId>, Vec<&Organisation>> = BTreeMap::new();
    for o in orgs {
        let parent = o.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(o);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let mut out = Vec::new();
    let mut stack: Vec<(&Organisation, usize)> = children
        .get(&None)
        .map(|l| l.iter().rev().map(|o| (*o, 0)).collect())
        .unwrap_or_default();
    let mut seen = HashSet::new();
    while let Some((o, depth)) = stack.pop() {
        if !seen.insert(o.id) {
            continue;
        }
        out.push((o, depth));
        if let Some(kids) = children.get(&Some(o.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

/// The organisations a user may administer: all for a system administrator, else those
/// they are organisation administrator of, and everything below them.
fn manageable<'a>(auth: &Auth, orgs: &'a [Organisation]) -> Vec<&'a Organisation> {
    if auth.has_role(Role::SystemAdmin) {
        return orgs.iter().collect();
    }
    let admin_of: HashSet<OrgId> = match &auth.principal {
        telesund_core::access::Principal::Staff { memberships, .. } => memberships
            .iter()
            .filter(|m| m.role == Role::OrgAdmin)
            .map(|m| m.org_id)
            .collect(),
        _ => HashSet::new(),
    };
    let parent: BTreeMap<OrgId, Option<OrgId>> = orgs.iter().map(|o| (o.id, o.parent_id)).collect();
    orgs.iter()
        .filter(|o| {
            let mut cur = Some(o.id);
            for _ in 0..20 {
                match cur {
                    Some(id) if admin_of.contains(&id) => return true,
                    Some(id) => cur = parent.get(&id).copied().flatten(),
                    None => return false,
                }
            }
            false
        })
        .collect()
}

// ---------------------------------------------------------------- organisations

pub struct OrgRow {
    pub name: String,
    pub kind: String,
    pub sor: String,
    pub cvr: String,
    pub depth: usize,
    pub active: bool,
}

#[derive(Deserialize, Default)]
pub struct OrgForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub sor_code: String,
    #[serde(default)]
    pub cvr: String,
    #[serde(default)]
    pub parent_id: String,
}

#[derive(Template)]
#[template(path = "admin_organisations.html")]
struct OrgsPage {
    page: Page,
    rows: Vec<OrgRow>,
    can_create: bool,
    kinds: Vec<Opt>,
    parents: Vec<Opt>,
    form: OrgForm,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    pub ok: Option<String>,
}

async fn organisations_page(
    state: &AppState,
    auth: &Auth,
    form: OrgForm,
    error: Option<String>,
    notice: Option<String>,
) -> PageResult {
    let page = Page::staff(
        auth,
        "/admin/organisationer".into(),
        i18n::t(auth.language(), "orgs-title"),
        "/admin/organisationer",
    );
    if !is_admin(auth) {
        return Err(forbidden(&page));
    }
    let orgs = state.db.organisations(None).await?;
    let rows = as_tree(&orgs)
        .into_iter()
        .map(|(o, depth)| OrgRow {
            name: o.name.clone(),
            kind: page.label("orgkind", o.kind.as_str()),
            sor: o.sor_code.clone().unwrap_or_default(),
            cvr: o.cvr.clone().unwrap_or_default(),
            depth: depth.min(5),
            active: o.active,
        })
        .collect();
    let kinds = opts(
        OrgKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), page.label("orgkind", k.as_str()))),
        &form.kind,
    );
    let mut parents = vec![Opt {
        value: String::new(),
        label: page.t("orgs-no-parent"),
        selected: form.parent_id.is_empty(),
    }];
    let mut sorted: Vec<_> = orgs.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    parents.extend(opts(
        sorted
            .into_iter()
            .map(|o| (o.id.to_string(), o.name.clone())),
        &form.parent_id,
    ));
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = OrgsPage {
        can_create: auth.has_role(Role::SystemAdmin),
        page,
        rows,
        kinds,
        parents,
        form,
        error,
        notice,
    };
    Ok(render(status, &body))
}

pub async fn organisations(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let notice =
        (q.ok.as_deref() == Some("created")).then(|| i18n::t(auth.language(), "orgs-created"));
    organisations_page(&state, &auth, OrgForm::default(), None, notice).await
}

fn opt_field(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

pub async fn create_organisation(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(f): axum::Form<OrgForm>,
) -> PageResult {
    let lang = auth.language();
    let check = || -> Result<NewOrganisation, String> {
        if f.name.trim().is_empty() {
            return Err(i18n::t(lang, "orgs-error-name"));
        }
        let kind = OrgKind::parse(&f.kind).map_err(|_| i18n::t(lang, "orgs-error-kind"))?;
        let cvr = opt_field(&f.cvr);
        if cvr
            .as_deref()
            .is_some_and(|c| c.len() != 8 || !c.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(i18n::t(lang, "orgs-error-cvr"));
        }
        let sor = opt_field(&f.sor_code);
        if sor
            .as_deref()
            .is_some_and(|c| c.len() > 18 || !c.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(i18n::t(lang, "orgs-error-sor"));
        }
        let parent_id = match opt_field(&f.parent_id) {
            Some(p) => Some(
                p.parse::<OrgId>()
                    .map_err(|_| i18n::t(lang, "error-not-found-form"))?,
            ),
            None => None,
        };
        Ok(NewOrganisation {
            name: f.name.trim().to_string(),
            kind,
            sor_code: sor,
            cvr,
            parent_id,
        })
    };
    let new = match check() {
        Ok(n) => n,
        Err(msg) => return organisations_page(&state, &auth, f, Some(msg), None).await,
    };
    match state.db.create_organisation(&auth.ctx(), new).await {
        Ok(_) => Ok(see_other("/admin/organisationer?ok=created")),
        Err(e) => {
            let e = ApiError::from(e);
            match form_error(lang, &e) {
                Some(msg) => organisations_page(&state, &auth, f, Some(msg), None).await,
                None => {
                    let page = Page::staff(
                        &auth,
                        "/admin/organisationer".into(),
                        i18n::t(lang, "orgs-title"),
                        "/admin/organisationer",
                    );
                    Err(UiError::in_page(e, &page))
                }
            }
        }
    }
}

// ---------------------------------------------------------------- users

pub struct MemberLine {
    pub id: String,
    pub org: String,
    pub role: String,
    pub period: String,
    pub active: bool,
}

pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub totp: bool,
    pub memberships: Vec<MemberLine>,
}

#[derive(Deserialize, Default)]
pub struct UserForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub role: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    page: Page,
    users: Vec<UserRow>,
    org_opts: Vec<Opt>,
    role_opts: Vec<Opt>,
    /// The same lists with nothing selected, for the per-user membership forms.
    member_org_opts: Vec<Opt>,
    member_role_opts: Vec<Opt>,
    form: UserForm,
    error: Option<String>,
    notice: Option<String>,
}

fn roles_for(auth: &Auth) -> Vec<Role> {
    Role::ALL
        .iter()
        .copied()
        .filter(|r| *r != Role::SystemAdmin || auth.has_role(Role::SystemAdmin))
        .collect()
}

async fn users_page(
    state: &AppState,
    auth: &Auth,
    form: UserForm,
    error: Option<String>,
    notice: Option<String>,
) -> PageResult {
    let lang = auth.language();
    let page = Page::staff(
        auth,
        "/admin/brugere".into(),
        i18n::t(lang, "users-title"),
        "/admin/brugere",
    );
    if !is_admin(auth) {
        return Err(forbidden(&page));
    }
    let ctx = auth.ctx();
    let orgs = state.db.organisations(None).await?;
    let mine = manageable(auth, &orgs);
    let staff = if auth.has_role(Role::SystemAdmin) {
        state.db.list_staff(&ctx, None).await.or_page(&page)?
    } else {
        let mut all = Vec::new();
        let mut seen = HashSet::new();
        for o in &mine {
            for u in state.db.list_staff(&ctx, Some(o.id)).await.or_page(&page)? {
                if seen.insert(u.id) {
                    all.push(u);
                }
            }
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    };
    let now = Timestamp::now();
    let mut users = Vec::new();
    for u in staff {
        let profile = state.db.staff_profile(u.id).await?;
        let mut memberships: Vec<MemberLine> = profile
            .memberships
            .iter()
            .map(|m| MemberLine {
                id: m.membership.id.to_string(),
                org: m.org_name.clone(),
                role: page.label("role", m.membership.role.as_str()),
                period: match m.membership.valid_to {
                    Some(to) => format!("{} – {}", m.membership.valid_from.danish(), to.danish()),
                    None => page.t1("since", "date", m.membership.valid_from.danish()),
                },
                active: m.membership.active_at(now),
            })
            .collect();
        memberships.sort_by_key(|m| !m.active);
        users.push(UserRow {
            id: u.id.to_string(),
            name: u.name,
            email: u.email,
            active: u.active,
            totp: u.totp_enabled,
            memberships,
        });
    }
    let org_items: Vec<(String, String)> = {
        let mut m: Vec<_> = mine
            .iter()
            .map(|o| (o.id.to_string(), o.name.clone()))
            .collect();
        m.sort_by(|a, b| a.1.cmp(&b.1));
        m
    };
    let mut role_items: Vec<(String, String)> = vec![(String::new(), page.t("users-choose-role"))];
    role_items.extend(
        roles_for(auth)
            .into_iter()
            .map(|r| (r.as_str().to_string(), page.label("role", r.as_str()))),
    );
    let mut org_opts = vec![Opt {
        value: String::new(),
        label: page.t("users-no-membership"),
        selected: form.org_id.is_empty(),
    }];
    org_opts.extend(opts(org_items.clone(), &form.org_id));
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = UsersPage {
        role_opts: opts(role_items.clone(), &form.role),
        member_org_opts: {
            let mut o = vec![(String::new(), page.t("users-no-membership"))];
            o.extend(org_items);
            opts(o, "")
        },
        member_role_opts: opts(role_items, ""),
        org_opts,
        page,
        users,
        form: UserForm {
            password: String::new(),
            ..form
        },
        error,
        notice,
    };
    Ok(render(status, &body))
}

pub async fn users(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let key = match q.ok.as_deref() {
        Some("created") => Some("users-created"),
        Some("membership-added") => Some("users-membership-added"),
        Some("membership-ended") => Some("users-membership-ended"),
        Some("activated") => Some("users-activated"),
        Some("deactivated") => Some("users-deactivated"),
        _ => None,
    };
    let notice = key.map(|k| i18n::t(auth.language(), k));
    users_page(&state, &auth, UserForm::default(), None, notice).await
}

/// After a change: back to the list with a notice, or the list with the error.
async fn after_change(
    state: &AppState,
    auth: &Auth,
    result: Result<(), telesund_db::DbError>,
    ok: &str,
    form: UserForm,
) -> PageResult {
    match result {
        Ok(()) => Ok(see_other(&format!("/admin/brugere?ok={ok}"))),
        Err(e) => {
            let e = ApiError::from(e);
            match form_error(auth.language(), &e) {
                Some(msg) => users_page(state, auth, form, Some(msg), None).await,
                None => {
                    let page = Page::staff(
                        auth,
                        "/admin/brugere".into(),
                        i18n::t(auth.language(), "users-title"),
                        "/admin/brugere",
                    );
                    Err(UiError::in_page(e, &page))
                }
            }
        }
    }
}

pub async fn create_user(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(f): axum::Form<UserForm>,
) -> PageResult {
    let lang = auth.language();
    let check = || -> Result<NewStaffUser, String> {
        if f.name.trim().is_empty() {
            return Err(i18n::t(lang, "users-error-name"));
        }
        let email = validate_email(&f.email).map_err(|_| i18n::t(lang, "users-error-email"))?;
        if telesund_db::secrets::validate_password(&f.password).is_err() {
            return Err(i18n::t(lang, "users-error-password"));
        }
        // Storage requires a first membership: a user always works somewhere.
        let org_id = opt_field(&f.org_id)
            .and_then(|o| o.parse::<OrgId>().ok())
            .ok_or_else(|| i18n::t(lang, "users-error-membership"))?;
        let role = Role::parse(&f.role).map_err(|_| i18n::t(lang, "users-error-role"))?;
        let memberships = vec![NewMembership { org_id, role }];
        Ok(NewStaffUser {
            email,
            name: f.name.trim().to_string(),
            password: Some(f.password.clone()),
            memberships,
        })
    };
    let new = match check() {
        Ok(n) => n,
        Err(msg) => return users_page(&state, &auth, f, Some(msg), None).await,
    };
    let result = state
        .db
        .create_staff_user(&auth.ctx(), new)
        .await
        .map(|_| ());
    after_change(&state, &auth, result, "created", f).await
}

#[derive(Deserialize)]
pub struct MembershipForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub role: String,
}

pub async fn add_membership(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<MembershipForm>,
) -> PageResult {
    let lang = auth.language();
    let parsed = (
        id.parse::<UserId>(),
        f.org_id.parse::<OrgId>(),
        Role::parse(&f.role),
    );
    let (Ok(user), Ok(org_id), Ok(role)) = parsed else {
        let msg = i18n::t(lang, "users-error-membership");
        return users_page(&state, &auth, UserForm::default(), Some(msg), None).await;
    };
    let result = state
        .db
        .add_membership(&auth.ctx(), user, NewMembership { org_id, role })
        .await
        .map(|_| ());
    after_change(
        &state,
        &auth,
        result,
        "membership-added",
        UserForm::default(),
    )
    .await
}

pub async fn end_membership(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
) -> PageResult {
    let Ok(id) = id.parse::<MembershipId>() else {
        return Err(ApiError::not_found("membership").into());
    };
    let result = state.db.end_membership(&auth.ctx(), id).await;
    after_change(
        &state,
        &auth,
        result,
        "membership-ended",
        UserForm::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    pub active: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<ActiveForm>,
) -> PageResult {
    let Ok(user) = id.parse::<UserId>() else {
        return Err(ApiError::not_found("user").into());
    };
    let active = f.active == "true";
    let result = state.db.set_staff_active(&auth.ctx(), user, active).await;
    let ok = if active { "activated" } else { "deactivated" };
    after_change(&state, &auth, result, ok, UserForm::default()).await
}

// ---------------------------------------------------------------- audit log

#[derive(Deserialize, Default)]
pub struct AuditForm {
    #[serde(default)]
    pub citizen: String,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub denied: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub before: String,
}

pub struct AuditRow {
    pub at: String,
    pub who: String,
    pub user_id: String,
    pub role: String,
    pub org: String,
    pub action: String,
    pub entity: String,
    pub citizen_id: String,
    /// The first part of the id, for the table; the whole id is the link's title.
    pub citizen_short: String,
    pub category: String,
    pub purpose: String,
    pub allowed: bool,
    pub reason: String,
    pub request_id: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    page: Page,
    form: AuditForm,
    org_opts: Vec<Opt>,
    action_opts: Vec<Opt>,
    rows: Vec<AuditRow>,
    older: Option<String>,
    error: Option<String>,
}

const AUDIT_PAGE_SIZE: u32 = 50;

/// The storage filter for the form's values (the JSON API's rules, so both read the same);
/// `None` when one of them is not valid.
fn audit_filter(f: &AuditForm, user: &str) -> Option<AuditFilter> {
    let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    telesund_http::api::admin::AuditQuery {
        citizen: given(&f.citizen),
        user: given(user),
        org: given(&f.org),
        action: given(&f.action),
        denied: Some(f.denied == "true"),
        from: given(&f.from),
        to: given(&f.to),
        limit: Some(AUDIT_PAGE_SIZE),
        before: given(&f.before),
    }
    .to_filter()
    .ok()
}

pub async fn audit(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Query(mut f): Query<AuditForm>,
) -> PageResult {
    let lang = auth.language();
    let page = Page::staff(
        &auth,
        path_and_query(&parts),
        i18n::t(lang, "audit-title"),
        "/admin/audit",
    );
    if !is_admin(&auth) {
        return Err(forbidden(&page));
    }
    // An organisation's administrator reads their organisation's part of the log.
    if f.org.trim().is_empty()
        && !auth.has_role(Role::SystemAdmin)
        && let telesund_core::access::Principal::Staff { memberships, .. } = &auth.principal
        && let Some(m) = memberships.iter().find(|m| m.role == Role::OrgAdmin)
    {
        f.org = m.org_id.to_string();
    }
    let mut error = None;
    let mut user = f.user.trim().to_string();
    if user.contains('@') {
        match state.db.staff_id_by_email(&user).await? {
            Some(id) => user = id.to_string(),
            None => error = Some(i18n::t(lang, "audit-error-user")),
        }
    }
    let query = audit_filter(&f, &user);
    let mut rows = Vec::new();
    let mut older = None;
    if error.is_none() {
        match query {
            None => error = Some(i18n::t(lang, "audit-error-filter")),
            Some(filter) => {
                let records = state
                    .db
                    .admin_audit_log(&auth.ctx(), &filter)
                    .await
                    .or_page(&page)?;
                if records.len() as u32 >= AUDIT_PAGE_SIZE
                    && let Some(last) = records.last()
                {
                    let params = [
                        ("citizen", f.citizen.as_str()),
                        ("user", f.user.as_str()),
                        ("org", f.org.as_str()),
                        ("action", f.action.as_str()),
                        ("denied", f.denied.as_str()),
                        ("from", f.from.as_str()),
                        ("to", f.to.as_str()),
                    ];
                    let mut q: Vec<String> = params
                        .iter()
                        .filter(|(_, v)| !v.trim().is_empty())
                        .map(|(k, v)| format!("{k}={}", encode(v.trim())))
                        .collect();
                    q.push(format!("before={}", last.id));
                    older = Some(format!("/admin/audit?{}", q.join("&")));
                }
                rows = records
                    .into_iter()
                    .map(|r| AuditRow {
                        at: r.at.danish(),
                        who: r.actor_name,
                        user_id: r.actor_user_id.map(|u| u.to_string()).unwrap_or_default(),
                        role: r
                            .actor_role
                            .map(|x| page.label("role", x.as_str()))
                            .unwrap_or_default(),
                        org: r.actor_org_name.unwrap_or_default(),
                        action: page.label("action", r.action.as_str()),
                        entity: r.entity,
                        citizen_id: r.citizen_id.map(|c| c.to_string()).unwrap_or_default(),
                        citizen_short: r
                            .citizen_id
                            .map(|c| format!("{}…", &c.to_string()[..8]))
                            .unwrap_or_default(),
                        category: r
                            .category
                            .map(|c| page.label("category", c.as_str()))
                            .unwrap_or_default(),
                        purpose: page.label("purpose", &r.purpose),
                        allowed: r.outcome_allowed,
                        reason: r.reason,
                        request_id: r.request_id,
                    })
                    .collect();
            }
        }
    }
    let mut orgs = state.db.organisations(None).await?;
    orgs.sort_by(|a, b| a.name.cmp(&b.name));
    let mut org_opts = vec![Opt {
        value: String::new(),
        label: page.t("audit-all-orgs"),
        selected: f.org.is_empty(),
    }];
    org_opts.extend(opts(
        orgs.iter().map(|o| (o.id.to_string(), o.name.clone())),
        f.org.trim(),
    ));
    let mut action_opts = vec![Opt {
        value: String::new(),
        label: page.t("audit-all-actions"),
        selected: f.action.is_empty(),
    }];
    action_opts.extend(opts(
        AUDIT_ACTIONS
            .iter()
            .map(|a| (a.as_str().to_string(), page.label("action", a.as_str()))),
        f.action.trim(),
    ));
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = AuditPage {
        page,
        form: f,
        org_opts,
        action_opts,
        rows,
        older,
        error,
    };
    Ok(render(status, &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(name: &str, parent: Option<OrgId>) -> Organisation {
        Organisation {
            id: OrgId::new(),
            name: name.into(),
            kind: OrgKind::Municipality,
            sor_code: None,
            cvr: None,
            parent_id: parent,
            active: true,
        }
    }

    #[test]
    fn organisations_form_a_tree() {
        let region = org("Region", None);
        let hospital = org("Hospital", Some(region.id));
        let dept = org("Afdeling", Some(hospital.id));
        let other = org("Aarhus", None);
        let list = vec![
            dept.clone(),
            other.clone(),
            hospital.clone(),
            region.clone(),
        ];
        let tree: Vec<(&str, usize)> = as_tree(&list)
            .into_iter()
            .map(|(o, d)| (o.name.as_str(), d))
            .collect();
        assert_eq!(
            tree,
            [
                ("Aarhus", 0),
                ("Region", 0),
                ("Hospital", 1),
                ("Afdeling", 2)
            ]
        );
    }
}
