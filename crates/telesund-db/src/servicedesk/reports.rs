//! Service desk: reports.
