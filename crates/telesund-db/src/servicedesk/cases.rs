//! Service desk: cases.
