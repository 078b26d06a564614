//! Service desk: calls.
