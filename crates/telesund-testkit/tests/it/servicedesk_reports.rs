//! Service desk tests: servicedesk_reports.
