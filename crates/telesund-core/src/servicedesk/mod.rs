//! The service desk: one phone number for citizens and staff. This part holds the business
//! calendar and the SLA clocks, counted in working time on Danish working days.

pub mod sla;
