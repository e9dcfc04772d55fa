//! Draws core's progress reports on stderr: a bar (bytes, rate, time left) where the total is
//! known and a spinner with the elapsed time where it is not, on a terminal; plain lines (at
//! each stage and every 10 %) when stderr is a log or a pipe. stdout stays for the result.

use std::{
    io::IsTerminal,
    sync::Mutex,
    time::{Duration, Instant},
};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use llmgen_core::progress::Progress;

pub enum Renderer {
    Terminal(Mutex<Option<ProgressBar>>),
    Lines(Mutex<LineState>),
}

pub struct LineState {
    label: String,
    total: Option<u64>,
    last_tenth: u64,
    started: Instant,
}

impl Renderer {
    /// A renderer for this process's stderr.
    pub fn stderr() -> Self {
        if std::io::stderr().is_terminal() {
            Self::Terminal(Mutex::new(None))
        } else {
            Self::Lines(Mutex::new(LineState {
                label: String::new(),
                total: None,
                last_tenth: 0,
                started: Instant::now(),
            }))
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{msg:<28} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

impl Progress for Renderer {
    fn stage(&self, label: &str, total: Option<u64>) {
        match self {
            Self::Terminal(bar) => {
                let mut bar = lock(bar);
                if let Some(old) = bar.take() {
                    old.finish_and_clear();
                }
                let new = match total {
                    Some(total) => {
                        let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                        b.set_style(bar_style());
                        b
                    }
                    None => {
                        let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                        b.set_style(spinner_style());
                        b.enable_steady_tick(Duration::from_millis(120));
                        b
                    }
                };
                new.set_message(label.to_string());
                *bar = Some(new);
            }
            Self::Lines(state) => {
                let mut s = lock(state);
                s.label = label.to_string();
                s.total = total;
                s.last_tenth = 0;
                s.started = Instant::now();
                match total {
                    Some(total) => eprintln!("{label} ({})...", human_bytes(total)),
                    None => eprintln!("{label}..."),
                }
            }
        }
    }

    fn advance(&self, done: u64) {
        match self {
            Self::Terminal(bar) => {
                if let Some(bar) = lock(bar).as_ref() {
                    bar.set_position(done);
                }
            }
            Self::Lines(state) => {
                let mut s = lock(state);
                let Some(total) = s.total.filter(|t| *t > 0) else {
                    return;
                };
                let tenth = (done.min(total) * 10) / total;
                if tenth > s.last_tenth && tenth < 10 {
                    s.last_tenth = tenth;
                    eprintln!("{}: {}% of {}", s.label, tenth * 10, human_bytes(total));
                }
            }
        }
    }

    fn finish(&self) {
        match self {
            Self::Terminal(bar) => {
                if let Some(bar) = lock(bar).take() {
                    bar.finish_and_clear();
                }
            }
            Self::Lines(state) => {
                let s = lock(state);
                eprintln!("{}: done in {:.1} s", s.label, s.started.elapsed().as_secs_f64());
            }
        }
    }
}

/// Bytes for people: 1.5 MB, 2.0 GB.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
