//! HTTP surface: the /calling REST API (dispatched by hand because of `:verb` segments) and the
//! /emulator admin API.

pub mod admin;
pub mod api_version;
pub mod calling;
pub mod routes;
pub mod ui;

use std::sync::Arc;

use axum::Router;

use crate::app::App;

/// Marker extension on a response whose connection must be closed without sending it.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

pub fn router(app: Arc<App>) -> Router {
    admin::routes()
        .merge(ui::routes())
        .fallback(calling::handle)
        .with_state(app)
}
