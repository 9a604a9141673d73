//! One file per area of the UI.

pub mod approvals;
pub mod auth;
pub mod batches;
pub mod correction_confirm;
pub mod corrections;
pub mod course;
pub mod deviation_decisions;
pub mod deviations;
pub mod equipment;
pub mod follow_up;
pub mod forms;
pub mod home;
pub mod infusion;
pub mod ledger;
pub mod lots;
pub mod next;
pub mod qc;
pub mod release;
mod signing;
pub mod steps;
pub mod templates;
pub mod users;
pub mod ward;
mod worklist;

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use askama::Template;

use super::session::Viewer;
use super::{html, render_error, WebError};

/// A rendered page for `viewer`, setting the renewed session cookie when there is one.
pub fn page(viewer: &Viewer, status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(body) => {
            let mut response = html(status, body);
            if let Some(cookie) = &viewer.renewed {
                let _ = response.add_cookie(cookie);
            }
            response
        }
        Err(error) => render_error(viewer.tr, &WebError::from(error)),
    }
}

/// After a successful form: "see other" (POST/redirect/GET), so that reloading the page
/// never submits the form again.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::build(StatusCode::SEE_OTHER)
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A path of this site to come back to; anything else (another host, `//host`) goes home.
pub fn local_path(path: &str) -> &str {
    let local = path.starts_with('/') && !path.starts_with("//") && !path.contains('\\');
    if local {
        path
    } else {
        "/"
    }
}
