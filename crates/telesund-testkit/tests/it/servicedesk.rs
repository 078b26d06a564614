//! Service desk tests: servicedesk.
