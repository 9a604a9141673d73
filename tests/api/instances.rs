//! Several instances behind one database: they share it, and they must share the key files.

use cartrec::startup::Application;
use reqwest::StatusCode;

use crate::helpers::{spawn_app, test_settings, TestApp};

/// Starts another instance on `app`'s database with its own data directory, using `app`'s key
/// files when `shared_keys`.
async fn another_instance(app: &TestApp, dir: &std::path::Path, shared_keys: bool) -> String {
    let mut settings = test_settings(dir, &app.db.url);
    if shared_keys {
        settings.jwt_secret_file = Some(app.data_dir.path().join("jwt.secret"));
        settings.checkpoint_key_file = Some(app.data_dir.path().join("checkpoint.key"));
    }
    let instance = Application::build(settings).await.expect("instance starts");
    assert!(instance.bootstrap_password.is_none(), "the admin exists");
    let address = format!("http://127.0.0.1:{}", instance.port());
    tokio::spawn(instance.run_until_stopped());
    address
}

async fn me(client: &reqwest::Client, address: &str, token: &str) -> StatusCode {
    client
        .get(format!("{address}/api/v1/users/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent")
        .status()
}

#[tokio::test]
async fn instances_with_the_same_key_files_accept_each_others_tokens() {
    let app = spawn_app().await;
    let dirs = tempfile::tempdir().expect("temp dir");
    let shared = another_instance(&app, &dirs.path().join("shared"), true).await;
    let separate = another_instance(&app, &dirs.path().join("separate"), false).await;

    assert_eq!(me(&app.client, &shared, &app.admin.token).await, 200);
    let login: serde_json::Value = app
        .client
        .post(format!("{shared}/api/v1/auth/login"))
        .json(&serde_json::json!({
            "username": app.admin.username, "password": app.admin.password
        }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let token_from_shared = login["access_token"].as_str().expect("token");
    assert_eq!(me(&app.client, &app.address, token_from_shared).await, 200);
    // Why the README asks for the same files: with its own secret, an instance refuses them.
    assert_eq!(me(&app.client, &separate, &app.admin.token).await, 401);
}

/// One step recorded with its `performed` signature, through the instance at `address`.
async fn record_at(
    client: &reqwest::Client,
    address: &str,
    who: &crate::helpers::TestUser,
    batch: &str,
    step: &str,
    values: serde_json::Value,
    coi: &str,
) -> StatusCode {
    client
        .post(format!("{address}/api/v1/batches/{batch}/steps/{step}"))
        .bearer_auth(&who.token)
        .json(&serde_json::json!({
            "values": values, "coi": coi,
            "signature": { "password": who.password, "meaning": "performed" }
        }))
        .send()
        .await
        .expect("sent")
        .status()
}

const DEVIATIONS_PER_WRITER: usize = 8;

/// Covers: GMP-LED-5, GMP-BAT-3
#[tokio::test]
async fn three_instances_writing_at_once_keep_one_linear_ledger_and_never_double_a_step() {
    use crate::batch_support::{create_batch, site, STEPS};

    let app = std::sync::Arc::new(spawn_app().await);
    let dirs = tempfile::tempdir().expect("temp dir");
    let addresses = vec![
        app.address.clone(),
        another_instance(&app, &dirs.path().join("b"), true).await,
        another_instance(&app, &dirs.path().join("c"), true).await,
    ];
    let site = std::sync::Arc::new(site(&app).await);
    let mut batches = Vec::new();
    for _ in 0..3 {
        let created = create_batch(&app, &site.op1, None).await;
        batches.push((
            created["batch_number"].as_str().expect("number").to_owned(),
            created["coi"].as_str().expect("coi").to_owned(),
        ));
    }
    // Every instance records the same first step of every batch, and raises deviations on it,
    // all at once: the same batch from three instances, and different batches side by side.
    let mut writers = Vec::new();
    for address in &addresses {
        for (batch, coi) in &batches {
            let site = site.clone();
            let (address, batch, coi) = (address.clone(), batch.clone(), coi.clone());
            writers.push(tokio::spawn(async move {
                let client = reqwest::Client::new();
                let step = STEPS[0];
                let recorded = record_at(
                    &client,
                    &address,
                    &site.op1,
                    &batch,
                    step,
                    site.values(step),
                    &coi,
                )
                .await;
                let mut raised = 0;
                for n in 0..DEVIATIONS_PER_WRITER {
                    let status = client
                        .post(format!("{address}/api/v1/batches/{batch}/deviations"))
                        .bearer_auth(&site.qa.token)
                        .json(&serde_json::json!({
                            "description": format!("from {address} #{n}"),
                            "step_id": "cryopreservation"
                        }))
                        .send()
                        .await
                        .expect("sent")
                        .status();
                    assert_eq!(status, 201, "deviation through {address}");
                    raised += 1;
                }
                (batch, recorded, raised)
            }));
        }
    }
    let mut first_steps: std::collections::HashMap<String, Vec<StatusCode>> = Default::default();
    for writer in writers {
        let (batch, recorded, raised) = writer.await.expect("writer");
        assert_eq!(raised, DEVIATIONS_PER_WRITER);
        first_steps.entry(batch).or_default().push(recorded);
    }
    for (batch, _) in &batches {
        let answers = &first_steps[batch];
        let created = answers
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count();
        assert_eq!(
            created, 1,
            "{batch}: one of three records the step: {answers:?}"
        );
        assert!(
            answers
                .iter()
                .all(|s| s.is_success() || s.as_u16() == 409 || s.as_u16() == 422),
            "{batch}: the others are refused: {answers:?}"
        );
        let view: serde_json::Value = app
            .get(&format!("/api/v1/batches/{batch}"), Some(&site.op1.token))
            .await
            .json()
            .await
            .expect("view");
        let deviations = view["deviations"].as_array().expect("deviations").len();
        assert_eq!(
            deviations,
            3 * DEVIATIONS_PER_WRITER,
            "{batch}: none lost or doubled"
        );
    }
    let output = app.run_cli(&["verify"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
}
