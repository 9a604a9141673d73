//! The infusion, after a passed two-person bedside check: the times, the bags and the dose as
//! the clinician records them; the domain checks them against the check and the receipt.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::page;
use super::ward::{now_local, opened, time};
use crate::auth::SignatureMeaning;
use crate::domain::batch::custody::Infusion;
use crate::services::batches::custody;
use crate::services::batches::BatchView;
use crate::web::session::{Posted, Viewer};
use crate::web::signed_form::{field, on_batch, FormPage, Input, Posting};
use crate::web::WebError;

fn infusion_form(viewer: &Viewer, batch: &BatchView) -> FormPage {
    let tr = viewer.tr;
    let mut shown = FormPage::new(
        viewer,
        batch,
        format!("/batches/{}/infusion", batch.batch_number),
        "performed",
    );
    shown.title = tr.t("infusion-title");
    shown.intro = vec![tr.t("infusion-intro")];
    let now = now_local(viewer);
    shown.inputs = vec![
        Input::new("thaw_started_at", tr.t("infusion-thaw"), "datetime").value(now.clone()),
        Input::new("infusion_started_at", tr.t("infusion-start"), "datetime").value(now.clone()),
        Input::new("infusion_ended_at", tr.t("infusion-end"), "datetime").value(now),
        Input::new("bags", tr.t("infusion-bags"), "integer"),
        Input::new("dose_car_t_per_kg", tr.t("infusion-dose"), "decimal")
            .unit("CAR+ T/kg")
            .hint(tr.t("infusion-dose-hint")),
        Input::new("premedication", tr.t("infusion-premedication"), "text"),
        Input::new("immediate_reactions", tr.t("infusion-reactions"), "text")
            .hint(tr.t("infusion-reactions-hint")),
    ];
    shown
}

pub async fn form_page(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let batch = opened(&req, path.into_inner()).await?;
    let shown = infusion_form(&viewer, &batch);
    Ok(page(&viewer, StatusCode::OK, &shown))
}

pub async fn infuse(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    Posted(form): Posted<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let batch = opened(&req, path.into_inner()).await?;
    let number = &batch.batch_number;
    let posting = Posting {
        req: &req,
        viewer: &viewer,
        form: &form,
        meaning: SignatureMeaning::Performed,
        done: format!("/batches/{number}"),
    };
    let read = || {
        let [thaw_started_at, infusion_started_at, infusion_ended_at] = [
            "thaw_started_at",
            "infusion_started_at",
            "infusion_ended_at",
        ]
        .map(|name| time(&viewer, &form, name).map_err(|message| (name, message)));
        let bags = field(&form, "bags").trim().parse::<u32>();
        Ok(Infusion {
            thaw_started_at: thaw_started_at?,
            infusion_started_at: infusion_started_at?,
            infusion_ended_at: infusion_ended_at?,
            bags: bags.map_err(|_| ("bags", viewer.tr.t("form-whole-number")))?,
            dose_car_t_per_kg: viewer.tr.parse_decimal(&field(&form, "dose_car_t_per_kg")),
            premedication: field(&form, "premedication"),
            immediate_reactions: field(&form, "immediate_reactions"),
        })
    };
    let shown = infusion_form(&viewer, &batch);
    posting
        .submit(shown, read, on_batch(number, custody::infuse))
        .await
}
