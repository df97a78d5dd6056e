//! `telepay sandbox`: the product (the same bot, HTTP server and jobs as `serve`) running against
//! the simulators, with a page on loopback where a person plays every part: the channel owner,
//! subscribers and an admin chat with the bot, pay invoices at the NOWPayments simulator (which
//! sends signed IPNs) or Telegram Stars invoices in the chat, see the bot's photos (the owner's
//! charts), and move the simulated clock to see reminders, expiry and payouts.
//! Nothing here reaches the internet; the page is served only while this command runs.

mod actions;
mod api;
mod cast;
mod chat;
mod ledger;
mod quiet;
mod timeline;
mod view;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use telepay::cli::SandboxArgs;
use telepay::config::RawSettings;
use tokio::sync::{Mutex, RwLock};

use super::world::{World, WorldOptions};
use cast::Cast;

/// Everything the page's API works on. The world sits in an `Option` so that `run` can take it
/// back out and stop it once the server is told to end.
pub struct Sandbox {
    world: RwLock<Option<World>>,
    /// One action at a time: each waits for the bot and settles the jobs before the next.
    actions: Mutex<()>,
    cast: Cast,
}

/// Filled once the world is up; the routes exist before it (the world serves them).
pub type Slot = Arc<OnceLock<Arc<Sandbox>>>;

/// What a Star is worth in the sandbox (USD, net of Telegram's share).
const STARS_USD_RATE: &str = "0.013";

pub async fn run(settings: &RawSettings, args: &SandboxArgs) -> ExitCode {
    if let Err(e) = super::guard::refuse_real_settings("sandbox", settings) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    match serve(settings, args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: &RawSettings, args: &SandboxArgs) -> anyhow::Result<()> {
    let slot: Slot = Arc::new(OnceLock::new());
    let cast = Cast::default();
    let world = World::start(
        WorldOptions {
            database_url: settings.database_url.clone(),
            http_addr: SocketAddr::from(([127, 0, 0, 1], args.port)),
            admin_ids: cast.admin_ids(),
            // Telegram Stars on: owners set Stars prices, subscribers pay invoices in the chat.
            stars_usd_rate: Some(STARS_USD_RATE.to_owned()),
        },
        Some(api::router(slot.clone())),
    )
    .await?;
    let addr = world.addr;
    if let Err(e) = cast.enter(&world).await {
        let _ = world.stop().await;
        return Err(e.context("setting up the people of the sandbox"));
    }
    let sandbox = Arc::new(Sandbox {
        world: RwLock::new(Some(world)),
        actions: Mutex::new(()),
        cast,
    });
    let _ = slot.set(sandbox.clone());
    let stopped = stop_signal()?;
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        writeln!(out, "Sandbox: http://{addr}/sandbox")?;
        writeln!(
            out,
            "(the simulated world runs until Ctrl-C; nothing leaves this machine)"
        )?;
        out.flush()?;
    }
    stopped.await;
    eprintln!("sandbox: stopping");
    // Wait for an action in progress, then take the world out so no request can reach it.
    let _busy = tokio::time::timeout(Duration::from_secs(30), sandbox.actions.lock()).await;
    let world = sandbox.world.write().await.take();
    match world {
        Some(world) => world.stop().await,
        None => Ok(()),
    }
}

/// SIGTERM or Ctrl-C. Made (and so listening) before the address is printed: whoever reads
/// the address may signal at once.
fn stop_signal() -> anyhow::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
