//! What every handler gets: the resolved settings and the output format. The dispatcher
//! (`lib.rs`) makes it; handlers and the dispatcher depend on it, not on each other.

use crate::config::Settings;
use crate::output::{Format, Output};

pub struct Context {
    pub settings: Settings,
    pub format: Format,
}

impl Context {
    pub fn output(&self) -> Output {
        Output::stdout(self.format)
    }
}
