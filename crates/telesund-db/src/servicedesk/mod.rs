//! Service desk storage: cases with their clocks and timeline, incoming calls and the caller
//! screen, the knowledge base and the reports. The rules (what a case may do next, how its
//! clocks run, what a priority promises) live in `telesund_core::servicedesk`.

pub mod calls;
pub mod cases;
pub mod kb;
pub mod reports;
