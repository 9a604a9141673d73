//! From the QP's certification to the patient: the operator dispatches, the ward receives,
//! two clinicians check the product bag against the wristband at the bedside, the infusion and
//! the follow-up visits (`infusion`, `follow_up`). Each page calls `batches::custody` as the API does; the domain
//! decides. A bedside mismatch answers with a full-screen stop.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use chrono::{DateTime, Utc};

use super::batches::BatchHeading;
use super::page;
use crate::auth::SignatureMeaning;
use crate::db::DbConn;
use crate::domain::batch::custody::{BedsideRole, Dispatch, Receipt};
use crate::services::batches::custody::{self, Write};
use crate::services::batches::BatchView;
use crate::web::frame::Frame;
use crate::web::session::{PageRequest, PostedForm, Viewer};
use crate::web::signing::form::{self, answer, on_batch, FormPage, Posting};
use crate::web::signing::{field, Input};
use crate::web::{signing, Answer};

/// Now in the site's time zone, as a `datetime-local` input takes it.
/// Rounded up to the next second, so that it is never before an entry made this second.
pub(super) fn now_local(viewer: &Viewer) -> String {
    (Utc::now() + chrono::Duration::seconds(1))
        .with_timezone(&viewer.zone)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// A typed local time as the API takes it, or the input's message.
pub(super) fn time(
    viewer: &Viewer,
    form: &[(String, String)],
    name: &str,
) -> Result<DateTime<Utc>, String> {
    crate::web::signing::step::local_to_rfc3339(field(form, name).trim(), viewer.zone)
        .and_then(|at| DateTime::parse_from_rfc3339(&at).ok())
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| viewer.tr.t("form-datetime"))
}

fn dispatch_form(viewer: &Viewer, batch: &BatchView) -> FormPage {
    let tr = viewer.tr;
    let mut shown = FormPage::new(
        viewer,
        batch,
        format!("/batches/{}/ship", batch.batch_number),
        SignatureMeaning::Performed,
    );
    shown.title = tr.t("ship-title");
    shown.intro = vec![tr.t("ship-intro")];
    shown.inputs = vec![
        Input::new("shipper_id", tr.t("ship-shipper"), "text"),
        Input::new("container_id", tr.t("ship-container"), "text"),
        Input::new("logger_id", tr.t("ship-logger"), "text"),
        Input::new("dispatched_at", tr.t("ship-dispatched-at"), "datetime")
            .value(now_local(viewer)),
    ];
    shown
}

pub async fn ship_form(request: PageRequest, path: web::Path<String>) -> Answer {
    form::opened(request, path.into_inner(), dispatch_form).await
}

pub async fn ship(request: PostedForm, path: web::Path<String>) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let batch = signing::batch(state, path.into_inner()).await?;
    let number = &batch.batch_number;
    let read = || {
        Ok(Dispatch {
            shipper_id: field(form, "shipper_id"),
            container_id: field(form, "container_id"),
            logger_id: field(form, "logger_id"),
            dispatched_at: time(viewer, form, "dispatched_at")
                .map_err(|message| ("dispatched_at", message))?,
        })
    };
    Posting::on((req, viewer), form, SignatureMeaning::Performed, number)
        .submit(
            dispatch_form(viewer, &batch),
            read,
            on_batch(number, custody::dispatch),
        )
        .await
}

fn receive_form(viewer: &Viewer, batch: &BatchView, shipment_id: u32) -> FormPage {
    let tr = viewer.tr;
    let mut shown = FormPage::new(
        viewer,
        batch,
        format!(
            "/batches/{}/shipments/{shipment_id}/receive",
            batch.batch_number
        ),
        SignatureMeaning::Performed,
    );
    shown.title = tr.t1("receive-title", "shipment", &shipment_id.to_string());
    shown.intro = vec![tr.t("receive-intro")];
    if let Some(s) = batch
        .after_manufacturing
        .shipments
        .iter()
        .find(|s| s.shipment_id == shipment_id)
    {
        let when = crate::web::signing::step::show_datetime(&s.dispatched_at, viewer.zone, tr);
        shown.facts = vec![
            (tr.t("ship-shipper"), s.shipper_id.clone()),
            (tr.t("ship-container"), s.container_id.clone()),
            (tr.t("ship-logger"), s.logger_id.clone()),
            (tr.t("ship-dispatched-at"), when),
        ];
    }
    shown.inputs = vec![
        Input::new("received_at", tr.t("receive-at"), "datetime").value(now_local(viewer)),
        Input::new("min_temperature_c", tr.t("receive-min"), "decimal").unit("°C".to_owned()),
        Input::new("max_temperature_c", tr.t("receive-max"), "decimal")
            .unit("°C".to_owned())
            .hint(tr.t("receive-max-hint")),
        Input::new("container_intact", tr.t("receive-intact"), "yesno"),
    ];
    shown
}

pub async fn receive_form_page(request: PageRequest, path: web::Path<(String, u32)>) -> Answer {
    let (number, shipment_id) = path.into_inner();
    form::opened(request, number, |viewer, batch| {
        receive_form(viewer, batch, shipment_id)
    })
    .await
}

pub async fn receive(request: PostedForm, path: web::Path<(String, u32)>) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let (number, shipment_id) = path.into_inner();
    let batch = signing::batch(state, number).await?;
    let number = &batch.batch_number;
    let tr = viewer.tr;
    let read = || {
        Ok(Receipt {
            received_at: time(viewer, form, "received_at")
                .map_err(|message| ("received_at", message))?,
            min_temperature_c: tr.parse_decimal(&field(form, "min_temperature_c")),
            max_temperature_c: tr.parse_decimal(&field(form, "max_temperature_c")),
            container_intact: field(form, "container_intact") == "true",
        })
    };
    let record = move |conn: &mut DbConn, write: Write<'_>, receipt: Receipt| {
        custody::receive(conn, write, shipment_id, receipt)
    };
    Posting::on((req, viewer), form, SignatureMeaning::Performed, number)
        .submit(
            receive_form(viewer, &batch, shipment_id),
            read,
            on_batch(number, record),
        )
        .await
}

/// The first clinician reads (`performed`); when a reading waits for a witness, the next
/// clinician reads again and witnesses it (`witnessed`).
fn bedside_form(viewer: &Viewer, batch: &BatchView) -> FormPage {
    let tr = viewer.tr;
    let waiting = batch
        .after_manufacturing
        .bedside_checks
        .iter()
        .rev()
        .find(|c| c.awaiting_witness);
    let meaning = if waiting.is_some() {
        SignatureMeaning::Witnessed
    } else {
        SignatureMeaning::Performed
    };
    let mut shown = FormPage::new(
        viewer,
        batch,
        format!("/batches/{}/bedside", batch.batch_number),
        meaning,
    );
    shown.title = tr.t("bedside-title");
    shown.carried = vec![("meaning", meaning.as_str())];
    shown.intro = match waiting {
        Some(check) => vec![
            tr.t1("bedside-witness-intro", "clinician", &check.performed_by),
            tr.t("bedside-scan-intro"),
        ],
        None => vec![tr.t("bedside-first-intro"), tr.t("bedside-scan-intro")],
    };
    shown.inputs = vec![
        Input::new("product_coi", tr.t("bedside-product"), "text")
            .hint(tr.t("bedside-product-hint")),
        Input::new("patient_coi", tr.t("bedside-wristband"), "text")
            .hint(tr.t("bedside-wristband-hint")),
    ];
    if shown.inputs.iter().all(|i| i.value.is_empty()) {
        shown.inputs[0].focus = true;
    }
    shown
}

pub async fn bedside_form_page(request: PageRequest, path: web::Path<String>) -> Answer {
    form::opened(request, path.into_inner(), bedside_form).await
}

#[derive(Template)]
#[template(path = "ui/bedside_stop.html")]
struct StopPage {
    frame: Frame,
    heading: BatchHeading,
    product: String,
    wristband: String,
    detail: String,
}

pub async fn bedside(request: PostedForm, path: web::Path<String>) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let batch = signing::batch(state, path.into_inner()).await?;
    let mut shown = bedside_form(viewer, &batch).typed(form);
    for input in &mut shown.inputs {
        input.focus = false;
    }
    if !shown.complete(form) {
        return Ok(page(viewer, StatusCode::OK, &shown));
    }
    // The meaning the person was shown and signs; the domain refuses it if it no longer fits.
    let (meaning, role) = match field(form, "meaning").as_str() {
        "witnessed" => (SignatureMeaning::Witnessed, BedsideRole::Witness),
        _ => (SignatureMeaning::Performed, BedsideRole::Checker),
    };
    let (product, wristband) = (field(form, "product_coi"), field(form, "patient_coi"));
    let number = batch.batch_number.clone();
    let if_match = signing::position(form);
    let signed = signing::sign(req, viewer, form, meaning, {
        let (number, product, wristband) = (number.clone(), product.clone(), wristband.clone());
        move |conn, who, signer| {
            let write = Write {
                who,
                batch_number: &number,
                if_match,
                signer,
            };
            let read = (product.trim(), wristband.trim());
            custody::bedside_check(conn, write, read, role)
        }
    })
    .await?;
    match signed {
        Err(error) if matches!(error.code(), "coi_mismatch" | "invalid_coi") => {
            let stop = StopPage {
                frame: Frame::of(viewer, &format!("/batches/{number}/bedside")),
                heading: BatchHeading::of(&batch, viewer.tr),
                product,
                wristband,
                detail: error.to_string(),
            };
            Ok(page(viewer, StatusCode::UNPROCESSABLE_ENTITY, &stop))
        }
        signed => answer(
            viewer,
            signed.map(drop),
            shown,
            &format!("/batches/{number}"),
        ),
    }
}
