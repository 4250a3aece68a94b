//! Accepting connections and running each one: a thread per connection (idle or slow
//! clients then hold only their own thread), up to a fixed number of connections, each
//! reading request heads within [`Limits`] and answering them in order.

use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::http::{self, Reply};
use super::reload;
use super::state::Shared;
use super::wire::{HeadReader, Limits, Method, ReadError};
use super::{Event, Reporter};

/// How connections are run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub limits: Limits,
    pub write_timeout: Duration,
    pub max_connections: usize,
}

/// A connection answers from memory or a file and runs no analysis: a small stack is plenty,
/// and keeps hundreds of idle connections cheap.
const STACK: usize = 512 * 1024;

/// Accepts until the server stops. Accept errors (out of file descriptors under a flood of
/// connections) are waited out, never fatal: the loop must outlive any burst.
pub(crate) fn accept_loop(
    listener: &TcpListener,
    shared: &Arc<Shared>,
    settings: Settings,
    report: &Reporter,
) {
    let open = Arc::new(AtomicUsize::new(0));
    let mut failing = false;
    while !shared.stopping.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                failing = false;
                start(stream, shared, settings, &open);
            }
            Err(err) => {
                if !failing {
                    report(Event::Warning(format!(
                        "accepting connections failed ({err}); retrying"
                    )));
                }
                failing = true;
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Counts a connection while its thread runs.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn start(mut stream: TcpStream, shared: &Arc<Shared>, settings: Settings, open: &Arc<AtomicUsize>) {
    let taken = open.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
        (n < settings.max_connections).then_some(n + 1)
    });
    if taken.is_err() {
        // Answered from the accepting thread, so it must not wait on a client that reads nothing.
        let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
        let _ = http::busy().write_to(&mut stream, false, false);
        return;
    }
    let slot = Slot(Arc::clone(open));
    let shared = Arc::clone(shared);
    // If the thread cannot start, the closure is dropped with the slot and the stream.
    let _ = std::thread::Builder::new()
        .name("tssa-conn".to_owned())
        .stack_size(STACK)
        .spawn(move || {
            let _slot = slot;
            run(stream, &shared, settings);
        });
}

/// Answers requests on one connection until it closes, asks to close, or turns into an event
/// stream.
fn run(stream: TcpStream, shared: &Shared, settings: Settings) {
    // Each answer is one write already; without Nagle it also leaves at once, instead of
    // waiting for the client's delayed ACK of the previous one.
    let _ = stream.set_nodelay(true);
    // A client that stops reading loses its answer instead of holding the thread.
    let _ = stream.set_write_timeout(Some(settings.write_timeout));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = HeadReader::new(stream, settings.limits);
    while !shared.stopping.load(Ordering::SeqCst) {
        let request = match reader.next_request() {
            Ok(request) => request,
            Err(ReadError::Closed) => return,
            Err(ReadError::Refused(refusal)) => {
                let sent = http::refusal(refusal).write_to(&mut writer, false, false);
                return close_after(sent, &mut writer, &mut reader);
            }
        };
        // A body is never read, so nothing after it can be taken for a request.
        let keep_alive = request.keep_alive() && !request.has_body();
        let answer =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| http::respond(&request, shared)));
        match answer.unwrap_or_else(|_| Reply::Send(http::internal_error())) {
            Reply::Send(response) => {
                let sent = response.write_to(&mut writer, request.method == Method::Head, keep_alive);
                if sent.is_err() || !keep_alive {
                    if request.has_body() {
                        close_after(sent, &mut writer, &mut reader);
                    }
                    return;
                }
            }
            Reply::Events {
                head,
                subscription,
                version,
            } => return reload::stream(writer, &head, subscription, version, shared.heartbeat),
        }
    }
}

/// Closes a connection whose client may still be sending (a refused head, an unread body):
/// closing with unread bytes would reset it, and the client could lose the answer.
fn close_after(sent: std::io::Result<()>, writer: &mut TcpStream, reader: &mut HeadReader) {
    if sent.is_ok() && writer.flush().is_ok() && writer.shutdown(Shutdown::Write).is_ok() {
        reader.linger();
    }
}
