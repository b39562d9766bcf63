//! The `opsdesk-hub` command: serve the hub, create the first admin, verify the audit chain,
//! generate a realistic dataset.

use anyhow::Context;
use clap::{Parser, Subcommand};
use opsdesk_core::validate::{DisplayName, Email, Username};
use opsdesk_core::Role;
use opsdesk_hub::clock::SystemClock;
use opsdesk_hub::config::{redact_url, DatabaseUrl, Settings};
use opsdesk_hub::seed::{SeedPlan, SeedProgress};
use opsdesk_hub::state::AppState;
use opsdesk_hub::{domain, seed};
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
    /// Generate a realistic desk (tenants, staff, tickets with conversations) for demos and
    /// benchmarks. Refuses a database that already has tickets unless --append is given.
    Seed {
        /// How many tickets to generate (1 to 10,000,000).
        #[arg(long)]
        tickets: u64,
        /// How many tenants they belong to; sizes follow a Zipf-like curve.
        #[arg(long)]
        tenants: u32,
        /// How many staff, of every role, created as invited.
        #[arg(long, default_value_t = 60)]
        staff: u32,
        /// Random seed: the same seed gives the same desk.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Add to a database that already has tickets (tenants and staff are reused by name).
        #[arg(long)]
        append: bool,
        /// Tickets written per transaction.
        #[arg(long, default_value_t = 2_000)]
        batch: u32,
        /// Users (with a few days of sign-ins) to give every tenant; 0 for none.
        #[arg(long, default_value_t = 20)]
        tenant_users: u32,
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
    // Bad sizes are refused before any database is touched.
    let seed_plan = match &cli.command {
        Command::Seed {
            tickets,
            tenants,
            staff,
            seed,
            append,
            batch,
            tenant_users,
        } => {
            if *append && *tenant_users > 0 {
                anyhow::bail!(
                    "--append adds tickets to a live desk and does not invent users for real \
                     tenants: pass --tenant-users 0"
                );
            }
            if *tenant_users > 10_000 {
                anyhow::bail!("--tenant-users must be at most 10,000 (got {tenant_users})");
            }
            let plan = SeedPlan {
                tickets: *tickets,
                tenants: *tenants,
                staff: *staff,
                seed: *seed,
                append: *append,
                batch: *batch,
                now: chrono::Utc::now(),
            };
            plan.check()?;
            Some(plan)
        }
        _ => None,
    };
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
            let issued = domain::staff::invite::bootstrap_admin(&state, req)
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
        Command::Seed { tenant_users, .. } => {
            let plan = seed_plan.context("seed plan")?;
            let now = plan.now;
            run_seed(store.as_ref(), plan, &redact_url(&url)).await?;
            if tenant_users > 0 {
                let n = seed::seed_tenant_users(store.as_ref(), tenant_users, now).await?;
                println!("Seeded {} tenant users with their sign-ins.", thousands(n));
            }
        }
        Command::Audit {
            command: AuditCommand::Export { format },
        } => {
            use futures::StreamExt as _;
            use opsdesk_hub::domain::audit::export::{pages, render, CSV_HEADER};
            use std::io::Write as _;
            let format = match format {
                CliFormat::Jsonl => opsdesk_proto::ExportFormat::Jsonl,
                CliFormat::Csv => opsdesk_proto::ExportFormat::Csv,
            };
            let fx = opsdesk_store::Effects::audit(opsdesk_hub::support::effects::audit(
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

/// Seeds with a progress line every few seconds and a summary at the end.
async fn run_seed(
    store: &dyn opsdesk_store::Store,
    plan: SeedPlan,
    url: &str,
) -> anyhow::Result<()> {
    println!(
        "Seeding {} tickets for {} tenants and {} staff (seed {}) into {url}, {} per transaction",
        thousands(plan.tickets),
        thousands(plan.tenants.into()),
        thousands(plan.staff.into()),
        plan.seed,
        thousands(plan.batch.into()),
    );
    let mut last_print = std::time::Instant::now();
    let report = seed::seed(store, plan, |p: &SeedProgress| {
        if last_print.elapsed().as_secs() >= 5 || p.written == p.total {
            last_print = std::time::Instant::now();
            println!(
                "  {:>10} / {} tickets ({:>3.0}%), {} tickets/s",
                thousands(p.written),
                thousands(p.total),
                p.written as f64 * 100.0 / p.total as f64,
                thousands(p.rate() as u64)
            );
        }
    })
    .await?;
    let secs = report.elapsed.as_secs_f64();
    println!(
        "Seeded {} tickets ({} messages; {} open, {} breaching soon, {} escalated), {} new \
         tenants and {} new staff in {secs:.1} s: {} tickets/s.",
        thousands(report.tickets),
        thousands(report.messages),
        thousands(report.open),
        thousands(report.breaching_soon),
        thousands(report.escalated),
        thousands(report.tenants_created.into()),
        thousands(report.staff_created.into()),
        thousands((report.tickets as f64 / secs.max(1e-9)) as u64),
    );
    println!(
        "Seeded staff are invited without a usable invite: reset one's MFA as an admin to get an \
         invite and sign in as them."
    );
    Ok(())
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
