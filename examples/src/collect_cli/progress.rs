//! Progress display: an indicatif spinner on stderr when stderr is a terminal, hidden
//! otherwise (so logs and pipes stay clean).

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A spinner counting `unit` (e.g. `records`), or a hidden one when stderr is not a terminal.
pub fn spinner(unit: &str) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(None, target);
    let template = format!("{{spinner}} {{pos}} {unit} ({{per_sec}}) {{msg}} [{{elapsed}}]");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    if !bar.is_hidden() {
        bar.enable_steady_tick(Duration::from_millis(120));
    }
    bar
}
