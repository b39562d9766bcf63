//! Hub information, liveness, readiness and Prometheus metrics.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use opsdesk_proto::HubInfo;

/// What this hub is: lets a client check it is talking to an Opsdesk hub, and which version.
#[utoipa::path(get, path = "/api/v1/hub", tag = "meta", responses((status = 200, body = HubInfo)))]
pub async fn hub_info(State(state): State<AppState>) -> Json<HubInfo> {
    Json(HubInfo {
        product: "opsdesk-hub".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        api_version: "v1".into(),
        database: state.store.backend().as_str().into(),
    })
}

/// Liveness: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

/// Prometheus text exposition.
pub async fn metrics() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::telemetry::render_metrics(),
    )
}
