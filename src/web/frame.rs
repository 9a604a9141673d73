//! What every page's frame shows: the language and its switch, the signed-in person with their
//! roles, the navigation their roles allow, and the form token for the logout and language
//! forms.

use super::i18n::{Lang, Tr};
use super::session::Viewer;
use crate::auth::Action;

/// The areas of the UI in the navigation: (path, message id, the action that opens it).
const SECTIONS: &[(&str, &str, Action)] = &[
    ("/batches", "nav-batches", Action::ReadBatches),
    ("/ledger", "nav-ledger", Action::ReadLedger),
    ("/audit", "nav-audit", Action::ReadAuditTrail),
    ("/deviations", "nav-deviations", Action::SuperviseBatch),
    ("/corrections", "nav-corrections", Action::SuperviseBatch),
    ("/templates", "nav-templates", Action::ReadTemplates),
    ("/lots", "nav-lots", Action::ReadMaterials),
    ("/equipment", "nav-equipment", Action::ReadMaterials),
    ("/admin/users", "nav-users", Action::ListUsers),
    ("/approvals", "nav-approvals", Action::ApproveAccount),
];

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

pub struct Frame {
    pub tr: Tr,
    pub user: Option<String>,
    pub roles: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub languages: Vec<(&'static str, &'static str, bool)>,
    /// The page's own path, where the language switch comes back to.
    pub here: String,
    /// The ledger did not verify: the first bad entry and why (in English, as the ledger
    /// speaks), shown on every page to QA, admins and auditors.
    pub ledger_alarm: Option<String>,
    /// The ledger verifies again since the alarm: what is left is the incident's record.
    pub ledger_verifies_again: bool,
}

impl Frame {
    /// For pages seen before signing in (login, errors).
    pub fn anonymous(tr: Tr, csrf: String, here: &str) -> Frame {
        Frame {
            tr,
            user: None,
            roles: String::new(),
            csrf,
            nav: vec![],
            languages: languages(tr.lang),
            here: here.to_owned(),
            ledger_alarm: None,
            ledger_verifies_again: false,
        }
    }

    /// For a signed-in viewer on the page at `here`.
    pub fn of(viewer: &Viewer, here: &str) -> Frame {
        let tr = viewer.tr;
        let section = |prefix: &str| {
            here.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        let mut nav = vec![NavItem {
            href: "/",
            label: tr.t("nav-work"),
            current: here == "/",
        }];
        for (href, label, action) in SECTIONS {
            if viewer.can(*action) {
                nav.push(NavItem {
                    href,
                    label: tr.t(label),
                    current: section(href),
                });
            }
        }
        let roles = viewer
            .who
            .roles
            .names()
            .iter()
            .map(|role| tr.t(&format!("role-{role}")))
            .collect::<Vec<_>>()
            .join(", ");
        Frame {
            tr,
            user: Some(viewer.who.full_name.as_str().to_owned()),
            roles,
            csrf: viewer.csrf.clone(),
            nav,
            languages: languages(tr.lang),
            here: here.to_owned(),
            ledger_alarm: viewer.ledger_alarm.as_ref().map(|alarm| {
                format!(
                    "seq {}: {} (since {})",
                    alarm.seq, alarm.reason, alarm.since
                )
            }),
            ledger_verifies_again: viewer
                .ledger_alarm
                .as_ref()
                .is_some_and(|alarm| alarm.verified_at.is_some()),
        }
    }

    pub fn lang(&self) -> &'static str {
        self.tr.lang.tag()
    }

    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }

    /// A message with one argument.
    pub fn t1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.tr.t1(id, name, &value.to_string())
    }
}

fn languages(current: Lang) -> Vec<(&'static str, &'static str, bool)> {
    Lang::ALL
        .iter()
        .map(|lang| (lang.tag(), lang.endonym(), *lang == current))
        .collect()
}
