//! Orders: what a clinician asks the service centre for, and how the service centre carries
//! it out. The shape follows FUT's service-support-logistics Order / OrderLine / TraceLine;
//! FUT lists no status values, so these are ours, enforced by [`OrderStatus::can_become`].

use crate::error::{DomainError, ErrorCode};
use crate::identity::string_enum;
use serde::{Deserialize, Serialize};

string_enum!(
    /// Where an order is in its life.
    OrderStatus {
        Draft = "draft",
        Submitted = "submitted",
        Accepted = "accepted",
        Rejected = "rejected",
        Scheduled = "scheduled",
        Picking = "picking",
        Dispatched = "dispatched",
        Installed = "installed",
        Active = "active",
        ChangeRequested = "change_requested",
        ReturnRequested = "return_requested",
        Collected = "collected",
        Closed = "closed",
        Cancelled = "cancelled",
    }
);

impl OrderStatus {
    /// The statuses an order may move to from this one.
    pub fn next(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            Draft => &[Submitted, Cancelled],
            Submitted => &[Accepted, Rejected, Cancelled],
            Accepted => &[Scheduled, Cancelled],
            // A pickup is collected on its scheduled visit, nothing is picked for it; a
            // service visit (training, calibration) closes its order when done.
            Scheduled => &[Picking, Collected, Closed, Cancelled],
            Picking => &[Dispatched],
            Dispatched => &[Installed],
            Installed => &[Active],
            Active => &[ChangeRequested, ReturnRequested, Closed],
            ChangeRequested => &[Active],
            ReturnRequested => &[Scheduled, Collected],
            Collected => &[Closed],
            Rejected | Closed | Cancelled => &[],
        }
    }

    pub fn can_become(self, next: OrderStatus) -> bool {
        self.next().contains(&next)
    }

    /// Refuses a step the lifecycle does not allow, naming both ends.
    pub fn check_step(self, next: OrderStatus) -> Result<(), DomainError> {
        if self.can_become(next) {
            Ok(())
        } else {
            Err(DomainError::new(
                ErrorCode::Conflict,
                format!(
                    "an order that is {} cannot become {}",
                    self.as_str(),
                    next.as_str()
                ),
            ))
        }
    }

    /// Still work for someone (the logistics dashboard's "orders to handle").
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            OrderStatus::Rejected
                | OrderStatus::Closed
                | OrderStatus::Cancelled
                | OrderStatus::Active
        )
    }
}

string_enum!(
    /// What the service centre is asked to do, with FUT's service type codes.
    ServiceType {
        Deliver = "DELIVER",
        Install = "INSTALL",
        Training = "TRAINING",
        Pickup = "PICKUP",
        Repair = "REPAIR",
        Replace = "REPLACE",
        Calibration = "CALIBRATION",
        Maintenance = "MAINTENANCE",
    }
);

impl ServiceType {
    /// A visit that serves equipment already in the home: no units move.
    pub fn is_service_visit(self) -> bool {
        matches!(
            self,
            ServiceType::Training
                | ServiceType::Calibration
                | ServiceType::Maintenance
                | ServiceType::Repair
        )
    }

    /// Whether the order brings equipment to the citizen (its lines end in the home).
    pub fn brings_equipment(self) -> bool {
        matches!(
            self,
            ServiceType::Deliver | ServiceType::Install | ServiceType::Replace
        )
    }
}

string_enum!(
    /// How soon: routine within the delivery window, urgent within a working day.
    Priority { Routine = "routine", Urgent = "urgent" }
);

string_enum!(
    /// Where one line of an order is: a role waiting for a unit, a unit on its way, in the
    /// home, or back.
    LineStatus {
        Pending = "pending",
        Allocated = "allocated",
        Delivered = "delivered",
        Returned = "returned",
        Cancelled = "cancelled",
    }
);

/// Details for the technician who goes to the home.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The first and last day the citizen can receive the visit (Danish dates).
    pub earliest: Option<time::Date>,
    pub latest: Option<time::Date>,
    pub door_code: String,
    pub contact_person: String,
    pub notes: String,
}

impl Delivery {
    pub fn validate(&self, today: time::Date) -> Result<(), DomainError> {
        if let (Some(a), Some(b)) = (self.earliest, self.latest)
            && b < a
        {
            return Err(DomainError::invalid(
                "the delivery window ends before it starts",
            ));
        }
        if let Some(a) = self.earliest
            && a < today
        {
            return Err(DomainError::invalid(
                "the delivery window starts in the past",
            ));
        }
        if self.door_code.len() > 40 || self.contact_person.len() > 200 || self.notes.len() > 2000 {
            return Err(DomainError::invalid("the delivery notes are too long"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_walk_of_an_order_ends_only_in_a_final_status_and_never_reopens(
            picks in proptest::collection::vec(0usize..8, 0..60)
        ) {
            let mut s = OrderStatus::Draft;
            let mut seen_final = false;
            for p in picks {
                let next = s.next();
                if next.is_empty() {
                    seen_final = true;
                    continue;
                }
                let n = next[p % next.len()];
                prop_assert!(s.check_step(n).is_ok());
                prop_assert!(!seen_final);
                s = n;
            }
            prop_assert!(s.next().is_empty() == matches!(s, OrderStatus::Rejected | OrderStatus::Closed | OrderStatus::Cancelled));
        }

        #[test]
        fn a_refused_step_is_a_conflict_naming_both_statuses(
            a in proptest::sample::select(OrderStatus::ALL.to_vec()),
            b in proptest::sample::select(OrderStatus::ALL.to_vec()),
        ) {
            match a.check_step(b) {
                Ok(()) => prop_assert!(a.next().contains(&b)),
                Err(e) => {
                    prop_assert_eq!(e.code, ErrorCode::Conflict);
                    prop_assert!(e.message.contains(a.as_str()) && e.message.contains(b.as_str()));
                }
            }
        }
    }

    #[test]
    fn an_order_cannot_be_cancelled_once_picked_and_every_status_is_reachable() {
        assert!(!OrderStatus::Picking.can_become(OrderStatus::Cancelled));
        assert!(OrderStatus::Scheduled.can_become(OrderStatus::Cancelled));
        let mut reached = vec![OrderStatus::Draft];
        let mut i = 0;
        while i < reached.len() {
            for n in reached[i].next() {
                if !reached.contains(n) {
                    reached.push(*n);
                }
            }
            i += 1;
        }
        assert_eq!(reached.len(), OrderStatus::ALL.len());
    }

    #[test]
    fn a_delivery_window_must_be_a_window_in_the_future() {
        let today = time::macros::date!(2026 - 11 - 27);
        let mut d = Delivery {
            earliest: Some(today),
            latest: Some(today),
            ..Default::default()
        };
        assert!(d.validate(today).is_ok());
        d.latest = Some(time::macros::date!(2026 - 11 - 26));
        assert!(d.validate(today).is_err());
        d.earliest = Some(time::macros::date!(2026 - 11 - 20));
        assert!(d.validate(today).is_err());
    }
}
