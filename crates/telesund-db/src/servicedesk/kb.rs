//! Service desk: kb.
