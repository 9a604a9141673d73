//! Follow-up visits after the infusion, up to 15 years: what the clinician saw, with the
//! adverse events one per line (the term, then its CTCAE grade).

use actix_web::web;

use crate::auth::SignatureMeaning;
use crate::domain::batch::custody::Visit;
use crate::domain::batch::AdverseEvent;
use crate::services::batches::custody;
use crate::services::batches::BatchView;
use crate::web::session::{PageRequest, PostedForm, Viewer};
use crate::web::signing::form::{self, on_batch, FormPage, Posting};
use crate::web::signing::{self, field, Input};
use crate::web::Answer;

fn visit_form(viewer: &Viewer, batch: &BatchView) -> FormPage {
    let tr = viewer.tr;
    let mut shown = FormPage::new(
        viewer,
        batch,
        format!("/batches/{}/follow-up", batch.batch_number),
        SignatureMeaning::Performed,
    );
    let visits = &batch.after_manufacturing.follow_ups;
    shown.title = tr.t("follow-up-title");
    shown.intro = vec![tr.t1("follow-up-intro", "visits", &visits.len().to_string())];
    shown.facts = visits
        .iter()
        .map(|v| {
            (
                tr.t1("follow-up-visit", "visit", &v.visit.to_string()),
                format!("{} · {}", v.visit_date, v.disease_status),
            )
        })
        .collect();
    let today = chrono::Utc::now()
        .with_timezone(&viewer.zone)
        .date_naive()
        .to_string();
    shown.inputs = vec![
        Input::new("visit_date", tr.t("follow-up-date"), "date").value(today),
        Input::new("disease_status", tr.t("follow-up-disease"), "text"),
        Input::new(
            "immunosuppression",
            tr.t("follow-up-immunosuppression"),
            "text",
        ),
        Input::new("adverse_events", tr.t("follow-up-adverse"), "textarea")
            .hint(tr.t("follow-up-adverse-hint"))
            .optional(),
        Input::new(
            "secondary_malignancy",
            tr.t("follow-up-malignancy"),
            "yesno",
        ),
        Input::new("notes", tr.t("follow-up-notes"), "textarea").optional(),
    ];
    shown
}

pub async fn form_page(request: PageRequest, path: web::Path<String>) -> Answer {
    form::opened(request, path.into_inner(), visit_form).await
}

/// The adverse events as typed, one per line: `term; grade`. A line that is not is named.
fn adverse_events(text: &str) -> Result<Vec<AdverseEvent>, String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (term, grade) = line.rsplit_once(';').ok_or_else(|| line.to_owned())?;
            let grade = grade.trim().parse::<u8>().map_err(|_| line.to_owned())?;
            Ok(AdverseEvent {
                term: term.trim().to_owned(),
                grade,
            })
        })
        .collect()
}

pub async fn record(request: PostedForm, path: web::Path<String>) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let batch = signing::batch(state, path.into_inner()).await?;
    let number = &batch.batch_number;
    let tr = viewer.tr;
    let read = || {
        let visit_date =
            chrono::NaiveDate::parse_from_str(field(form, "visit_date").trim(), "%Y-%m-%d")
                .map_err(|_| ("visit_date", tr.refusal("invalid_visit_date")))?;
        let adverse_events = adverse_events(&field(form, "adverse_events")).map_err(|line| {
            let message = tr.t1("follow-up-adverse-line", "line", &line);
            ("adverse_events", message)
        })?;
        Ok(Visit {
            visit_date,
            disease_status: field(form, "disease_status"),
            immunosuppression: field(form, "immunosuppression"),
            adverse_events,
            secondary_malignancy: field(form, "secondary_malignancy") == "true",
            notes: Some(field(form, "notes")).filter(|n| !n.trim().is_empty()),
        })
    };
    let posting = Posting::on((req, viewer), form, SignatureMeaning::Performed, number);
    posting
        .submit(
            visit_form(viewer, &batch),
            read,
            on_batch(number, custody::follow_up),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adverse_events_are_read_one_per_line_with_their_grade() {
        let read = adverse_events("cytokine release syndrome; 2\n\n ICANS ; 1 ").expect("read");
        assert_eq!(read.len(), 2);
        assert_eq!(read[1].term, "ICANS");
        assert_eq!(read[1].grade, 1);
        assert_eq!(
            adverse_events("fever grade 2").map_err(|l| l.len()),
            Err(13)
        );
    }
}
