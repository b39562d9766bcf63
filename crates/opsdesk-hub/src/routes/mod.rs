//! The HTTP API under `/api/v1`, its OpenAPI document, and the probes; one folder of handlers per
//! area. Handlers are thin: they extract, call one domain function, and return its result.

pub mod extract;

mod access;
mod audit;
mod auth;
mod events;
mod meta;
mod staff;
mod tenants;
mod tickets;

use crate::error::HubError;
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Largest tenants import accepted.
pub const IMPORT_BODY_LIMIT: usize = 4 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Opsdesk hub API", description = "Staff sign-in, staff administration, audit trail and security events."),
    modifiers(&BearerAuth),
    components(schemas(opsdesk_proto::ApiError, opsdesk_proto::AccessBox, opsdesk_proto::ExportFormat)),
    tags(
        (name = "auth", description = "Sign-in, enrollment and sessions"),
        (name = "staff", description = "Staff administration"),
        (name = "audit", description = "Audit trail and security events"),
        (name = "tickets", description = "The ticket queue"),
        (name = "tenants", description = "Tenants directory and integration tokens"),
        (name = "access", description = "Cross-tenant access requests, reviews, grants and onboarding clearance"),
        (name = "tenant data", description = "A tenant's users and settings, under an active grant"),
        (name = "events", description = "The live event stream"),
        (name = "meta", description = "Hub information and probes"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document and the routes it describes.
pub fn router(state: AppState) -> Router {
    let (api_routes, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meta::hub_info))
        .routes(routes!(auth::login))
        .routes(routes!(auth::login_mfa))
        .routes(routes!(auth::enroll_start))
        .routes(routes!(auth::enroll_confirm))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::reauthenticate))
        .routes(routes!(auth::me))
        .routes(routes!(auth::list_my_sessions, auth::end_my_sessions))
        .routes(routes!(auth::end_one_session))
        .routes(routes!(staff::list_staff, staff::invite_staff))
        .routes(routes!(staff::get_staff))
        .routes(routes!(staff::change_role))
        .routes(routes!(staff::reset_mfa))
        .routes(routes!(staff::deactivate))
        .routes(routes!(staff::capabilities))
        .routes(routes!(staff::list_sessions_of, staff::end_sessions_of))
        .routes(routes!(audit::list_audit))
        .routes(routes!(audit::verify_audit))
        .routes(routes!(audit::export_audit))
        .routes(routes!(audit::list_security_events))
        .routes(routes!(tickets::queue_page, tickets::create_ticket))
        .routes(routes!(tickets::counts))
        .routes(routes!(tickets::search))
        .routes(routes!(tickets::changes))
        .routes(routes!(tickets::bulk_edit))
        .routes(routes!(tickets::get_ticket, tickets::update_ticket))
        .routes(routes!(tickets::add_message))
        .routes(routes!(tickets::assign))
        .routes(routes!(tickets::escalate))
        .routes(routes!(tickets::merge))
        .routes(routes!(tickets::presence))
        .routes(routes!(tenants::list_tenants, tenants::create_tenant))
        .routes(routes!(tenants::update_tenant))
        .routes(routes!(tenants::list_tokens, tenants::create_token))
        .routes(routes!(tenants::revoke_token))
        .routes(routes!(tenants::intake))
        .routes(routes!(tenants::list_groups, tenants::create_group))
        .routes(routes!(tenants::set_group))
        .routes(routes!(tenants::assignees))
        .routes(routes!(tenants::sla_policies))
        .routes(routes!(tenants::update_sla_policy))
        .routes(routes!(tenants::list_saved_filters, tenants::save_filter))
        .routes(routes!(tenants::delete_saved_filter))
        .routes(routes!(access::policy))
        .routes(routes!(access::list_requests, access::create_request))
        .routes(routes!(access::export_requests))
        .routes(routes!(access::get_request))
        .routes(routes!(access::review_request))
        .routes(routes!(access::cancel_request))
        .routes(routes!(access::list_grants))
        .routes(routes!(access::release_grant))
        .routes(routes!(access::revoke_grant))
        .routes(routes!(access::get_clearance, access::record_clearance))
        .routes(routes!(access::tenant_data::tenant_users))
        .routes(routes!(access::tenant_data::tenant_user))
        .routes(routes!(access::tenant_data::tenant_user_sign_ins))
        .routes(routes!(access::tenant_data::reset_tenant_user_password))
        .routes(routes!(access::tenant_data::unlock_tenant_user))
        .routes(routes!(access::tenant_data::change_tenant_user_role))
        .routes(routes!(
            access::tenant_data::tenant_settings,
            access::tenant_data::update_tenant_settings
        ))
        .routes(routes!(access::tenant_data::intake_sign_in))
        .routes(routes!(events::events))
        .split_for_parts();
    // Imports carry up to 10,000 tenants, past the usual body limit.
    let (import_routes, import_doc) = OpenApiRouter::new()
        .routes(routes!(tenants::import_tenants))
        .routes(routes!(access::tenant_data::import_tenant_users))
        .split_for_parts();
    let mut openapi = openapi;
    openapi.merge(import_doc);
    let routes = Router::new()
        .merge(api_routes)
        .merge(import_routes.layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)));
    let mut document = serde_json::to_value(&openapi).expect("the OpenAPI document serializes");
    document_common_answers(&mut document);
    let openapi = std::sync::Arc::new(document);
    #[cfg(feature = "testing")]
    let routes = if state.settings.check_answers {
        routes.route_layer(axum::middleware::from_fn_with_state(
            openapi.clone(),
            crate::conformance::check_answers,
        ))
    } else {
        routes
    };
    routes
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let doc = openapi.clone();
                async move { axum::Json(serde_json::Value::clone(&doc)) }
            }),
        )
        .route("/healthz", axum::routing::get(meta::healthz))
        .route("/readyz", axum::routing::get(meta::readyz))
        .route("/metrics", axum::routing::get(meta::metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(crate::telemetry::track_request))
        .with_state(state)
}

async fn not_found() -> HubError {
    HubError::NoSuchEndpoint
}

async fn method_not_allowed() -> HubError {
    HubError::MethodNotAllowed
}

/// The answers every route of a kind can give, added to each operation from what it declares, so
/// that no route's document forgets them: a signed-in route can answer 401, a route with a JSON
/// body 400, 413 and 415, a route with path or query parameters 400 (and 404 for an item in
/// its path), every route 500 and 503. Each is a problem document.
fn document_common_answers(doc: &mut serde_json::Value) {
    use serde_json::{json, Value};
    let problem = |description: &str| {
        json!({
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
        })
    };
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                continue;
            }
            let signed_in = operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty());
            let has_body = operation.get("requestBody").is_some();
            let params = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let in_path = params.iter().any(|p| p["in"] == "path");
            let in_query = params.iter().any(|p| p["in"] == "query");
            let responses = operation
                .as_object_mut()
                .expect("an operation is an object")
                .entry("responses")
                .or_insert_with(|| json!({}));
            let Some(responses) = responses.as_object_mut() else {
                continue;
            };
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| problem(description));
            };
            if signed_in {
                add("401", "Not signed in, or the session ended or was revoked");
            }
            if has_body || in_path || in_query {
                add(
                    "400",
                    "A field is missing or breaks a rule; `field` names it",
                );
            }
            if has_body {
                add("413", "The body is larger than the hub accepts");
                add("415", "The body is not sent as JSON");
            }
            if in_path {
                add("404", "No such item, or none the caller may see");
            }
            add(
                "500",
                "The hub failed; the problem's detail says what to report",
            );
            add("503", "The hub's database does not answer; try again");
        }
    }
}
