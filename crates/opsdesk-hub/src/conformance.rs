//! Checks the hub's real answers against its own OpenAPI document (tests only): the status must be
//! documented for the route, the content type must be the documented one, and a JSON body must
//! match the documented schema (types, required fields, enums as serialized, every `$ref`
//! resolving). A request the hub accepted must match the documented request body too.

use serde_json::Value;

/// What was asked and answered, as the check sees it.
pub struct Exchange<'a> {
    pub method: &'a str,
    /// The route's template as the router matched it (`/api/v1/tickets/{id}`).
    pub route: &'a str,
    /// The request's query string, if any.
    pub query: Option<&'a str>,
    pub request_content_type: Option<&'a str>,
    pub request_body: &'a [u8],
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

/// `Ok` when the document describes this exchange; otherwise what differs.
pub fn check(doc: &Value, ex: &Exchange<'_>) -> Result<(), String> {
    let method = ex.method.to_ascii_lowercase();
    let operation = doc["paths"]
        .get(ex.route)
        .and_then(|p| p.get(&method))
        .ok_or_else(|| format!("{} {} is not in the document", ex.method, ex.route))?;
    let where_ = format!("{} {} answering {}", ex.method, ex.route, ex.status);
    let responses = &operation["responses"];
    let response = responses
        .get(ex.status.to_string())
        .or_else(|| responses.get("default"))
        .ok_or_else(|| format!("{where_}: status {} is not documented", ex.status))?;
    let response = resolve(doc, response)?;
    check_content(
        doc,
        &where_,
        response.get("content"),
        ex.content_type,
        ex.body,
    )?;
    if (200..300).contains(&ex.status) {
        check_query(doc, operation, ex.query.unwrap_or_default())
            .map_err(|e| format!("{} {} query: {e}", ex.method, ex.route))?;
    }
    if (200..300).contains(&ex.status) && !ex.request_body.is_empty() {
        if let Some(request) = operation.get("requestBody") {
            let request = resolve(doc, request)?;
            check_content(
                doc,
                &format!("{} {} request", ex.method, ex.route),
                request.get("content"),
                ex.request_content_type,
                ex.request_body,
            )?;
        }
    }
    Ok(())
}

/// A query the hub accepted names only documented parameters, with values their schemas allow
/// (enums by their wire names).
fn check_query(doc: &Value, operation: &Value, query: &str) -> Result<(), String> {
    let params = operation["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut values: Vec<(String, Vec<String>)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (name, value) = (percent_decode(name), percent_decode(value));
        match values.iter_mut().find(|(n, _)| *n == name) {
            Some((_, vs)) => vs.push(value),
            None => values.push((name, vec![value])),
        }
    }
    for (name, raw) in values {
        let param = params
            .iter()
            .find(|p| p["in"] == "query" && p["name"] == name.as_str())
            .ok_or_else(|| format!("the parameter `{name}` is not documented"))?;
        let Some(schema) = param.get("schema") else {
            continue;
        };
        let as_one = |raw: &str| {
            let mut candidates = vec![Value::String(raw.to_string())];
            if let Ok(n) = raw.parse::<i64>() {
                candidates.push(Value::from(n));
            } else if let Ok(n) = raw.parse::<f64>() {
                candidates.push(Value::from(n));
            }
            if let Ok(b) = raw.parse::<bool>() {
                candidates.push(Value::Bool(b));
            }
            candidates
        };
        let mut ok = false;
        let mut first_error = None;
        let mut candidates: Vec<Value> = Vec::new();
        if raw.len() == 1 {
            candidates.extend(as_one(&raw[0]));
        }
        // A list parameter, repeated or (for a single value) written once.
        let lists: Vec<Vec<Value>> = raw.iter().map(|r| as_one(r)).collect();
        candidates.push(Value::Array(lists.iter().map(|c| c[0].clone()).collect()));
        if lists.iter().all(|c| c.len() > 1) {
            candidates.push(Value::Array(lists.iter().map(|c| c[1].clone()).collect()));
        }
        for candidate in candidates {
            match validate(doc, schema, &candidate, &format!("`{name}`")) {
                Ok(()) => {
                    ok = true;
                    break;
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if !ok {
            return Err(first_error.unwrap_or_default());
        }
    }
    Ok(())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() && text.is_char_boundary(i + 3) => {
                match u8::from_str_radix(&text[i + 1..i + 3], 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn check_content(
    doc: &Value,
    where_: &str,
    content: Option<&Value>,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(), String> {
    let content = match content.and_then(Value::as_object) {
        Some(c) if !c.is_empty() => c,
        _ => {
            return if body.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{where_}: the document declares no body but one was sent ({})",
                    content_type.unwrap_or("no content type")
                ))
            }
        }
    };
    let mime = content_type
        .map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let media = content.get(&mime).ok_or_else(|| {
        format!(
            "{where_}: content type `{mime}` is not documented (documented: {})",
            content.keys().cloned().collect::<Vec<_>>().join(", ")
        )
    })?;
    let is_json = mime == "application/json" || mime.ends_with("+json");
    if let (true, Some(schema)) = (is_json, media.get("schema")) {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| format!("{where_}: the body is not JSON: {e}"))?;
        validate(doc, schema, &value, "$").map_err(|e| format!("{where_}: {e}"))?;
    }
    Ok(())
}

/// Follows a local `$ref`, failing when it points at nothing.
fn resolve<'a>(doc: &'a Value, node: &'a Value) -> Result<&'a Value, String> {
    let mut node = node;
    for _ in 0..32 {
        let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
            return Ok(node);
        };
        let pointer = reference
            .strip_prefix('#')
            .ok_or_else(|| format!("`$ref` {reference} is not local"))?;
        node = doc
            .pointer(pointer)
            .ok_or_else(|| format!("`$ref` {reference} points at nothing"))?;
    }
    Err("`$ref` cycle".into())
}

/// Every `$ref` anywhere in the document, and whether it resolves.
pub fn dangling_refs(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk_refs(doc, doc, &mut out);
    out.sort();
    out.dedup();
    out
}

fn walk_refs(doc: &Value, node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                if resolve(doc, node).is_err() {
                    out.push(r.to_string());
                }
            }
            map.values().for_each(|v| walk_refs(doc, v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| walk_refs(doc, v, out)),
        _ => {}
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(declared: &str, value: &Value) -> bool {
    let actual = type_name(value);
    declared == actual || (declared == "number" && actual == "integer")
}

/// A JSON Schema subset, the one utoipa writes: `$ref`, `type` (one or several), `enum`,
/// `const`, `properties`/`required`/`additionalProperties`, `items`, `oneOf`, `anyOf`, `allOf`.
pub fn validate(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema).map_err(|e| format!("{at}: {e}"))?;
    if let Some(Value::Bool(false)) = Some(schema) {
        return Err(format!("{at}: no value is allowed here"));
    }
    match schema.get("type") {
        Some(Value::String(t)) if !type_matches(t, value) => {
            return Err(format!("{at}: expected {t}, got {}", short(value)));
        }
        Some(Value::Array(ts))
            if !ts
                .iter()
                .any(|t| t.as_str().is_some_and(|t| type_matches(t, value))) =>
        {
            return Err(format!(
                "{at}: expected one of {}, got {}",
                Value::Array(ts.clone()),
                short(value)
            ));
        }
        _ => {}
    }
    if let Some(Value::Array(allowed)) = schema.get("enum") {
        if !allowed.contains(value) {
            return Err(format!(
                "{at}: {} is not one of the documented values {}",
                short(value),
                Value::Array(allowed.clone())
            ));
        }
    }
    if let Some(expected) = schema.get("const") {
        if expected != value {
            return Err(format!("{at}: expected {expected}, got {}", short(value)));
        }
    }
    if let Value::Object(map) = value {
        if let Some(Value::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) {
                    return Err(format!("{at}: the required field `{name}` is missing"));
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, field) in map {
            let inner = format!("{at}.{name}");
            match properties.and_then(|p| p.get(name)) {
                Some(prop) => validate(doc, prop, field, &inner)?,
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        return Err(format!("{inner}: the field is not documented"))
                    }
                    Some(extra @ Value::Object(_)) => validate(doc, extra, field, &inner)?,
                    _ => {}
                },
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            validate(doc, item_schema, item, &format!("{at}[{i}]"))?;
        }
    }
    if let Some(Value::Array(all)) = schema.get("allOf") {
        for part in all {
            validate(doc, part, value, at)?;
        }
    }
    if let Some(Value::Array(any)) = schema.get("anyOf") {
        let errors: Vec<String> = any
            .iter()
            .filter_map(|s| validate(doc, s, value, at).err())
            .collect();
        if errors.len() == any.len() {
            return Err(format!(
                "{at}: matches none of anyOf: {}",
                errors.join("; ")
            ));
        }
    }
    if let Some(Value::Array(one)) = schema.get("oneOf") {
        let results: Vec<Result<(), String>> =
            one.iter().map(|s| validate(doc, s, value, at)).collect();
        let matched = results.iter().filter(|r| r.is_ok()).count();
        if matched != 1 {
            let errors: Vec<String> = results.into_iter().filter_map(Result::err).collect();
            return Err(format!(
                "{at}: must match exactly one of oneOf, matched {matched} ({})",
                errors.join("; ")
            ));
        }
    }
    Ok(())
}

fn short(value: &Value) -> String {
    let s = value.to_string();
    if s.len() > 80 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(77).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}

/// Checks every answer of the routes it wraps against `doc`; an answer the document does not
/// describe becomes a 500 `undocumented_answer` naming the difference, so the test that caused it
/// fails where it asserts the status.
pub async fn check_answers(
    axum::extract::State(doc): axum::extract::State<std::sync::Arc<Value>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::body::{to_bytes, Body};
    use axum::extract::MatchedPath;
    use axum::http::header::CONTENT_TYPE;
    use axum::response::IntoResponse;

    let method = req.method().as_str().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let Some(route) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
    else {
        return next.run(req).await;
    };
    let header_of = |h: &axum::http::HeaderMap| {
        h.get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let request_content_type = header_of(req.headers());
    let (parts, body) = req.into_parts();
    let request_body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let req = axum::extract::Request::from_parts(parts, Body::from(request_body.clone()));
    let response = next.run(req).await;
    let content_type = header_of(response.headers());
    let streaming = content_type
        .as_deref()
        .is_some_and(|c| c.starts_with("text/event-stream"));
    let (parts, body) = response.into_parts();
    // A live stream never ends: check its status and type, and pass the body through.
    let (body_bytes, body) = if streaming {
        (bytes::Bytes::new(), body)
    } else {
        let b = to_bytes(body, usize::MAX).await.unwrap_or_default();
        (b.clone(), Body::from(b))
    };
    let exchange = Exchange {
        method: &method,
        route: &route,
        query: query.as_deref(),
        request_content_type: request_content_type.as_deref(),
        request_body: &request_body,
        status: parts.status.as_u16(),
        content_type: content_type.as_deref(),
        body: &body_bytes,
    };
    match check(&doc, &exchange) {
        Ok(()) => axum::response::Response::from_parts(parts, body),
        Err(difference) => {
            tracing::error!(%difference, "answer not described by the OpenAPI document");
            eprintln!("undocumented answer: {difference}");
            let problem = serde_json::json!({
                "type": "urn:opsdesk:problem:undocumented_answer",
                "title": "Internal Server Error",
                "status": 500,
                "code": "undocumented_answer",
                "detail": difference,
            });
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                [(CONTENT_TYPE, "application/problem+json")],
                problem.to_string(),
            )
                .into_response()
        }
    }
}
