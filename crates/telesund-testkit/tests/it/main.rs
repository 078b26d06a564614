//! The one integration-test binary (each extra binary costs a link on 2 cores).
//! Every storage and HTTP test runs on SQLite and, when `TELESUND_TEST_PG` is set, PostgreSQL.

mod api;
mod auth;
mod equipment;
mod equipment_api;
mod equipment_pages;
mod equipment_ui;
mod fhir;
mod fhir_monitoring;
mod monitoring;
mod monitoring_jobs;
mod monitoring_ui;
mod portal_monitoring;
mod servicedesk;
mod servicedesk_api;
mod servicedesk_kb;
mod servicedesk_reports;
mod servicedesk_ui;
mod storage;
mod ui;
mod worklist;
