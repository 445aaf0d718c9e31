//! A progress bar for long uploads, only on a terminal (logs and CI get the summary lines).

use std::io::IsTerminal;

/// Fewer uploads than this finish before a bar would be worth drawing.
const WORTH_A_BAR: usize = 20;

pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    pub fn new(total: usize) -> Bar {
        if total < WORTH_A_BAR || !std::io::stdout().is_terminal() {
            return Bar(None);
        }
        let bar = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("Uploading {bar:40} {pos}/{len} files ({eta})")
        {
            bar.set_style(style);
        }
        Bar(Some(bar))
    }

    pub fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
