//! The page and its JSON API, merged into the application's own HTTP server (loopback only):
//! `GET /sandbox` (the page), `GET /sandbox/api/state`, `POST /sandbox/api/action`, and
//! `GET /sandbox/api/photo/{chat}/{message}` (the bytes of a photo the bot sent).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;

use super::actions::{self, ActError, Action};
use super::{Sandbox, Slot, view};

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("page.js");
const STYLE: &str = include_str!("page.css");

pub fn router(slot: Slot) -> Router {
    Router::new()
        .route(
            "/sandbox",
            get(|| async { asset("text/html; charset=utf-8", PAGE) }),
        )
        .route(
            "/sandbox/",
            get(|| async { asset("text/html; charset=utf-8", PAGE) }),
        )
        .route(
            "/sandbox/page.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/sandbox/page.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route("/sandbox/api/state", get(state))
        .route("/sandbox/api/action", post(action))
        .route("/sandbox/api/photo/{chat}/{message}", get(photo))
        .with_state(slot)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// The answer to a refused or failed request.
#[derive(Serialize)]
struct ApiError<'a> {
    error: &'a str,
}

/// The answer to an action that was done.
#[derive(Serialize)]
struct ActionDone {
    ok: bool,
    note: String,
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(ApiError { error: message })).into_response()
}

fn sandbox(slot: &Slot) -> Option<Arc<Sandbox>> {
    slot.get().cloned()
}

fn starting() -> Response {
    error(StatusCode::SERVICE_UNAVAILABLE, "the sandbox is starting")
}

async fn state(State(slot): State<Slot>) -> Response {
    let Some(sb) = sandbox(&slot) else {
        return starting();
    };
    let world = sb.world.read().await;
    let Some(world) = world.as_ref() else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "the sandbox is stopping");
    };
    match view::state(world, &sb.cast).await {
        Ok(s) => axum::Json(s).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &format!("{e:#}")),
    }
}

/// The uploaded bytes of the photo of a message, as the bot sent them (the charts are PNGs).
async fn photo(State(slot): State<Slot>, Path((chat, message)): Path<(i64, i32)>) -> Response {
    let Some(sb) = sandbox(&slot) else {
        return starting();
    };
    let world = sb.world.read().await;
    let Some(world) = world.as_ref() else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "the sandbox is stopping");
    };
    let Some(photo) = world.tg.message(chat, message).and_then(|m| m.photo) else {
        return error(StatusCode::NOT_FOUND, "no such photo");
    };
    let content_type = if photo.bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if photo.bytes.starts_with(&[0xff, 0xd8]) {
        "image/jpeg"
    } else {
        "application/octet-stream"
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        photo.bytes,
    )
        .into_response()
}

async fn action(State(slot): State<Slot>, body: Bytes) -> Response {
    let action: Action = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("bad action: {e}")),
    };
    let Some(sb) = sandbox(&slot) else {
        return starting();
    };
    // In its own task: a client that gives up does not cut an action off half-way.
    let task = tokio::spawn(async move {
        let _one_at_a_time = sb.actions.lock().await;
        let world = sb.world.read().await;
        match world.as_ref() {
            Some(world) => Some(actions::perform(world, &sb.cast, action).await),
            None => None,
        }
    });
    match task.await {
        Ok(Some(Ok(note))) => axum::Json(ActionDone { ok: true, note }).into_response(),
        Ok(Some(Err(ActError::Bad(msg)))) => error(StatusCode::BAD_REQUEST, &msg),
        Ok(Some(Err(ActError::Failed(e)))) => {
            error(StatusCode::INTERNAL_SERVER_ERROR, &format!("{e:#}"))
        }
        Ok(None) => error(StatusCode::SERVICE_UNAVAILABLE, "the sandbox is stopping"),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the action failed: {e}"),
        ),
    }
}
