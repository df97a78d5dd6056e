//! `telepay demo`: the whole product played offline against the simulators, on an
//! accelerated clock, through the same bot, HTTP server and jobs as `serve`. It prints each
//! scene as it starts, then the transcript by person, a balance table per owner and the
//! audit, and writes demo.html. Any failed step stops it with a message and exit code 1.

pub mod html;
mod report;
mod stage;
mod story;
pub mod transcript;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use telepay::cli::DemoArgs;
use telepay::config::RawSettings;

use super::world::{World, WorldOptions};
use stage::Stage;
use transcript::Transcript;

/// The whole story must finish well within this, or something is stuck.
const DEMO_DEADLINE: Duration = Duration::from_secs(300);

pub async fn run(settings: &RawSettings, args: &DemoArgs) -> ExitCode {
    if let Err(e) = super::guard::refuse_real_settings("demo", settings) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let started = Instant::now();
    println!(
        "TelePay demo: two owners, six subscribers and an operator, offline against simulated"
    );
    println!(
        "Telegram, NOWPayments, ChangeNOW and an EVM chain. The clock is simulated: weeks pass in seconds."
    );
    let world = match World::start(
        WorldOptions {
            database_url: settings.database_url.clone(),
            admin_ids: vec![story::ADA],
            ..WorldOptions::default()
        },
        None,
    )
    .await
    {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: the demo could not start: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    println!("Database: {}\n", world.ctx.db.backend().name());
    let mut stage = Stage::new(world);
    let played = tokio::time::timeout(DEMO_DEADLINE, play(&mut stage)).await;
    let outcome = match played {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) => Err(format!("{e:#}")),
        Err(_) => Err(format!(
            "the story did not finish within {} s",
            DEMO_DEADLINE.as_secs()
        )),
    };
    let scene = stage.current_scene().to_owned();
    let world = stage.into_world();
    let stopped = world.stop().await;
    match outcome {
        Ok(transcript) => {
            if let Err(e) = stopped {
                eprintln!("error: the application did not stop cleanly: {e:#}");
                return ExitCode::FAILURE;
            }
            if let Err(e) = std::fs::write(&args.html, html::render(&transcript)) {
                eprintln!("error: cannot write {}: {e}", args.html.display());
                return ExitCode::FAILURE;
            }
            report::print(&transcript);
            println!("\nThe chats as a page: {}", args.html.display());
            println!("Demo finished in {:.1} s.", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("\n✗ the demo failed in {scene}:\n  {e}");
            ExitCode::FAILURE
        }
    }
}

/// Plays every scene, then gathers the transcript (and prints the final tables).
async fn play(st: &mut Stage) -> anyhow::Result<Transcript> {
    story::cast(st);
    let channels = story::owners_register(st).await?;
    let mut invoices = Vec::new();
    story::subscribers_pay(st, &channels, &mut invoices).await?;
    story::subscribers_join(st, &channels).await?;
    story::payouts(st, &channels).await?;
    story::time_passes(st, &channels).await?;
    story::admin(st).await?;
    st.scene("The books are closed");
    let audit = report::run_audit_command(&st.w)
        .await
        .context("running `telepay audit`")?;
    for line in audit.lines() {
        println!("      {line}");
    }
    let verdict = audit.lines().last().unwrap_or_default().to_owned();
    st.note(&format!("`telepay audit`: {verdict}"));
    st.sync_all()?;
    st.sync_all()?;
    report::finish(st, &channels, invoices, format!("clean: {verdict}")).await
}
