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
