//! The parts every paged list of the UI shares: the `cursor` of the page asked for, the count
//! of the whole list, and the links to the next and the first page.

use serde::Deserialize;

use crate::services::paging::{Page, PageSpec};
use crate::web::i18n::Tr;

/// `?cursor=...` of a list page; empty on the first.
#[derive(Deserialize, Default)]
pub struct CursorQuery {
    #[serde(default)]
    pub cursor: String,
}

impl CursorQuery {
    /// The page asked for, or the sentence that says the link is not one the list gave.
    pub fn spec(&self, tr: Tr) -> Result<PageSpec, String> {
        PageSpec::parse(None, Some(&self.cursor)).map_err(|_| tr.t("list-cursor-invalid"))
    }
}

pub struct Pager {
    pub count: String,
    pub next: Option<String>,
    pub first: Option<String>,
}

impl Pager {
    /// The count and links of `page` of the list at `path` (which takes `?cursor=`).
    pub fn of<T>(page: &Page<T>, tr: Tr, path: &str, asked: &CursorQuery) -> Pager {
        let at = |cursor: &str| {
            let query = serde_urlencoded::to_string([("cursor", cursor)]).unwrap_or_default();
            format!("{path}?{query}")
        };
        Pager {
            count: tr.t1("list-total", "count", &page.total.to_string()),
            next: page.next.as_deref().map(at),
            first: (!asked.cursor.is_empty()).then(|| path.to_owned()),
        }
    }
}
