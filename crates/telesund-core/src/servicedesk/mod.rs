//! The service desk: one phone number for citizens and staff. The business calendar and SLA
//! clocks (`sla`), a case's lifecycle (`case`), who is calling (`caller`), the knowledge base
//! (`kb`), when the desk steps in by itself (`proactive`) and the reports (`report`).

pub mod caller;
pub mod case;
pub mod kb;
pub mod proactive;
pub mod report;
pub mod sla;
