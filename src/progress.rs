//! Progress reporting on stderr: an indicatif bar when stderr is a terminal, nothing otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A byte-based progress bar that also shows documents per second.
pub struct Progress {
    bar: ProgressBar,
    start: std::time::Instant,
}

impl Progress {
    /// A bar over `total_bytes` of input; hidden unless `enabled` and stderr is a terminal.
    pub fn new(total_bytes: u64, enabled: bool) -> Self {
        let bar = if enabled && std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(
                Some(total_bytes),
                ProgressDrawTarget::stderr_with_hz(4),
            );
            let style = ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{wide_bar}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress {
            bar,
            start: std::time::Instant::now(),
        }
    }

    /// Records progress: bytes of input consumed and documents done so far.
    pub fn update(&self, bytes: u64, docs: u64) {
        self.bar.set_position(bytes);
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        self.bar
            .set_message(format!("{docs} docs, {:.0} docs/s", docs as f64 / secs));
    }

    /// A line above the bar (or on stderr when there is no bar).
    pub fn println(&self, msg: &str) {
        if self.bar.is_hidden() {
            eprintln!("{msg}");
        } else {
            self.bar.println(msg);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
