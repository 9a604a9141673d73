//! API tests: the real server, over HTTP, against a real database of either backend.

mod accounts;
mod append_only;
mod approval;
mod auth;
mod authorization;
mod batch_support;
mod batches;
mod cli;
mod conformance;
mod health;
mod helpers;
mod idempotency;
mod instances;
mod ledger_api;
mod ledger_integrity;
mod lockout;
mod materials;
mod migrations;
mod openapi;
mod passwords;
mod projections;
mod protocol;
mod runtime_role;
mod sessions;
mod signatures;
