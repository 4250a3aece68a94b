//! Telling open tabs to reload, over Server-Sent Events. A stream keeps its connection's
//! thread and socket: it writes the response head, then each event as it comes. Idle
//! streams get a comment line every heartbeat: writing is the only way to learn that a tab
//! has gone.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Signal {
    Reload(u64),
    Close,
}

/// The open event streams.
pub(crate) struct Hub {
    streams: Mutex<Vec<Sender<Signal>>>,
    open: Arc<AtomicUsize>,
    max: usize,
}

/// A stream's place in the hub; the count goes down when the stream's thread ends.
pub(crate) struct Subscription {
    signals: Receiver<Signal>,
    _slot: Slot,
}

struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Hub {
    pub fn new(max: usize) -> Self {
        Hub {
            streams: Mutex::new(Vec::new()),
            open: Arc::new(AtomicUsize::new(0)),
            max,
        }
    }

    /// `None` when the limit of open streams is reached.
    pub fn subscribe(&self) -> Option<Subscription> {
        let taken = self.open.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
            (n < self.max).then_some(n + 1)
        });
        if taken.is_err() {
            return None;
        }
        let slot = Slot(Arc::clone(&self.open));
        let (sender, signals) = mpsc::channel();
        self.lock().push(sender);
        Some(Subscription { signals, _slot: slot })
    }

    pub fn broadcast(&self, version: u64) {
        // A failed send means that stream has ended: drop it here.
        self.lock()
            .retain(|stream| stream.send(Signal::Reload(version)).is_ok());
    }

    pub fn close(&self) {
        for stream in self.lock().drain(..) {
            let _ = stream.send(Signal::Close);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Sender<Signal>>> {
        self.streams.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs one stream until the tab goes away or the server stops. `head`: the response head
/// (made with the other responses, so it carries the same headers). `version`: the version
/// current when the stream subscribed; a tab whose page is older reloads at once.
pub(crate) fn stream(
    mut writer: impl Write,
    head: &[u8],
    subscription: Subscription,
    version: u64,
    heartbeat: Duration,
) {
    let hello = format!("retry: 1000\n\nevent: hello\ndata: {version}\n\n");
    let first = [head, hello.as_bytes()].concat();
    if send(&mut writer, &first).is_err() {
        return;
    }
    loop {
        let event = match subscription.signals.recv_timeout(heartbeat) {
            Ok(Signal::Reload(version)) => format!("event: reload\ndata: {version}\n\n"),
            Err(RecvTimeoutError::Timeout) => ": heartbeat\n\n".to_owned(),
            Ok(Signal::Close) | Err(RecvTimeoutError::Disconnected) => return,
        };
        if send(&mut writer, event.as_bytes()).is_err() {
            return;
        }
    }
}

fn send(writer: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    writer.write_all(bytes)?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_limit_is_released_when_a_stream_ends() {
        let hub = Hub::new(1);
        let first = hub.subscribe();
        assert!(first.is_some());
        assert!(hub.subscribe().is_none());
        drop(first);
        assert!(hub.subscribe().is_some());
    }

    #[test]
    fn ended_streams_are_dropped_on_broadcast() {
        let hub = Hub::new(4);
        let kept = hub.subscribe();
        drop(hub.subscribe());
        hub.broadcast(7);
        assert_eq!(hub.lock().len(), 1);
        let got = kept.map(|s| s.signals.try_recv().ok());
        assert!(matches!(got, Some(Some(Signal::Reload(7)))));
    }
}
