//! Recently verified bearer tokens, so an integration that sends many requests a second does
//! not cost three queries each before its real work starts.
//!
//! Why this is safe enough: an entry lives at most [`TTL`], and every change to staff users,
//! memberships, tokens or organisations on this instance empties the cache at once, so a
//! revoked token or a deactivated user is refused on the next request here. Another instance
//! sharing the PostgreSQL database notices within [`TTL`]. The cached value is the staff
//! profile, not the principal: membership periods are still judged against the clock on
//! every request. ARCHITECTURE.md records the trade-off.

use crate::staff::StaffProfile;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a verified token is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(10);

/// Beyond this many live tokens the cache starts over rather than grow without bound.
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub(crate) struct BearerCache {
    entries: Mutex<HashMap<String, (Instant, StaffProfile)>>,
}

impl BearerCache {
    /// The profile for a token hash verified less than [`TTL`] ago.
    pub(crate) fn get(&self, token_hash: &str) -> Option<StaffProfile> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(token_hash)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, profile)| profile.clone())
    }

    pub(crate) fn put(&self, token_hash: String, profile: StaffProfile) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (at, _)| at.elapsed() < TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(token_hash, (Instant::now(), profile));
    }

    /// Forgets every token: called after any change that could alter who a token speaks for.
    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
