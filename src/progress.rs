//! Progress of long work, on stderr, only when stderr is a terminal: never in a pipe or a
//! file, so a script's stderr and every machine-readable output stay as they were. A bar
//! counts steps or items; a spinner says what is being waited for. Cleared when finished or
//! dropped, so messages and prompts that follow start on a clean line.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// How often an idle bar or spinner redraws (the elapsed time keeps moving).
const TICK: Duration = Duration::from_millis(200);

/// A progress bar or spinner on stderr when it is a terminal; nothing otherwise.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar of `len` steps or items, labelled `label` ("validating", "AD lookups").
    pub fn bar(label: &str, len: u64) -> Progress {
        Progress::shown(|| {
            let bar = ProgressBar::new(len);
            style(
                &bar,
                &format!(
                    "famctx: {} {{bar:30}} {{pos}}/{{len}} {{msg}} ({{elapsed}})",
                    escape(label)
                ),
            );
            bar
        })
    }

    /// A spinner for work whose size is not known, or done in one round trip.
    pub fn spinner(label: &str) -> Progress {
        Progress::shown(|| {
            let bar = ProgressBar::new_spinner();
            style(
                &bar,
                &format!(
                    "famctx: {{spinner}} {} {{msg}} ({{elapsed}})",
                    escape(label)
                ),
            );
            bar
        })
    }

    /// A hidden progress: for a caller that decides by itself that no progress is wanted.
    pub fn none() -> Progress {
        Progress(None)
    }

    fn shown(make: impl FnOnce() -> ProgressBar) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = make();
        bar.enable_steady_tick(TICK);
        Progress(Some(bar))
    }

    /// Whether anything is drawn.
    pub fn is_shown(&self) -> bool {
        self.0.is_some()
    }

    /// The next named step: the previous one (if any) counts as done.
    pub fn step(&self, what: &str) {
        if let Some(bar) = &self.0 {
            if !bar.message().is_empty() {
                bar.inc(1);
            }
            bar.set_message(what.to_string());
        }
    }

    /// `n` more items done.
    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(n);
        }
    }

    /// Says what is happening now, without counting a step.
    pub fn say(&self, what: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(what.to_string());
        }
    }

    /// Clears the line; the progress draws nothing more.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn style(bar: &ProgressBar, template: &str) {
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
}

/// A label as literal template text (braces doubled).
fn escape(label: &str) -> String {
    label.replace('{', "{{").replace('}', "}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_literal_text_in_the_template() {
        assert_eq!(escape("a {b}"), "a {{b}}");
        assert!(
            ProgressStyle::with_template(&format!("famctx: {} {{msg}}", escape("{x}"))).is_ok()
        );
    }

    #[test]
    fn a_hidden_progress_takes_every_call() {
        let p = Progress::none();
        p.step("one");
        p.inc(3);
        p.say("two");
        p.finish();
        assert!(!p.is_shown());
    }
}
