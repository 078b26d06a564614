//! The service desk reports.
