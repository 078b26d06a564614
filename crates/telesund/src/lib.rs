//! The telesund program: configuration, telemetry, the sub-commands and the wiring of the
//! crates into one service. Also a library so the test kit starts exactly this application.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod telemetry;
