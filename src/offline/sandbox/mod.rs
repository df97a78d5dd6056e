//! `telepay sandbox`: the product on the simulators with a page on loopback.

use std::process::ExitCode;

use telepay::cli::SandboxArgs;
use telepay::config::RawSettings;

pub async fn run(settings: &RawSettings, _args: &SandboxArgs) -> ExitCode {
    if let Err(e) = super::guard::refuse_real_settings("sandbox", settings) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    eprintln!("error: the sandbox is not written yet");
    ExitCode::FAILURE
}
