//! The `templates` table: every version of every template and its status.

use diesel::prelude::*;

use crate::db::schema::templates;
use crate::db::DbConn;
use crate::domain::template::lifecycle::{TemplateEvent, VersionStatus};
use crate::domain::Recorded;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = templates)]
pub struct TemplateRow {
    pub code: String,
    pub version: i32,
    pub title: String,
    pub status: String,
    pub source_sha256: String,
    pub imported_by: String,
    pub approved_by: Option<String>,
}

pub fn apply(conn: &mut DbConn, code: &str, event: &Recorded<TemplateEvent>) -> QueryResult<()> {
    match &event.event {
        TemplateEvent::Imported(imported) => {
            diesel::update(
                templates::table
                    .filter(templates::code.eq(code))
                    .filter(templates::status.eq(VersionStatus::Draft.as_str())),
            )
            .set(templates::status.eq(VersionStatus::Superseded.as_str()))
            .execute(conn)?;
            diesel::insert_into(templates::table)
                .values(TemplateRow {
                    code: code.to_owned(),
                    version: i32::try_from(imported.version).unwrap_or(i32::MAX),
                    title: imported.title.clone(),
                    status: VersionStatus::Draft.as_str().to_owned(),
                    source_sha256: imported.source_sha256.clone(),
                    imported_by: event.actor.clone(),
                    approved_by: None,
                })
                .execute(conn)
                .map(drop)
        }
        TemplateEvent::Approved(approved) => diesel::update(
            templates::table.find((code, i32::try_from(approved.version).unwrap_or(i32::MAX))),
        )
        .set((
            templates::status.eq(VersionStatus::Approved.as_str()),
            templates::approved_by.eq(Some(event.actor.clone())),
        ))
        .execute(conn)
        .map(drop),
        TemplateEvent::SignatureApplied(_) => Ok(()),
    }
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<TemplateRow>> {
    templates::table
        .order((templates::code.asc(), templates::version.asc()))
        .select(TemplateRow::as_select())
        .load(conn)
}

pub fn clear(conn: &mut DbConn) -> QueryResult<()> {
    diesel::delete(templates::table).execute(conn).map(drop)
}

pub fn snapshot(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    Ok(list(conn)?
        .iter()
        .map(|r| format!("templates {r:?}"))
        .collect())
}
