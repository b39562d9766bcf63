//! The `opsdesk-hub` command: serve the hub, create the first admin, verify the audit chain.

use anyhow::Context;
use clap::{Parser, Subcommand};
use opsdesk_core::validate::{DisplayName, Email, Username};
use opsdesk_core::Role;
use opsdesk_hub::clock::SystemClock;
use opsdesk_hub::config::{redact_url, DatabaseUrl, Settings};
use opsdesk_hub::service;
use opsdesk_hub::state::AppState;
use opsdesk_proto::InviteStaffRequest;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "opsdesk-hub",
    version,
    about = "The Opsdesk hub: the server that holds the team's state"
)]
struct Cli {
    /// TOML configuration file (also `OPSDESK_CONFIG`).
    #[arg(long, global = true, env = "OPSDESK_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: `sqlite://path` or `postgres://user@host/db` (overrides the config).
    #[arg(long, global = true)]
    database: Option<String>,
    /// Data folder for the default SQLite file (overrides the config).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the hub.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:7300.
        #[arg(long)]
        bind: Option<std::net::SocketAddr>,
    },
    /// Create the first admin and print their one-time invite.
    BootstrapAdmin {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Audit trail tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exit code 1 and the first broken entry if it was tampered with.
    Verify,
    /// Write every audit entry, oldest first, to standard output (JSON Lines or CSV).
    Export {
        #[arg(long, value_enum, default_value = "jsonl")]
        format: CliFormat,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CliFormat {
    Jsonl,
    Csv,
}

fn settings(cli: &Cli) -> anyhow::Result<Settings> {
    let mut s = Settings::load(cli.config.as_deref())?;
    if let Some(db) = &cli.database {
        s.database_url = DatabaseUrl(db.clone());
    }
    if let Some(dir) = &cli.data_dir {
        s.data_dir = dir.clone();
    }
    if let Command::Serve { bind: Some(bind) } = &cli.command {
        s.bind = *bind;
    }
    Ok(s)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    opsdesk_hub::telemetry::init_tracing("info");
    let cli = Cli::parse();
    let settings = settings(&cli)?;
    let url = settings.effective_database_url();
    let store = opsdesk_store::open(&url)
        .await
        .with_context(|| format!("opening database {}", redact_url(&url)))?;
    match cli.command {
        Command::Serve { .. } => {
            let listener = tokio::net::TcpListener::bind(settings.bind)
                .await
                .with_context(|| format!("binding {}", settings.bind))?;
            tracing::info!(addr = %listener.local_addr()?, database = %redact_url(&url), "opsdesk hub listening");
            let hub = opsdesk_hub::start(store, settings, Arc::new(SystemClock), listener)?;
            let addr = hub.addr;
            tokio::select! {
                r = hub.wait() => r?,
                _ = tokio::signal::ctrl_c() => tracing::info!(%addr, "shutting down"),
            }
        }
        Command::BootstrapAdmin {
            username,
            email,
            display_name,
        } => {
            let req = InviteStaffRequest {
                username: Username::parse(&username)
                    .map_err(|e| anyhow::anyhow!("--username {e}"))?,
                display_name: DisplayName::parse(display_name.as_deref().unwrap_or(&username))
                    .map_err(|e| anyhow::anyhow!("--display-name {e}"))?,
                email: Email::parse(&email).map_err(|e| anyhow::anyhow!("--email {e}"))?,
                role: Role::Admin,
            };
            let state = AppState::new(store, settings, Arc::new(SystemClock));
            let issued = service::staff::bootstrap_admin(&state, req)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.to_api_error().message))?;
            println!(
                "Admin `{}` created. One-time invite (expires {}):",
                issued.staff.username,
                issued.expires_at.to_rfc3339()
            );
            println!("{}", issued.invite_token);
            println!("Accept it in the Opsdesk app, or with POST /api/v1/auth/enroll.");
        }
        Command::Audit {
            command: AuditCommand::Export { format },
        } => {
            use futures::StreamExt as _;
            use opsdesk_hub::service::audit_export::{pages, render, CSV_HEADER};
            use std::io::Write as _;
            let format = match format {
                CliFormat::Jsonl => opsdesk_proto::ExportFormat::Jsonl,
                CliFormat::Csv => opsdesk_proto::ExportFormat::Csv,
            };
            let fx = opsdesk_store::Effects::audit(opsdesk_hub::service::effects::audit(
                chrono::Utc::now(),
                "system",
                opsdesk_core::audit::AuditAction::AuditExported,
                "audit",
                std::net::Ipv4Addr::LOCALHOST.into(),
                serde_json::json!({"format": format, "via": "command line"}),
            ));
            store.record(fx).await?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            if format == opsdesk_proto::ExportFormat::Csv {
                out.write_all(CSV_HEADER.as_bytes())?;
            }
            let mut stream = std::pin::pin!(pages(store.clone(), Default::default()));
            while let Some(page) = stream.next().await {
                out.write_all(render(&page?, format).as_bytes())?;
            }
            out.flush()?;
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let started = std::time::Instant::now();
            let report = store.verify_audit().await?;
            let secs = started.elapsed().as_secs_f64();
            match report.first_break {
                None => println!(
                    "audit chain intact: {} entries verified in {secs:.3} s",
                    report.checked
                ),
                Some(b) => {
                    println!(
                        "audit chain BROKEN at entry {}: {b:?} ({} entries verified before it)",
                        b.seq(),
                        report.checked
                    );
                    std::process::exit(1);
                }
            }
        }
    }
    Ok(())
}
