//! The OpenAPI document: open to anyone, OpenAPI 3.1, and exactly the routes the server has.
//! Walks `ENDPOINTS`, so adding an endpoint without documenting it fails here.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use cartrec::http::ENDPOINTS;
use serde_json::{json, Value};

use crate::batch_support::{create_batch, record, site, verify};
use crate::helpers::{spawn_app, TestApp};

const DOCUMENT: &str = "/api/v1/openapi.json";

/// Routes served outside `ENDPOINTS` (the probes, which need no authorization middleware).
const PROBES: [(&str, &str); 2] = [("GET", "/healthz"), ("GET", "/readyz")];

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn fetch_document(app: &TestApp) -> Value {
    let response = app.get(DOCUMENT, None).await;
    assert_eq!(response.status(), 200, "served without a token");
    let content_type = response.headers()["content-type"].to_str().expect("ASCII");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    response.json().await.expect("JSON")
}

/// Every documented operation: (METHOD, path) → operation.
fn operations(doc: &Value) -> BTreeMap<(String, String), &Value> {
    let mut found = BTreeMap::new();
    let paths = doc["paths"].as_object().expect("paths");
    for (path, item) in paths {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                found.insert((method.to_uppercase(), path.clone()), operation);
            }
        }
    }
    found
}

/// Covers: P11-10a-2
#[tokio::test]
async fn every_routed_endpoint_is_documented_and_nothing_else() {
    let app = spawn_app().await;
    let doc = fetch_document(&app).await;
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.1"), "OpenAPI {version}");
    assert_eq!(doc["info"]["title"], "cartrec");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));

    let documented: BTreeSet<(String, String)> = operations(&doc).into_keys().collect();
    let routed: BTreeSet<(String, String)> = ENDPOINTS
        .iter()
        .map(|e| (e.method.to_owned(), e.documented_path()))
        .chain(
            PROBES
                .iter()
                .map(|(m, p)| ((*m).to_owned(), (*p).to_owned())),
        )
        .collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routed but not documented (add #[utoipa::path] to the handler and list it in \
         src/http/openapi.rs): {undocumented:?}"
    );
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );
}

/// Covers: P11-10a-2
#[tokio::test]
async fn operations_document_their_authorization_parameters_and_errors() {
    let app = spawn_app().await;
    let doc = fetch_document(&app).await;
    let operations = operations(&doc);
    let mut operation_ids = HashSet::new();
    for endpoint in ENDPOINTS {
        // A route's `{tail:.*}` is documented as `{tail}`.
        let path = endpoint.documented_path();
        let key = (endpoint.method.to_owned(), path.clone());
        let Some(operation) = operations.get(&key) else {
            continue; // Reported by the test above.
        };
        let name = format!("{} {}", endpoint.method, path);
        let id = operation["operationId"].as_str().expect("operationId");
        assert!(
            operation_ids.insert(id.to_owned()),
            "{name}: operationId {id} twice"
        );
        assert!(
            operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{name}: no tag"
        );
        let description = operation["description"].as_str().unwrap_or_default();
        assert!(
            description.contains("Who may call"),
            "{name}: {description}"
        );
        let responses = operation["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|status| status.starts_with('2')),
            "{name}: no success response"
        );
        let security = operation["security"].as_array();
        match endpoint.action {
            Some(action) => {
                for status in ["401", "403"] {
                    assert!(responses.contains_key(status), "{name}: no {status}");
                }
                assert_eq!(
                    security,
                    Some(&vec![json!({ "bearer": [] })]),
                    "{name}: needs a token"
                );
                assert!(
                    description.contains(action.as_str()),
                    "{name}: {description}"
                );
            }
            None => assert!(
                security.is_none_or(Vec::is_empty),
                "{name} is open to anyone"
            ),
        }
        assert_path_parameters(&name, &path, operation);
    }
    // Where the idempotency middleware honours the header, and not where answers hold secrets.
    let has_key = |method: &str, path: &str| {
        operations[&(method.to_owned(), path.to_owned())]["parameters"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["name"] == "Idempotency-Key"))
    };
    assert!(has_key("POST", "/api/v1/batches"));
    assert!(!has_key("POST", "/api/v1/auth/login"));
    assert!(!has_key("GET", "/api/v1/batches"));
    let schemes = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(schemes["type"], "http");
    assert_eq!(schemes["scheme"], "bearer");
}

/// Each `{name}` of the path is a required path parameter, and there are no others.
fn assert_path_parameters(name: &str, path: &str, operation: &Value) {
    let in_path: BTreeSet<&str> = path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect();
    let parameters = operation["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let declared: Vec<&Value> = parameters.iter().filter(|p| p["in"] == "path").collect();
    let declared_names: BTreeSet<&str> =
        declared.iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(
        declared.len(),
        declared_names.len(),
        "{name}: a parameter twice"
    );
    assert_eq!(in_path, declared_names, "{name}: path parameters");
    assert!(declared.iter().all(|p| p["required"] == true), "{name}");
}

/// Covers: P11-10a-2
#[tokio::test]
async fn every_reference_resolves_and_every_schema_is_json_schema() {
    let app = spawn_app().await;
    let doc = fetch_document(&app).await;
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{reference} points outside the document"));
        assert!(
            doc.pointer(pointer).is_some(),
            "{reference} does not resolve"
        );
    }
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for (name, schema) in schemas {
        if let Err(error) = jsonschema::meta::validate(schema) {
            panic!("schema {name} is not valid JSON Schema: {error}");
        }
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("$ref", Value::String(reference)) => refs.push(reference.clone()),
                    _ => collect_refs(item, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

/// Checks a real answer against the document's schema of that name, resolving `$ref`s within
/// the document (OpenAPI 3.1 schemas are JSON Schema 2020-12).
fn assert_matches_schema(doc: &Value, schema: &str, answer: &Value) {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{schema}"),
        "components": doc["components"],
    });
    let validator = jsonschema::draft202012::new(&root).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(answer)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the answer does not match schema {schema}: {errors:#?}\n{answer:#}"
    );
}

/// The hand-written parts of the document (the problem, the batch record) say what the
/// server really answers.
/// Covers: P11-10a-2
#[tokio::test]
async fn real_answers_match_their_schemas() {
    let app = spawn_app().await;
    let doc = fetch_document(&app).await;

    let refused = app.get("/api/v1/users", None).await;
    assert_eq!(refused.status(), 401);
    let problem: Value = refused.json().await.expect("JSON");
    assert_matches_schema(&doc, "Problem", &problem);

    let me: Value = app
        .get("/api/v1/users/me", Some(&app.admin.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_matches_schema(&doc, "UserView", &me);

    let site = site(&app).await;
    let batch = create_batch(&app, &site.op1, None).await;
    assert_matches_schema(&doc, "BatchView", &batch);
    // A recorded and verified step, so that records, values and signatures are checked too.
    let number = batch["batch_number"].as_str().expect("batch number");
    let coi = batch["coi"].as_str().expect("coi");
    let step = "apheresis_receipt";
    let values = site.values(step);
    let recorded = record(&app, &site.op1, number, step, values, Some(coi)).await;
    assert_eq!(recorded.status(), 201);
    let verified = verify(&app, &site.op2, number, step).await;
    assert_eq!(verified.status(), 200);
    let view: Value = verified.json().await.expect("JSON");
    assert!(view["steps"][0]["records"][0]["signatures"]
        .as_array()
        .is_some_and(|s| s.len() == 2));
    assert_matches_schema(&doc, "BatchView", &view);
    let list: Value = app
        .get("/api/v1/batches", Some(&site.op1.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_matches_schema(&doc, "BatchList", &list);
}
