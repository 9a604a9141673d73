//! A correction's second look: a second person's verification (`verified`) or QA's approval
//! (`approved`), each a signature dialog that shows the old value, the new one and the
//! reason, as `POST .../corrections/{id}/verify` and `.../approve` do.

use actix_web::http::StatusCode;
use actix_web::web;

use super::corrections::corrections;
use super::page;
use crate::auth::SignatureMeaning;
use crate::domain::template::Template as ProcessTemplate;
use crate::services::batches::{self, BatchView};
use crate::web::session::{PageRequest, PostedForm, Viewer};
use crate::web::signing::review::SignPage;
use crate::web::signing::{self, Refusal};
use crate::web::{Answer, WebError};

/// The dialog that verifies (`verify`) or approves (`approve`) a correction.
fn confirm_dialog(
    viewer: &Viewer,
    (batch, template): (&BatchView, &ProcessTemplate),
    id: u32,
    approve: bool,
) -> Result<SignPage, WebError> {
    let tr = viewer.tr;
    let c = corrections(batch, template, viewer)
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(WebError::NotFound)?;
    let (name, meaning) = if approve {
        ("approve", SignatureMeaning::Approved)
    } else {
        ("verify", SignatureMeaning::Verified)
    };
    let summary = vec![
        (
            tr.t("correction-step"),
            format!("{} · {}", c.step, c.record),
            None,
        ),
        (tr.t("correction-field"), c.field, None),
        (tr.t("correction-previous"), c.previous, None),
        (tr.t("correction-value"), c.value, None),
        (tr.t("correction-reason"), c.reason, None),
        (tr.t("correction-by"), c.by, None),
    ];
    let action = format!("/batches/{}/corrections/{id}/{name}", batch.batch_number);
    let title = tr.t1(&format!("correction-{name}-title"), "id", &id.to_string());
    Ok(SignPage::new(
        viewer,
        batch,
        (action, title),
        meaning,
        summary,
        vec![],
    ))
}

/// Whether the page approves (QA) or verifies (a second operator); the route table lets
/// each through with its own action.
fn approving(name: &str) -> Result<bool, WebError> {
    match name {
        "verify" => Ok(false),
        "approve" => Ok(true),
        _ => Err(WebError::NotFound),
    }
}

pub async fn confirm_form(request: PageRequest, path: web::Path<(String, u32, String)>) -> Answer {
    let (_req, viewer, state, _) = request.parts();
    let (number, id, name) = path.into_inner();
    let approve = approving(&name)?;
    let (batch, template) = signing::batch_and_template(state, number).await?;
    let shown = confirm_dialog(viewer, (&batch, &template), id, approve)?;
    Ok(page(viewer, StatusCode::OK, &shown))
}

/// A verification or approval, signed; a refusal (one's own correction, a wrong password)
/// comes back in the dialog as a readable message.
pub async fn confirm(request: PostedForm, path: web::Path<(String, u32, String)>) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let (number, id, name) = path.into_inner();
    let approve = approving(&name)?;
    let (batch, template) = signing::batch_and_template(state, number.clone()).await?;
    let meaning = if approve {
        SignatureMeaning::Approved
    } else {
        SignatureMeaning::Verified
    };
    let position = signing::position(form);
    let done = signing::sign(req, viewer, form, meaning, {
        let number = number.clone();
        move |conn, who, signer| {
            batches::confirm_correction(conn, who, &number, (id, approve), position, signer)
        }
    })
    .await?;
    match done {
        // The notice names what was signed: `done-correction-verified` or `-approved`.
        Ok(_) => Ok(super::see_other(&format!(
            "/batches/{number}/corrections?done={}",
            meaning.as_str()
        ))),
        Err(error) => {
            let mut shown = confirm_dialog(viewer, (&batch, &template), id, approve)?;
            let refusal = Refusal::of(viewer, &error);
            match refusal.at_password() {
                Some(message) => shown.signature.password_error = Some(message),
                None => shown.error = Some(refusal.above()),
            }
            Ok(page(
                viewer,
                actix_web::ResponseError::status_code(&error),
                &shown,
            ))
        }
    }
}
