//! `telepay demo`: the whole product played offline against the simulators.

pub mod html;
pub mod transcript;

use std::process::ExitCode;

use telepay::cli::DemoArgs;
use telepay::config::RawSettings;

pub async fn run(settings: &RawSettings, _args: &DemoArgs) -> ExitCode {
    if let Err(e) = super::guard::refuse_real_settings("demo", settings) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    eprintln!("error: the demo is not written yet");
    ExitCode::FAILURE
}
