//! The command line: `telepay [serve|migrate|audit|check-config|healthcheck]`.

use clap::{Parser, Subcommand};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Run the bot, the HTTP server and the background jobs (the default).
    Serve,
    /// Create or update the database schema, then exit.
    Migrate,
    /// Check every money invariant; exits 1 when any is broken.
    Audit,
    /// Validate the configuration without connecting to anything.
    CheckConfig,
    /// Exit 0 when the local server's /readyz answers 200 (for container health checks).
    Healthcheck,
}
