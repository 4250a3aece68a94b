//! Save-to-reload latency of `tssa serve` on a copy of the acceptance corpus: the time from
//! writing a document to the reload event arriving on an open event stream, debounce
//! included. Prints the median of 20 saves (target: under 50 ms, p90 under 80 ms) and the time
//! from starting the server to its first page. Then the time to answer a
//! page on a kept-alive connection, over 200 requests (target: median under 10 ms; Nagle's
//! algorithm against the client's delayed ACK once made it ~44 ms).
//!
//! `TSSA_CORPUS` names the corpus (default: `../shared/corpus/tag-security` beside the
//! checkout; without it, the sample site in `content/`).
//!
//! A plain `main` (harness = false). Until the manifest says so, cargo builds this file as a
//! test harness, where `main` is unused.
#![cfg_attr(test, allow(dead_code))]

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tssa::config::Overrides;
use tssa::serve::{Event, ServeOptions};

const SAVES: usize = 20;

fn main() {
    if let Err(err) = run() {
        eprintln!("serve_latency: {err}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let source = corpus();
    let copy = tempfile::tempdir().map_err(|e| e.to_string())?;
    copy_tree(&source, copy.path()).map_err(|e| format!("copying {}: {e}", source.display()))?;
    let doc = pick_document(copy.path())?;
    let original = fs::read_to_string(&doc).map_err(|e| e.to_string())?;

    let builds: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let seen = Arc::clone(&builds);
    let reporter = Arc::new(move |event: Event| match event {
        Event::Built {
            initial: false,
            duration,
            ..
        }
        | Event::Rejected { duration, .. } => {
            if let Ok(mut list) = seen.lock() {
                list.push(duration);
            }
        }
        Event::Warning(warning) => eprintln!("warning: {warning}"),
        _ => {}
    });
    let mut options = ServeOptions::new(Overrides {
        root: Some(copy.path().to_path_buf()),
        ..Overrides::default()
    });
    options.port = 0;
    let debounce = options.debounce;
    // Time to first page: from starting the server (which builds the site before it returns)
    // to the home page's last byte.
    let starting = Instant::now();
    let running = tssa::serve::start(options, reporter).map_err(|e| e.to_string())?;
    keep_alive(&running.addr().to_string(), 1)?;
    let first_page = starting.elapsed();

    let mut stream = EventStream::open(&running.addr().to_string())?;
    let mut latencies = Vec::with_capacity(SAVES);
    let mut cpu = Duration::ZERO;
    let mut extra = 0;
    // One extra save first: warms the page cache and the parse cache's racy window.
    for i in 0..=SAVES {
        let text = format!("{original}\n\nLatency probe {i}.\n");
        let (started, cpu_before) = (Instant::now(), process_cpu());
        fs::write(&doc, text).map_err(|e| e.to_string())?;
        stream.wait_for_reload(Duration::from_secs(10))?;
        let elapsed = started.elapsed();
        if i > 0 {
            latencies.push(elapsed);
            cpu += process_cpu()
                .unwrap_or_default()
                .saturating_sub(cpu_before.unwrap_or_default());
        }
        // Let everything settle, so that a late second event from this save cannot be taken
        // for the answer to the next one.
        extra += stream.drain(Duration::from_millis(300))?;
    }
    let mut answers = keep_alive(&running.addr().to_string(), 200)?;
    running.stop();

    let mut builds = builds.lock().map(|b| b.clone()).unwrap_or_default();
    let corpus_name = source.display();
    println!(
        "serve_latency: {SAVES} saves of {} in {corpus_name}",
        doc.strip_prefix(copy.path()).unwrap_or(&doc).display()
    );
    println!(
        "  debounce           {} ms, then {} ms of settling",
        debounce.as_millis(),
        (debounce / 2).as_millis()
    );
    println!(
        "  first page         {:.2} ms after start",
        first_page.as_secs_f64() * 1000.0
    );
    println!("  save -> reload     {}", summary(&mut latencies));
    println!(
        "  rebuild alone      {} ({} rebuilds, {extra} extra reloads)",
        summary(&mut builds),
        builds.len()
    );
    println!("  keep-alive GET /   {}", summary(&mut answers));
    // Wall time depends on what else the machine runs; CPU time per save does not.
    if process_cpu().is_some() {
        let per_save = cpu.as_secs_f64() * 1000.0 / SAVES as f64;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!("  CPU per save       {per_save:.1} ms over {cores} cores (all threads, save to event)");
    }
    Ok(())
}

/// Times `count` requests for the home page, one after another on one connection.
fn keep_alive(authority: &str, count: usize) -> Result<Vec<Duration>, String> {
    let stream = TcpStream::connect(authority).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream);
    let request = format!("GET / HTTP/1.1\r\nHost: {authority}\r\n\r\n");
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        reader
            .get_mut()
            .write_all(request.as_bytes())
            .map_err(|e| e.to_string())?;
        let mut length = 0;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
                return Err("the server closed a kept-alive connection".to_owned());
            }
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value
                    .trim()
                    .parse()
                    .map_err(|_| "bad Content-Length".to_owned())?;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).map_err(|e| e.to_string())?;
        times.push(started.elapsed());
    }
    Ok(times)
}

fn summary(values: &mut [Duration]) -> String {
    if values.is_empty() {
        return "no samples".to_owned();
    }
    values.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(values[values.len() / 2]);
    let p90 = ms(values[(values.len() * 9 / 10).min(values.len() - 1)]);
    format!(
        "median {median:.2} ms (min {:.2}, p90 {p90:.2}, max {:.2})",
        ms(values[0]),
        ms(values[values.len() - 1])
    )
}

/// CPU time of the whole process so far (user + system), from `/proc` where there is one.
fn process_cpu() -> Option<Duration> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux that matters; /proc does not say.
    Some(Duration::from_millis(ticks * 10))
}

fn corpus() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("TSSA_CORPUS")
        .map(PathBuf::from)
        .or_else(|| Some(manifest.join("../shared/corpus/tag-security")).filter(|p| p.is_dir()))
        .unwrap_or_else(|| manifest.join("content"))
}

/// The first project's self-assessment, in name order.
fn pick_document(root: &Path) -> Result<PathBuf, String> {
    let projects = root.join("community/assessments/projects");
    let mut docs: Vec<PathBuf> = fs::read_dir(&projects)
        .map_err(|e| format!("{}: {e}", projects.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("self-assessment.md"))
        .filter(|p| p.is_file())
        .collect();
    docs.sort();
    docs.into_iter()
        .next()
        .ok_or_else(|| "no self-assessment.md to edit".to_owned())
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

struct EventStream {
    reader: BufReader<TcpStream>,
}

impl EventStream {
    fn open(authority: &str) -> Result<EventStream, String> {
        let mut stream = TcpStream::connect(authority).map_err(|e| e.to_string())?;
        let request = format!("GET /__tssa/events HTTP/1.1\r\nHost: {authority}\r\n\r\n");
        stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
        let mut events = EventStream {
            reader: BufReader::new(stream),
        };
        events.read_until(|line| line.starts_with("event: hello"), Duration::from_secs(10))?;
        Ok(events)
    }

    fn wait_for_reload(&mut self, timeout: Duration) -> Result<(), String> {
        self.read_until(|line| line.starts_with("event: reload"), timeout)
    }

    /// Reads for `quiet`, counting the reload events that arrive meanwhile.
    fn drain(&mut self, quiet: Duration) -> Result<usize, String> {
        let deadline = Instant::now() + quiet;
        let mut reloads = 0;
        let mut line = String::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            self.reader
                .get_ref()
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .map_err(|e| e.to_string())?;
            line.clear();
            match self.reader.read_line(&mut line) {
                Ok(0) => return Err("event stream closed".to_owned()),
                Ok(_) if line.starts_with("event: reload") => reloads += 1,
                Ok(_) => {}
                Err(err)
                    if matches!(
                        err.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    break;
                }
                Err(err) => return Err(format!("reading events: {err}")),
            }
        }
        Ok(reloads)
    }

    fn read_until(&mut self, wanted: impl Fn(&str) -> bool, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut line = String::new();
        loop {
            let left = deadline
                .checked_duration_since(Instant::now())
                .ok_or("timed out waiting for an event")?;
            self.reader
                .get_ref()
                .set_read_timeout(Some(left))
                .map_err(|e| e.to_string())?;
            line.clear();
            match self.reader.read_line(&mut line) {
                Ok(0) => return Err("event stream closed".to_owned()),
                Ok(_) if wanted(line.trim_end()) => return Ok(()),
                Ok(_) => {}
                Err(err) => return Err(format!("reading events: {err}")),
            }
        }
    }
}
