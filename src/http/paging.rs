//! How a paged list answers over HTTP: the page's rows, `next` (the cursor of the following
//! page, or null) and `total` in the body, and the next page's address in a `Link` header
//! (RFC 8288, `rel="next"`), made of the request's own query with the cursor replaced.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};

/// `200 OK`, with a `Link` to the next page when there is one.
pub fn ok(req: &HttpRequest, next: Option<&str>) -> HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    if let Some(next) = next {
        response.insert_header((
            header::LINK,
            format!("<{}>; rel=\"next\"", next_page(req, next)),
        ));
    }
    response
}

/// The request's path and query with `cursor` set to `next`.
fn next_page(req: &HttpRequest, next: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.retain(|(name, _)| name != "cursor");
    pairs.push(("cursor".to_owned(), next.to_owned()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{}?{query}", req.path())
}
