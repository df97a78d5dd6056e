//! The command line: `telepay [serve|demo|sandbox|migrate|audit|check-config|healthcheck]`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::RawSettings;

#[derive(Debug, Parser)]
#[command(
    name = "telepay",
    version,
    about = "Sell paid access to private Telegram channels for crypto, and pay the owners out.",
    long_about = "Sell paid access to private Telegram channels for crypto, and pay the owners out.\n\
                  Settings come from environment variables (or a .env file); each flag below names its variable."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: RawSettings,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Run the bot, the HTTP server and the background jobs (the default).
    Serve,
    /// Play the whole product offline against built-in simulators (no account needed) and
    /// print the transcript; writes demo.html.
    Demo(DemoArgs),
    /// Run the product against built-in simulators with a web page on loopback where you
    /// chat with the bot as an owner, subscribers or an admin, and pay invoices.
    Sandbox(SandboxArgs),
    /// Create or update the database schema, then exit.
    Migrate,
    /// Check every money invariant; exits 1 when any is broken.
    Audit,
    /// Validate the configuration without connecting to anything.
    CheckConfig,
    /// Exit 0 when the local server's /readyz answers 200 (for container health checks).
    Healthcheck,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct DemoArgs {
    /// Where to write demo.html (the chats as a page).
    #[arg(long, default_value = "demo.html")]
    pub html: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct SandboxArgs {
    /// The loopback port of the sandbox page (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
}
