//! Background work the hub does on its own: the SLA job and the access-expiry job, each run
//! every few seconds (as set in the settings; 0 turns a job off), plus the live-event dispatcher.
//! A new job is a module here with a `run_once(&AppState)` and one line in [`spawn`].

pub mod access_expiry;
pub mod sla;

use crate::error::HubResult;
use crate::state::AppState;
use std::future::Future;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Starts every background task for `state`: the event dispatcher always, each job when its
/// period in the settings is not 0. The hub aborts them when it stops.
pub fn spawn(state: &AppState) -> Vec<JoinHandle<()>> {
    let mut jobs = vec![crate::domain::events::spawn_dispatcher(state.clone())];
    let access_every = state.settings.access.job_seconds;
    if access_every > 0 {
        jobs.push(every(
            state.clone(),
            access_every,
            "access job",
            |s| async move { access_expiry::run_once(&s).await.map(drop) },
        ));
    }
    let sla_every = state.settings.sla_job_seconds;
    if sla_every > 0 {
        jobs.push(every(state.clone(), sla_every, "SLA job", |s| async move {
            sla::run_once(&s).await.map(drop)
        }));
    }
    jobs
}

/// Runs `round` every `seconds` until the hub stops; a failed round is logged and the next one
/// runs as planned.
fn every<F, Fut>(state: AppState, seconds: u64, job: &'static str, round: F) -> JoinHandle<()>
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = HubResult<()>> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(seconds));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = round(state.clone()).await {
                tracing::warn!(error = %e, "{job} round failed; retrying next round");
            }
        }
    })
}
