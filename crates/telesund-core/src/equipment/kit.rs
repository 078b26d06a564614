//! Reuse across programmes: ordering "the kit for this programme" compares the kit with what
//! the citizen already has and orders only what is missing. A multi-morbid citizen keeps
//! one tablet and one blood pressure monitor, each serving every plan that needs it.

use super::catalogue::{DeviceRole, Kit, Model, ModelStatus};
use crate::error::DomainError;
use crate::ids::{CarePlanId, ModelId, OrderLineId, OrgId, UnitId};
use serde::{Deserialize, Serialize};

/// A unit the citizen has, or is about to get, and the plans it serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldUnit {
    pub unit_id: UnitId,
    pub model_id: ModelId,
    pub role: DeviceRole,
    pub plans: Vec<CarePlanId>,
}

/// A role on an open order for the citizen that no unit has been installed for yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenLine {
    pub line_id: OrderLineId,
    pub role: DeviceRole,
    pub plans: Vec<CarePlanId>,
}

/// What ordering a kit for one plan comes to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitPlan {
    /// Roles a unit in the home already fills for this plan.
    pub already: Vec<(DeviceRole, UnitId)>,
    /// Units in the home that will also serve this plan (a new assignment, no visit).
    pub share: Vec<(DeviceRole, UnitId)>,
    /// Roles already on their way on another open order: this plan joins that line.
    pub join: Vec<(DeviceRole, OrderLineId)>,
    /// Roles to order, with the models that may fill each.
    pub order: Vec<(DeviceRole, Vec<ModelId>)>,
}

impl KitPlan {
    /// Nothing to deliver: the order is only new assignments.
    pub fn needs_delivery(&self) -> bool {
        !self.order.is_empty()
    }
}

/// Compares `kit` with the citizen's units and open lines, for `plan` ordered by `org`.
/// Each role is filled, in this order of preference, by a unit already serving the plan, a
/// unit in the home whose model may serve the programme, a line on its way, or an order.
pub fn plan_kit_order(
    kit: &Kit,
    plan: CarePlanId,
    org: OrgId,
    models: &[Model],
    held: &[HeldUnit],
    open_lines: &[OpenLine],
) -> Result<KitPlan, DomainError> {
    let model = |id: ModelId| models.iter().find(|m| m.id == id);
    // A unit in the home may serve the programme if the kit names its model, or the model
    // is of the role and approved for the programme (a phasing-out model in use still serves).
    let serves = |u: &HeldUnit, role: DeviceRole, kit_models: &[ModelId]| {
        u.role == role
            && (kit_models.contains(&u.model_id)
                || model(u.model_id).is_some_and(|m| {
                    m.status != ModelStatus::Withdrawn
                        && (m.programmes.is_empty() || m.programmes.contains(&kit.programme_id))
                }))
    };
    let mut out = KitPlan::default();
    for r in &kit.roles {
        if let Some(u) = held
            .iter()
            .find(|u| u.plans.contains(&plan) && u.role == r.role)
        {
            out.already.push((r.role, u.unit_id));
        } else if let Some(u) = held.iter().find(|u| serves(u, r.role, &r.models)) {
            out.share.push((r.role, u.unit_id));
        } else if let Some(l) = open_lines.iter().find(|l| l.role == r.role) {
            if !l.plans.contains(&plan) {
                out.join.push((r.role, l.line_id));
            }
        } else {
            let orderable: Vec<ModelId> = r
                .models
                .iter()
                .copied()
                .filter(|id| model(*id).is_some_and(|m| m.orderable_for(kit.programme_id, org)))
                .collect();
            if orderable.is_empty() {
                return Err(DomainError::invalid(format!(
                    "no model approved for this programme and organisation can fill the role {}",
                    r.role
                )));
            }
            out.order.push((r.role, orderable));
        }
    }
    Ok(out)
}

/// A unit's cost shares after a plan joins it: every plan serving the unit pays an equal
/// share, in basis points that add up to exactly 10,000 (the first plans take the remainder).
pub fn equal_shares(n: usize) -> Vec<u32> {
    if n == 0 {
        return Vec::new();
    }
    let base = 10_000 / n as u32;
    let rest = 10_000 - base * n as u32;
    (0..n as u32).map(|i| base + u32::from(i < rest)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equipment::catalogue::{Connectivity, HygieneClass, KitRole};
    use crate::ids::{KitId, ProgrammeId};

    fn model(role: DeviceRole, programmes: Vec<ProgrammeId>) -> Model {
        Model {
            id: ModelId::new(),
            manufacturer: "A&D".into(),
            name: format!("{role}"),
            role,
            udi_di: "05712345000015".into(),
            measures: vec![],
            connectivity: Connectivity::Bluetooth,
            hygiene_class: HygieneClass::NonCritical,
            reprocessing_procedure: "Wipe with 70 % ethanol".into(),
            maintenance: None,
            purchase_price: 100_000,
            day_rate: 300,
            reprocessing_price: 15_000,
            status: ModelStatus::Approved,
            programmes,
            organisations: vec![],
        }
    }

    #[test]
    fn the_second_programme_orders_only_what_the_first_did_not_bring() {
        let heart = ProgrammeId::new();
        let diabetes = ProgrammeId::new();
        let tablet = model(DeviceRole::Tablet, vec![]);
        let bp = model(DeviceRole::BloodPressureMonitor, vec![]);
        let scale = model(DeviceRole::Scale, vec![heart]);
        let glucose = model(DeviceRole::GlucoseMeter, vec![diabetes]);
        let models = vec![tablet.clone(), bp.clone(), scale.clone(), glucose.clone()];
        let hf_plan = CarePlanId::new();
        let held = vec![
            HeldUnit {
                unit_id: UnitId::new(),
                model_id: tablet.id,
                role: DeviceRole::Tablet,
                plans: vec![hf_plan],
            },
            HeldUnit {
                unit_id: UnitId::new(),
                model_id: bp.id,
                role: DeviceRole::BloodPressureMonitor,
                plans: vec![hf_plan],
            },
            HeldUnit {
                unit_id: UnitId::new(),
                model_id: scale.id,
                role: DeviceRole::Scale,
                plans: vec![hf_plan],
            },
        ];
        let kit = Kit {
            id: KitId::new(),
            programme_id: diabetes,
            name: "Type 2-diabetes".into(),
            roles: [
                (DeviceRole::Tablet, tablet.id),
                (DeviceRole::BloodPressureMonitor, bp.id),
                (DeviceRole::GlucoseMeter, glucose.id),
            ]
            .into_iter()
            .map(|(role, m)| KitRole {
                role,
                models: vec![m],
            })
            .collect(),
        };
        let dm_plan = CarePlanId::new();
        let plan = plan_kit_order(&kit, dm_plan, OrgId::new(), &models, &held, &[]).unwrap();
        assert_eq!(
            plan.order,
            vec![(DeviceRole::GlucoseMeter, vec![glucose.id])]
        );
        assert_eq!(
            plan.share,
            vec![
                (DeviceRole::Tablet, held[0].unit_id),
                (DeviceRole::BloodPressureMonitor, held[1].unit_id)
            ]
        );
        assert!(plan.already.is_empty() && plan.join.is_empty());

        // Ordering again changes nothing once the plan is served.
        let mut held2 = held.clone();
        for u in &mut held2[..2] {
            u.plans.push(dm_plan);
        }
        let line = OpenLine {
            line_id: OrderLineId::new(),
            role: DeviceRole::GlucoseMeter,
            plans: vec![dm_plan],
        };
        let again = plan_kit_order(&kit, dm_plan, OrgId::new(), &models, &held2, &[line]).unwrap();
        assert!(again.order.is_empty() && again.share.is_empty() && again.join.is_empty());
        assert_eq!(again.already.len(), 2);
    }

    #[test]
    fn a_role_no_approved_model_can_fill_is_refused_with_its_name() {
        let p = ProgrammeId::new();
        let mut withdrawn = model(DeviceRole::Scale, vec![]);
        withdrawn.status = ModelStatus::Withdrawn;
        let kit = Kit {
            id: KitId::new(),
            programme_id: p,
            name: "k".into(),
            roles: vec![KitRole {
                role: DeviceRole::Scale,
                models: vec![withdrawn.id],
            }],
        };
        let err = plan_kit_order(
            &kit,
            CarePlanId::new(),
            OrgId::new(),
            &[withdrawn],
            &[],
            &[],
        )
        .unwrap_err();
        assert!(err.message.contains("scale"), "{}", err.message);
    }

    #[test]
    fn equal_shares_always_add_up_to_the_whole() {
        for n in 1..20 {
            let s = equal_shares(n);
            assert_eq!(s.iter().sum::<u32>(), 10_000);
            assert!(s.iter().max().unwrap() - s.iter().min().unwrap() <= 1);
        }
    }
}
