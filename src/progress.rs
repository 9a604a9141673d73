//! Progress for long command-line work (verify, rebuild-projections, backup, restore, template
//! import): a spinner with what is being done and the time it has taken, on stderr only, so
//! that stdout stays the command's result. Drawn only on a terminal: indicatif hides a stderr
//! target that is not one, and CI logs get nothing either (`CI` set), where a redrawn line is
//! only noise.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A spinner shown while it lives; cleared when dropped, whether the work succeeded or not.
pub struct Spinner(ProgressBar);

impl Spinner {
    /// What is being done now, for work of several phases.
    pub fn set_message(&self, message: impl Into<String>) {
        self.0.set_message(message.into());
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Starts a spinner saying `message`, e.g. "verifying the ledger".
pub fn spinner(message: impl Into<String>) -> Spinner {
    let target = if std::env::var_os("CI").is_some() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(None, target);
    // The template is a constant known to parse; a bad one would only lose the elapsed time.
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_message(message.into());
    bar.enable_steady_tick(Duration::from_millis(120));
    Spinner(bar)
}
