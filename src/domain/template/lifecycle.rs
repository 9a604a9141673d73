//! A template's versions over time (stream `template/<code>`): each imported as a draft, a
//! newer draft superseding an older one, and a draft approved by QA with a signature. An
//! approved version never changes, and only an approved version starts a batch.

use serde::{Deserialize, Serialize};

use super::Template;
use crate::domain::signature::SignatureApplied;
use crate::domain::{DomainError, Recorded};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum TemplateEvent {
    #[serde(rename = "template.imported")]
    Imported(Imported),
    #[serde(rename = "template.approved")]
    Approved(Approved),
    #[serde(rename = "signature.applied")]
    SignatureApplied(SignatureApplied),
}

/// The template exactly as imported (its text), so that what was approved can be shown byte
/// for byte, and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Imported {
    pub version: u32,
    pub title: String,
    pub source: String,
    pub source_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approved {
    pub version: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    Draft,
    /// A draft replaced by a newer draft before anyone approved it.
    Superseded,
    Approved,
}

impl VersionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Superseded => "superseded",
            VersionStatus::Approved => "approved",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateVersion {
    pub imported: Imported,
    pub status: VersionStatus,
    pub imported_by: String,
    pub approved_by: Option<String>,
}

/// Every version of one template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateHistory {
    pub versions: Vec<TemplateVersion>,
}

impl TemplateHistory {
    pub fn fold(events: &[Recorded<TemplateEvent>]) -> TemplateHistory {
        let mut history = TemplateHistory::default();
        for recorded in events {
            match &recorded.event {
                TemplateEvent::Imported(imported) => {
                    for older in &mut history.versions {
                        if older.status == VersionStatus::Draft {
                            older.status = VersionStatus::Superseded;
                        }
                    }
                    history.versions.push(TemplateVersion {
                        imported: imported.clone(),
                        status: VersionStatus::Draft,
                        imported_by: recorded.actor.clone(),
                        approved_by: None,
                    });
                }
                TemplateEvent::Approved(approved) => {
                    if let Some(version) = history.version_mut(approved.version) {
                        version.status = VersionStatus::Approved;
                        version.approved_by = Some(recorded.actor.clone());
                    }
                }
                TemplateEvent::SignatureApplied(_) => {}
            }
        }
        history
    }

    pub fn version(&self, version: u32) -> Option<&TemplateVersion> {
        self.versions.iter().find(|v| v.imported.version == version)
    }

    fn version_mut(&mut self, version: u32) -> Option<&mut TemplateVersion> {
        self.versions
            .iter_mut()
            .find(|v| v.imported.version == version)
    }

    /// The newest approved version: the one a new batch starts with.
    pub fn latest_approved(&self) -> Option<&TemplateVersion> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.status == VersionStatus::Approved)
    }
}

/// A new draft: its version must be newer than every version this template has had.
pub fn decide_import(
    history: &TemplateHistory,
    template: &Template,
    source: &str,
    source_sha256: String,
) -> Result<TemplateEvent, DomainError> {
    if let Some(newest) = history.versions.iter().map(|v| v.imported.version).max() {
        if template.version <= newest {
            return Err(DomainError::conflict(
                "template_version_exists",
                format!(
                    "template {} already has version {newest}; a new draft needs a higher version",
                    template.code
                ),
            ));
        }
    }
    Ok(TemplateEvent::Imported(Imported {
        version: template.version,
        title: template.title.clone(),
        source: source.to_owned(),
        source_sha256,
    }))
}

/// QA approves a draft; never the person who imported it (four eyes on the master record).
pub fn decide_approval(
    history: &TemplateHistory,
    code: &str,
    version: u32,
    approver: &str,
) -> Result<TemplateEvent, DomainError> {
    let found = history.version(version).ok_or_else(|| {
        DomainError::not_found(
            "template_not_found",
            format!("template {code} has no version {version}"),
        )
    })?;
    if found.status != VersionStatus::Draft {
        return Err(DomainError::conflict(
            "template_not_draft",
            format!(
                "version {version} of template {code} is {}; only the current draft can be approved",
                found.status.as_str()
            ),
        ));
    }
    if found.imported_by == approver {
        return Err(DomainError::forbidden(
            "approver_imported_template",
            "you imported this version; another QA person must review and approve it",
        ));
    }
    Ok(TemplateEvent::Approved(Approved { version }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seq: i64, actor: &str, event: TemplateEvent) -> Recorded<TemplateEvent> {
        Recorded {
            seq,
            stream_seq: seq,
            hash: String::new(),
            actor: actor.into(),
            recorded_at: String::new(),
            event,
        }
    }

    fn imported(version: u32) -> TemplateEvent {
        TemplateEvent::Imported(Imported {
            version,
            title: "t".into(),
            source: "{}".into(),
            source_sha256: "00".into(),
        })
    }

    fn shipped(version: u32) -> Template {
        let mut template = Template::parse(include_bytes!(
            "../../../templates/cd19-car-t-lentiviral.json"
        ))
        .expect("shipped template parses");
        template.version = version;
        template
    }

    /// Covers: GMP-TPL-1
    #[test]
    fn a_newer_draft_supersedes_and_only_a_draft_is_approved_by_someone_else() {
        let history =
            TemplateHistory::fold(&[at(0, "system", imported(1)), at(1, "qa1", imported(2))]);
        assert_eq!(history.versions[0].status, VersionStatus::Superseded);
        assert_eq!(
            decide_approval(&history, "c", 1, "qa2")
                .expect_err("refused")
                .code,
            "template_not_draft"
        );
        assert_eq!(
            decide_approval(&history, "c", 2, "qa1")
                .expect_err("refused")
                .code,
            "approver_imported_template"
        );
        assert_eq!(
            decide_approval(&history, "c", 3, "qa2")
                .expect_err("refused")
                .code,
            "template_not_found"
        );
        let approval = decide_approval(&history, "c", 2, "qa2").expect("approved");
        let history = TemplateHistory::fold(&[
            at(0, "system", imported(1)),
            at(1, "qa1", imported(2)),
            at(2, "qa2", approval),
        ]);
        assert_eq!(
            history.latest_approved().map(|v| v.imported.version),
            Some(2)
        );
        assert_eq!(
            decide_approval(&history, "c", 2, "qa3")
                .expect_err("refused")
                .code,
            "template_not_draft"
        );
    }

    /// Covers: GMP-TPL-1
    #[test]
    fn a_draft_must_be_newer_than_every_version() {
        let history = TemplateHistory::fold(&[at(0, "system", imported(3))]);
        assert_eq!(
            decide_import(&history, &shipped(3), "{}", "00".into())
                .expect_err("refused")
                .code,
            "template_version_exists"
        );
        assert!(decide_import(&history, &shipped(4), "{}", "00".into()).is_ok());
        assert!(TemplateHistory::default().latest_approved().is_none());
    }
}
