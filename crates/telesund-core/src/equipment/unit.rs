//! A serial-numbered unit and its lifecycle. The transition table below is the only way a
//! unit's state changes: storage asks [`UnitState::after`] and refuses what it refuses.
//!
//! The rule the table exists for: a unit that has been out (with a citizen, a technician or
//! a supplier) is dirty until proven clean, so it comes back to `available` only through
//! `reprocessing`, and leaves `reprocessing` for `available` only with a passed
//! reprocessing record (see [`super::reprocessing`]).

use crate::error::{DomainError, ErrorCode};
use crate::identity::string_enum;
use crate::ids::{CitizenId, ModelId, UnitId, UserId, WarehouseId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use time::Date;

string_enum!(
    /// Where a unit is in its life.
    UnitState {
        Received = "received",
        IncomingInspection = "incoming_inspection",
        Available = "available",
        Reserved = "reserved",
        Prepared = "prepared",
        InTransit = "in_transit",
        InUse = "in_use",
        SwapPending = "swap_pending",
        InTransitBack = "in_transit_back",
        Quarantine = "quarantine",
        Reprocessing = "reprocessing",
        Repair = "repair",
        Lost = "lost",
        RecallHold = "recall_hold",
        Retired = "retired",
        Disposed = "disposed",
    }
);

string_enum!(
    /// What happens to a unit; each event is one row of the transition table. `release`
    /// undoes an allocation; `undeliverable` brings a unit back unused, to be cleaned.
    UnitEvent {
        StartInspection = "start_inspection",
        PassInspection = "pass_inspection",
        FailInspection = "fail_inspection",
        Reserve = "reserve",
        Release = "release",
        Prepare = "prepare",
        Dispatch = "dispatch",
        Install = "install",
        Undeliverable = "undeliverable",
        ReportFault = "report_fault",
        FaultCleared = "fault_cleared",
        Collect = "collect",
        GoodsIn = "goods_in",
        StartReprocessing = "start_reprocessing",
        PassReprocessing = "pass_reprocessing",
        FailReprocessing = "fail_reprocessing",
        Repaired = "repaired",
        ReportLost = "report_lost",
        Found = "found",
        PutOnRecallHold = "recall_hold",
        ReleaseRecallHold = "recall_release",
        Retire = "retire",
        Dispose = "dispose",
    }
);

impl UnitState {
    /// Nothing more happens to a disposed unit.
    pub fn is_terminal(self) -> bool {
        self == UnitState::Disposed
    }

    /// Out of the warehouse: with a technician on the way, in a home, or coming back.
    pub fn is_out(self) -> bool {
        matches!(
            self,
            UnitState::InTransit
                | UnitState::InUse
                | UnitState::SwapPending
                | UnitState::InTransitBack
        )
    }

    /// The state after `event`, or why it cannot happen. `before_hold` is the state a unit
    /// on recall hold was in when it was put on hold (ignored otherwise).
    pub fn after(
        self,
        event: UnitEvent,
        before_hold: Option<UnitState>,
    ) -> Result<UnitState, DomainError> {
        use UnitEvent as E;
        use UnitState as S;
        let next = match (self, event) {
            (S::Received, E::StartInspection) => Some(S::IncomingInspection),
            (S::IncomingInspection, E::PassInspection) => Some(S::Available),
            (S::IncomingInspection, E::FailInspection) => Some(S::Repair),
            (S::Available, E::Reserve) => Some(S::Reserved),
            (S::Reserved, E::Release) => Some(S::Available),
            (S::Reserved, E::Prepare) => Some(S::Prepared),
            // A prepared tablet has been paired with the citizen: it is wiped before reuse.
            (S::Prepared, E::Release) => Some(S::Quarantine),
            (S::Prepared, E::Dispatch) => Some(S::InTransit),
            (S::InTransit, E::Install) => Some(S::InUse),
            (S::InTransit, E::Undeliverable) => Some(S::Quarantine),
            (S::InUse, E::ReportFault) => Some(S::SwapPending),
            (S::SwapPending, E::FaultCleared) => Some(S::InUse),
            (S::InUse | S::SwapPending, E::Collect) => Some(S::InTransitBack),
            (S::InTransitBack, E::GoodsIn) => Some(S::Quarantine),
            (S::Quarantine, E::StartReprocessing) => Some(S::Reprocessing),
            (S::Reprocessing, E::PassReprocessing) => Some(S::Available),
            (S::Reprocessing, E::FailReprocessing) => Some(S::Repair),
            // Back from repair, a unit is cleaned again before anyone gets it.
            (S::Repair, E::Repaired) => Some(S::Quarantine),
            (S::InTransit | S::InUse | S::SwapPending | S::InTransitBack, E::ReportLost) => {
                Some(S::Lost)
            }
            (S::Lost, E::Found) => Some(S::Quarantine),
            (s, E::PutOnRecallHold) if !matches!(s, S::RecallHold | S::Retired | S::Disposed) => {
                Some(S::RecallHold)
            }
            (S::RecallHold, E::ReleaseRecallHold) => Some(match before_hold {
                // A unit in a home stays where it is; anything else is checked and cleaned.
                Some(b) if b.is_out() => b,
                Some(S::Lost) => S::Lost,
                _ => S::Quarantine,
            }),
            (S::Available | S::Quarantine | S::Repair | S::Lost | S::RecallHold, E::Retire) => {
                Some(S::Retired)
            }
            (S::Retired, E::Dispose) => Some(S::Disposed),
            _ => None,
        };
        next.ok_or_else(|| {
            DomainError::new(
                ErrorCode::Conflict,
                format!("a unit that is {} cannot {}", self.as_str(), event.as_str()),
            )
        })
    }

    /// The events that may happen next, for the buttons on a unit's page.
    pub fn possible_events(self, before_hold: Option<UnitState>) -> Vec<UnitEvent> {
        UnitEvent::ALL
            .iter()
            .copied()
            .filter(|e| self.after(*e, before_hold).is_ok())
            .collect()
    }
}

string_enum!(
    /// Where a unit physically is.
    LocationKind { Warehouse = "warehouse", Home = "home", Technician = "technician", Supplier = "supplier" }
);

/// Where a unit physically is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    Warehouse { warehouse_id: WarehouseId },
    Home { citizen_id: CitizenId },
    Technician { user_id: Option<UserId> },
    Supplier,
}

impl Location {
    pub fn kind(&self) -> LocationKind {
        match self {
            Location::Warehouse { .. } => LocationKind::Warehouse,
            Location::Home { .. } => LocationKind::Home,
            Location::Technician { .. } => LocationKind::Technician,
            Location::Supplier => LocationKind::Supplier,
        }
    }
    pub fn citizen(&self) -> Option<CitizenId> {
        match self {
            Location::Home { citizen_id } => Some(*citizen_id),
            _ => None,
        }
    }
}

/// Where an event leaves the unit, given where it was and its home warehouse: the
/// logistics follow the lifecycle, so staff never set a location by hand.
pub fn location_after(
    event: UnitEvent,
    from: Location,
    home_warehouse: WarehouseId,
    citizen: Option<CitizenId>,
    actor: Option<UserId>,
) -> Location {
    use UnitEvent as E;
    match event {
        E::Dispatch | E::Collect => Location::Technician { user_id: actor },
        E::Install => match citizen.or(from.citizen()) {
            Some(citizen_id) => Location::Home { citizen_id },
            None => from,
        },
        E::GoodsIn | E::Undeliverable | E::Found | E::Repaired => Location::Warehouse {
            warehouse_id: home_warehouse,
        },
        E::FailInspection | E::FailReprocessing => Location::Supplier,
        _ => from,
    }
}

/// The production identifier of a unit (UDI-PI): what makes it this one unit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UdiPi {
    pub serial: String,
    pub lot: Option<String>,
    pub expiry: Option<Date>,
    pub software_version: Option<String>,
}

/// One serial-numbered device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    pub model_id: ModelId,
    pub pi: UdiPi,
    /// The id the device reports with its measurements (IEEE 11073 system id, Bluetooth
    /// MAC), when it is not the serial number.
    pub device_id: Option<String>,
    pub purchased_on: Date,
    pub purchase_price: super::Ore,
    pub state: UnitState,
    pub before_hold: Option<UnitState>,
    pub location: Location,
    /// The warehouse the unit returns to.
    pub warehouse_id: WarehouseId,
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_state() -> impl Strategy<Value = UnitState> {
        proptest::sample::select(UnitState::ALL.to_vec())
    }
    fn any_event() -> impl Strategy<Value = UnitEvent> {
        proptest::sample::select(UnitEvent::ALL.to_vec())
    }

    /// Walks random event sequences from a new unit, remembering the path, and checks the
    /// lifecycle's promises at every step.
    fn walk(events: &[UnitEvent]) -> Vec<(UnitState, UnitEvent, UnitState)> {
        let mut state = UnitState::Received;
        let mut before_hold = None;
        let mut steps = Vec::new();
        for e in events {
            if let Ok(next) = state.after(*e, before_hold) {
                if next == UnitState::RecallHold {
                    before_hold = Some(state);
                }
                steps.push((state, *e, next));
                state = next;
            }
        }
        steps
    }

    proptest! {
        #[test]
        fn a_unit_that_has_been_out_is_available_again_only_after_reprocessing(
            events in proptest::collection::vec(any_event(), 0..120)
        ) {
            // Clean: new, or on the shelf since its last passed reprocessing. Any state but
            // an inspection or a reservation means it has been handled for someone.
            let mut clean = true;
            for (from, event, to) in walk(&events) {
                if to == UnitState::Available {
                    prop_assert!(
                        clean || event == UnitEvent::PassReprocessing,
                        "{from} --{event}--> available without reprocessing"
                    );
                    clean = true;
                } else {
                    clean &= matches!(to, UnitState::IncomingInspection | UnitState::Reserved);
                }
            }
        }

        #[test]
        fn every_refusal_is_a_conflict_that_names_the_state_and_the_event(
            state in any_state(), event in any_event(), before in proptest::option::of(any_state())
        ) {
            match state.after(event, before) {
                Ok(next) => prop_assert!(!state.is_terminal(), "{state} moved to {next}"),
                Err(e) => {
                    prop_assert_eq!(e.code, ErrorCode::Conflict);
                    prop_assert!(e.message.contains(state.as_str()) && e.message.contains(event.as_str()));
                }
            }
        }

        #[test]
        fn nothing_leaves_disposed_and_only_retired_units_are_disposed(
            events in proptest::collection::vec(any_event(), 0..120)
        ) {
            for (from, _, to) in walk(&events) {
                prop_assert!(from != UnitState::Disposed);
                if to == UnitState::Disposed {
                    prop_assert_eq!(from, UnitState::Retired);
                }
            }
        }

        #[test]
        fn a_unit_on_a_home_visit_released_from_a_recall_stays_in_the_home(before in any_state()) {
            if let Ok(held) = before.after(UnitEvent::PutOnRecallHold, None) {
                let released = held.after(UnitEvent::ReleaseRecallHold, Some(before)).unwrap();
                if before.is_out() {
                    prop_assert_eq!(released, before);
                } else {
                    prop_assert_ne!(released, UnitState::Available);
                }
            }
        }
    }

    #[test]
    fn every_state_but_disposed_can_move_and_every_state_can_be_reached() {
        for s in UnitState::ALL {
            assert_eq!(s.possible_events(None).is_empty(), s.is_terminal(), "{s}");
        }
        let mut reached = vec![UnitState::Received];
        let mut frontier = vec![UnitState::Received];
        while let Some(s) = frontier.pop() {
            for e in s.possible_events(Some(UnitState::InUse)) {
                let n = s.after(e, Some(UnitState::InUse)).unwrap();
                if !reached.contains(&n) {
                    reached.push(n);
                    frontier.push(n);
                }
            }
        }
        assert_eq!(reached.len(), UnitState::ALL.len());
    }

    #[test]
    fn the_whole_round_trip_of_a_unit() {
        use UnitEvent::*;
        let mut s = UnitState::Received;
        for e in [
            StartInspection,
            PassInspection,
            Reserve,
            Prepare,
            Dispatch,
            Install,
            Collect,
            GoodsIn,
            StartReprocessing,
            PassReprocessing,
        ] {
            s = s.after(e, None).unwrap();
        }
        assert_eq!(s, UnitState::Available);
        let err = UnitState::Quarantine
            .after(UnitEvent::Reserve, None)
            .unwrap_err();
        assert_eq!(err.message, "a unit that is quarantine cannot reserve");
    }
}
