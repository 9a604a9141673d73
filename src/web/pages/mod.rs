//! One file per area of the UI.

pub mod approvals;
pub mod auth;
pub mod batch_list;
pub mod batches;
pub mod correction_confirm;
pub mod corrections;
pub mod course;
pub mod deviation_decisions;
pub mod deviations;
pub mod equipment;
pub mod follow_up;
pub mod home;
pub mod incident;
pub mod infusion;
pub mod ledger;
pub mod lots;
pub mod next;
pub mod pager;
pub mod qc;
pub mod release;
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

/// A path of this site to come back to, for a redirect to a target the request names (the
/// language switch's `back`); anything else goes home. Browsers drop tabs and line breaks
/// from a URL and read `\` as `/`, so `/<tab>/host` and `/\host` lead to another host as
/// `//host` does: local is one `/`, then printable ASCII other than `\` (a page's own path has
/// anything else percent-encoded). Starting with `/`, it has no scheme (`javascript:`) either.
pub fn local_path(path: &str) -> &str {
    let local = path.strip_prefix('/').is_some_and(|rest| {
        !rest.starts_with('/') && rest.chars().all(|c| c.is_ascii_graphic() && c != '\\')
    });
    if local {
        path
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_a_path_of_this_site_is_a_place_to_come_back_to() {
        for kept in [
            "/",
            "/batches/B-1?x=1",
            "/batches/B-1/review#step-3",
            "/login?changed=1",
        ] {
            assert_eq!(local_path(kept), kept);
        }
        for elsewhere in [
            "/\t/evil.example",
            "/\n/evil.example",
            "\t//evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "/batches\\..\\..\\evil",
            "https://evil.example",
            "javascript:alert(1)",
            " /batches",
            "/batches /x",
            "/batches\u{0}",
            "/batches\u{7f}",
            "/batches\u{85}",
            "/caf\u{e9}",
            "evil.example",
            "",
        ] {
            assert_eq!(local_path(elsewhere), "/", "{elsewhere:?}");
        }
    }
}
