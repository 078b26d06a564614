//! Service desk tests: servicedesk_kb.
