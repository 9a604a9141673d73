//! Recall: which batches, and so which patients, a lot went into; and a lot rejected after use
//! shown to the QP as an exception of those batches.

use serde_json::{json, Value};

use crate::batch_support::{record, run_until, verify};
use crate::helpers::{problem, spawn_app, TestApp, TestUser};
use crate::materials::{register_lot, release_lot};
use crate::release_support::{exception_kinds, expect_status, new_batch, review, team};

async fn where_used(app: &TestApp, who: &TestUser, lot_id: &str) -> Value {
    expect_status(
        app.get(
            &format!("/api/v1/lots/{lot_id}/where-used"),
            Some(&who.token),
        )
        .await,
        200,
        "where-used",
    )
    .await
}

/// The batch numbers listed, sorted.
fn numbers(listed: &Value) -> Vec<String> {
    let mut numbers: Vec<String> = listed["batches"]
        .as_array()
        .unwrap_or_else(|| panic!("a batch list in {listed}"))
        .iter()
        .map(|b| b["batch_number"].as_str().expect("number").to_owned())
        .collect();
    numbers.sort();
    numbers
}

fn sorted(mut numbers: Vec<String>) -> Vec<String> {
    numbers.sort();
    numbers
}

/// Covers: GMP-MAT-5, GMP-REL-2
#[tokio::test]
async fn where_used_lists_exactly_the_batches_that_used_a_lot_and_a_rejected_lot_reaches_the_review(
) {
    let app = spawn_app().await;
    let team = team(&app).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let qa = &team.site.qa;
    let second_vector = register_lot(&app, qa, "lentiviral_vector", "2099-12-31").await;
    assert_eq!(release_lot(&app, qa, &second_vector).await.status(), 200);
    let unused = register_lot(&app, qa, "lentiviral_vector", "2099-12-31").await;
    // Two batches transduced with the site's vector lot, one with the second lot, one not yet
    // transduced at all.
    let (first, first_coi) = new_batch(&app, &team).await;
    let (second, second_coi) = new_batch(&app, &team).await;
    let (third, third_coi) = new_batch(&app, &team).await;
    let (fourth, fourth_coi) = new_batch(&app, &team).await;
    for (batch, coi) in [(&first, &first_coi), (&second, &second_coi)] {
        run_until(&app, &team.site, batch, coi, "expansion").await;
    }
    run_until(&app, &team.site, &third, &third_coi, "transduction").await;
    let mut transduction = team.site.values("transduction");
    transduction["vector_lot"] = json!(second_vector);
    expect_status(
        record(
            &app,
            &team.site.op1,
            &third,
            "transduction",
            transduction,
            Some(&third_coi),
        )
        .await,
        201,
        "transduction with the second lot",
    )
    .await;
    expect_status(
        verify(&app, &team.site.op2, &third, "transduction").await,
        200,
        "verify",
    )
    .await;
    run_until(&app, &team.site, &fourth, &fourth_coi, "transduction").await;

    let site_vector = team.site.lot("lentiviral_vector");
    let listed = where_used(&app, &team.qp, &site_vector).await;
    assert_eq!(
        numbers(&listed),
        sorted(vec![first.clone(), second.clone()]),
        "{listed}"
    );
    for entry in listed["batches"].as_array().expect("batches") {
        assert_eq!(entry["patient_code"], "ER-LUP-007", "{entry}");
        assert_eq!(entry["state"], "in_process", "{entry}");
    }
    assert_eq!(
        numbers(&where_used(&app, &auditor, &second_vector).await),
        vec![third.clone()]
    );
    // The selection step's lots went into all four.
    assert_eq!(
        numbers(&where_used(&app, qa, &team.site.lot("cytokine")).await),
        sorted(vec![
            first.clone(),
            second.clone(),
            third.clone(),
            fourth.clone()
        ])
    );
    assert!(numbers(&where_used(&app, qa, &unused).await).is_empty());
    let (status, _) = problem(
        app.get(
            &format!("/api/v1/lots/{site_vector}/where-used"),
            Some(&team.site.op1.token),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403, "operators do not trace lots");
    let (status, body) = problem(
        app.get("/api/v1/lots/L999999/where-used", Some(&qa.token))
            .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (404, Some("lot_not_found"))
    );

    // The supplier recalls the second lot: the QP sees it in the batch that used it only.
    let recalled = app
        .post(
            &format!("/api/v1/lots/{second_vector}/reject"),
            Some(&qa.token),
            &json!({ "reason": "supplier recall: RCL positive in retained sample",
                     "signature": { "password": qa.password, "meaning": "approved" } }),
        )
        .await;
    assert_eq!(recalled.status(), 200);
    let third_review = expect_status(review(&app, &team.qp, &third).await, 200, "review").await;
    assert!(
        exception_kinds(&third_review).contains(&"rejected_lot".to_owned()),
        "{third_review:#}"
    );
    let first_review = expect_status(review(&app, &team.qp, &first).await, 200, "review").await;
    assert!(
        !exception_kinds(&first_review).contains(&"rejected_lot".to_owned()),
        "{first_review:#}"
    );
}
