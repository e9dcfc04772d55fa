//! Subscriptions to the memory feed. Changes may come from any process on the data dir, so the
//! change table is polled (`memory::latest_seq`, cheap) every [`POLL_EVERY`] while at least one
//! feed URI is subscribed; a subscriber is told `notifications/resources/updated` only when a
//! change arrived that its persona may read. Legacy sessions subscribe with
//! `resources/subscribe` (one poller per session, ending with the last unsubscribe or the
//! session); 2026-07-28 sessions name feed URIs in `subscriptions/listen`, watched by that stream.

use std::{
    collections::HashMap,
    sync::{Mutex, Weak},
    time::Duration,
};

use llmgen_core::{CoreError, Store, memory, memory::Actor};
use rmcp::{
    ErrorData as McpError, RoleServer,
    model::{ResourceUpdatedNotificationParam, SubscriptionFilter},
    service::Peer,
};

use super::{FEED, request};
use crate::mcp::{Inner, LlmGenServer};

/// How often subscribed feeds are checked for changes.
pub const POLL_EVERY: Duration = Duration::from_millis(500);

/// Changes read per feed page while looking for one the subscriber may read.
const FEED_PAGE: u32 = 200;

/// One watched feed URI: who reads it, and the newest change already looked at.
pub struct Watched {
    actor: Actor,
    seen: i64,
}

impl Watched {
    /// Starts watching `uri` after the change `from` (default: the newest now); an error when it
    /// is not a feed URI it can read.
    pub fn start(store: &Store, uri: &str, from: Option<i64>) -> Result<Self, McpError> {
        let (_, actor) = request(store, uri).unwrap_or_else(|| {
            Err(McpError::invalid_params(
                format!("{uri} cannot be subscribed to: only the memory feed ({FEED}, with or without ?since=&asPersona=) sends updates."),
                None,
            ))
        })?;
        let seen = match from {
            Some(seq) => seq,
            None => memory::latest_seq(store).map_err(|e| super::error(uri, e))?,
        };
        Ok(Self { actor, seen })
    }

    /// Whether a change this reader may read arrived since the last look; `latest` is the
    /// newest change of all. Changes it may not read are passed over silently.
    fn has_news(&mut self, store: &Store, latest: i64) -> Result<bool, CoreError> {
        // The change table went back (a restore of an older backup): new changes may reuse
        // numbers up to where this reader had been.
        self.seen = self.seen.min(latest);
        while self.seen < latest {
            let page = memory::feed(store, &self.actor, self.seen, Some(FEED_PAGE))?;
            if !page.changes.is_empty() {
                self.seen = latest.max(page.next_since);
                return Ok(true);
            }
            if page.next_since <= self.seen {
                break;
            }
            self.seen = page.next_since;
        }
        self.seen = self.seen.max(latest);
        Ok(false)
    }
}

/// The URIs among `watched` with news for their reader. A failed look (the database busy for
/// longer than its timeout) is retried at the next poll.
fn news<'a>(store: &Store, watched: impl Iterator<Item = (&'a String, &'a mut Watched)>) -> Vec<String> {
    let latest = match memory::latest_seq(store) {
        Ok(latest) => latest,
        Err(e) => {
            tracing::debug!("memory feed not polled: {e}");
            return Vec::new();
        }
    };
    watched
        .filter_map(|(uri, w)| match w.has_news(store, latest) {
            Ok(news) => news.then(|| uri.clone()),
            Err(e) => {
                tracing::debug!("memory feed {uri} not polled: {e}");
                None
            }
        })
        .collect()
}

/// The feed URIs a legacy session subscribed to, and whether its poller runs.
#[derive(Default)]
pub struct Subscriptions {
    state: Mutex<SubscriptionState>,
}

#[derive(Default)]
struct SubscriptionState {
    feeds: HashMap<String, Watched>,
    polling: bool,
}

impl Subscriptions {
    fn state(&self) -> std::sync::MutexGuard<'_, SubscriptionState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Watches `uri` (again from now, if it was watched); true when a poller must be started.
    fn add(&self, uri: &str, watched: Watched) -> bool {
        let mut state = self.state();
        state.feeds.insert(uri.to_string(), watched);
        !std::mem::replace(&mut state.polling, true)
    }

    fn remove(&self, uri: &str) {
        self.state().feeds.remove(uri);
    }

    /// The subscribed URIs with news, or `None` when nothing is subscribed any more: the poller
    /// then ends (a later subscription starts a new one).
    fn poll(&self, store: &Store) -> Option<Vec<String>> {
        let mut state = self.state();
        if state.feeds.is_empty() {
            state.polling = false;
            return None;
        }
        Some(news(store, state.feeds.iter_mut()))
    }

    fn end(&self) {
        let mut state = self.state();
        state.feeds.clear();
        state.polling = false;
    }
}

impl LlmGenServer {
    /// `resources/subscribe`: watches a feed URI for `peer` (other URIs are refused: nothing
    /// else here changes without a list_changed notification).
    pub(crate) fn subscribe_feed(&self, uri: &str, peer: Peer<RoleServer>) -> Result<(), McpError> {
        let watched = Watched::start(&self.inner.store, uri, None)?;
        if self.inner.feed_subscriptions.add(uri, watched) {
            tokio::spawn(poll_subscriptions(std::sync::Arc::downgrade(&self.inner), peer));
        }
        Ok(())
    }

    /// `resources/unsubscribe`: stops watching (unknown URIs are no error: the end state holds).
    pub(crate) fn unsubscribe_feed(&self, uri: &str) {
        self.inner.feed_subscriptions.remove(uri);
    }
}

/// The poller of a legacy session: runs while a feed is subscribed and the session lasts.
async fn poll_subscriptions(inner: Weak<Inner>, peer: Peer<RoleServer>) {
    let mut tick = tokio::time::interval(POLL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        if peer.is_transport_closed() {
            inner.feed_subscriptions.end();
            return;
        }
        let Some(updated) = inner.feed_subscriptions.poll(&inner.store) else {
            return;
        };
        drop(inner);
        for uri in updated {
            if let Err(e) = peer
                .notify_resource_updated(ResourceUpdatedNotificationParam::new(uri))
                .await
            {
                tracing::debug!("resources/updated not sent: {e}");
            }
        }
    }
}

/// Where the feed URIs of acknowledged `subscriptions/listen` streams start: the newest change
/// when the stream was acknowledged. The SDK acknowledges before `listen` runs, and a change
/// another process makes in between must still be announced.
#[derive(Default)]
pub struct ListenStarts(Mutex<HashMap<String, (i64, std::time::Instant)>>);

/// How long an acknowledged stream has to start before its start point is forgotten (a stream
/// that never started must not make a later one announce old changes).
const LISTEN_START_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

impl ListenStarts {
    fn starts(&self) -> std::sync::MutexGuard<'_, HashMap<String, (i64, std::time::Instant)>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The feed URIs a stream may watch: those among `requested` that name the feed and a
    /// persona that exists, each recorded to start at the newest change now (or earlier, if an
    /// acknowledged stream of the same URI has not started yet). `None` when there are none.
    pub fn acknowledge(&self, store: &Store, requested: Option<&Vec<String>>) -> Option<Vec<String>> {
        let uris: Vec<String> = requested?
            .iter()
            .filter(|uri| request(store, uri).is_some_and(|r| r.is_ok()))
            .cloned()
            .collect();
        if uris.is_empty() {
            return None;
        }
        if let Ok(latest) = memory::latest_seq(store) {
            let mut starts = self.starts();
            starts.retain(|_, (_, at)| at.elapsed() < LISTEN_START_WAIT);
            let now = std::time::Instant::now();
            for uri in &uris {
                let start = starts.entry(uri.clone()).or_insert((latest, now));
                *start = (start.0.min(latest), now);
            }
        }
        Some(uris)
    }

    fn take(&self, uri: &str) -> Option<i64> {
        self.starts()
            .remove(uri)
            .filter(|(_, at)| at.elapsed() < LISTEN_START_WAIT)
            .map(|(seq, _)| seq)
    }
}

/// The feeds one `subscriptions/listen` stream watches.
pub struct ListenFeeds {
    feeds: Vec<(String, Watched)>,
}

impl ListenFeeds {
    /// Watches the feed URIs of `accepted`, each from where its acknowledgement left it.
    pub fn start(store: &Store, accepted: &SubscriptionFilter, starts: &ListenStarts) -> Self {
        let feeds = accepted
            .resource_subscriptions
            .iter()
            .flatten()
            .filter_map(|uri| {
                let watched = Watched::start(store, uri, starts.take(uri)).ok()?;
                Some((uri.clone(), watched))
            })
            .collect();
        Self { feeds }
    }

    pub fn is_empty(&self) -> bool {
        self.feeds.is_empty()
    }

    /// The watched URIs with news.
    pub fn poll(&mut self, store: &Store) -> Vec<String> {
        news(store, self.feeds.iter_mut().map(|(uri, w)| (&*uri, w)))
    }
}

#[cfg(test)]
mod tests {
    use llmgen_core::{
        catalog,
        catalog::personas::{NewPersona, Persona},
        memory::{NewMemory, Permission},
    };

    use super::*;

    fn store_with(personas: &[&str]) -> Store {
        let store = Store::open_in_memory().expect("store");
        for name in personas {
            let persona = NewPersona {
                name: name.to_string(),
                system_prompt: "You help.".into(),
                ..Default::default()
            };
            catalog::add::<Persona>(&store, persona).expect("persona");
        }
        store
    }

    fn note(store: &Store, by: &str, permission: Permission) -> i64 {
        let new = NewMemory {
            title: format!("{by}'s note"),
            permission: Some(permission),
            ..Default::default()
        };
        memory::create(store, &Actor::Persona(by.into()), new)
            .expect("create")
            .id
    }

    fn look(store: &Store, watched: &mut Watched) -> bool {
        let latest = memory::latest_seq(store).expect("latest");
        watched.has_news(store, latest).expect("poll")
    }

    /// Proves: a reader hears of a change it may read once, not of changes it may not read,
    /// including a readable change behind more than a feed page of unreadable ones.
    #[test]
    fn news_is_what_the_reader_may_read_once() {
        let store = store_with(&["alice", "bob"]);
        let uri = format!("{FEED}?asPersona=bob");
        let mut bob = Watched::start(&store, &uri, None).expect("watch");
        assert!(!look(&store, &mut bob), "nothing yet");
        note(&store, "alice", Permission::Private);
        assert!(!look(&store, &mut bob), "alice's private note is not bob's news");
        note(&store, "alice", Permission::Shared);
        assert!(look(&store, &mut bob), "a shared note is");
        assert!(!look(&store, &mut bob), "and only once");
        for _ in 0..=FEED_PAGE {
            note(&store, "alice", Permission::Private);
        }
        note(&store, "alice", Permission::Editable);
        assert!(
            look(&store, &mut bob),
            "found behind a page of unreadable changes"
        );
    }

    /// Proves: when the change table goes back (a restored older backup), the reader's mark
    /// follows it, so the next change is news again instead of hiding below the old mark.
    #[test]
    fn a_change_table_that_went_back_is_followed() {
        let store = store_with(&["alice"]);
        let mut user = Watched::start(&store, FEED, Some(40)).expect("watch");
        assert!(!look(&store, &mut user), "nothing was changed");
        note(&store, "alice", Permission::Private);
        assert!(look(&store, &mut user), "the user reads every note");
    }

    /// Proves: only feed URIs can be watched, and a persona that does not exist is refused.
    #[test]
    fn only_feed_uris_of_existing_personas_are_watched() {
        let store = store_with(&[]);
        let other = Watched::start(&store, "llmgen://status", None)
            .err()
            .expect("refused");
        assert!(other.message.contains("only the memory feed"), "{other:?}");
        let nobody = Watched::start(&store, &format!("{FEED}?asPersona=nobody"), None)
            .err()
            .expect("refused");
        assert!(nobody.message.contains("nobody"), "{nobody:?}");
    }
}
