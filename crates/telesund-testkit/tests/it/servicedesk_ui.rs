//! Service desk tests: servicedesk_ui.
