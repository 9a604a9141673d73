//! The infusion, after a passed two-person bedside check: the times, the bags and the dose as
//! the clinician records them; the domain checks them against the check and the receipt.

use actix_web::web;

use super::ward::{now_local, time};
use crate::auth::SignatureMeaning;
use crate::domain::batch::custody::Infusion;
use crate::services::batches::custody;
use crate::services::batches::BatchView;
use crate::web::session::{PageRequest, PostedForm, Viewer};
use crate::web::signing::form::{self, on_batch, FormPage, Posting};
use crate::web::signing::{self, field, Input};
use crate::web::Answer;

fn infusion_form(viewer: &Viewer, batch: &BatchView) -> FormPage {
    let tr = viewer.tr;
    let mut shown = FormPage::new(
        viewer,
        batch,
        format!("/batches/{}/infusion", batch.batch_number),
        SignatureMeaning::Performed,
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
            .unit("CAR+ T/kg".to_owned())
            .hint(tr.t("infusion-dose-hint")),
        Input::new("premedication", tr.t("infusion-premedication"), "text"),
        Input::new("immediate_reactions", tr.t("infusion-reactions"), "text")
            .hint(tr.t("infusion-reactions-hint")),
    ];
    shown
}

pub async fn form_page(request: PageRequest, path: web::Path<String>) -> Answer {
    form::opened(request, path.into_inner(), infusion_form).await
}

pub async fn infuse(request: PostedForm, path: web::Path<String>) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let batch = signing::batch(state, path.into_inner()).await?;
    let number = &batch.batch_number;
    let posting = Posting::on((req, viewer), form, SignatureMeaning::Performed, number);
    let read = || {
        let [thaw_started_at, infusion_started_at, infusion_ended_at] = [
            "thaw_started_at",
            "infusion_started_at",
            "infusion_ended_at",
        ]
        .map(|name| time(viewer, form, name).map_err(|message| (name, message)));
        let bags = field(form, "bags").trim().parse::<u32>();
        Ok(Infusion {
            thaw_started_at: thaw_started_at?,
            infusion_started_at: infusion_started_at?,
            infusion_ended_at: infusion_ended_at?,
            bags: bags.map_err(|_| ("bags", viewer.tr.t("form-whole-number")))?,
            dose_car_t_per_kg: viewer.tr.parse_decimal(&field(form, "dose_car_t_per_kg")),
            premedication: field(form, "premedication"),
            immediate_reactions: field(form, "immediate_reactions"),
        })
    };
    let shown = infusion_form(viewer, &batch);
    posting
        .submit(shown, read, on_batch(number, custody::infuse))
        .await
}
