//! cartrec: a GMP electronic batch record for autologous CAR-T manufacturing, built on an
//! append-only, hash-chained ledger.

pub mod accounts;
pub mod approvals;
pub mod attachments;
pub mod auth;
pub mod backup;
pub mod batches;
pub mod checkpointing;
pub mod cli;
pub mod command;
pub mod config;
pub mod db;
pub mod domain;
pub mod edge;
pub mod error;
pub mod http;
pub mod idempotency;
pub mod incidents;
pub mod keys;
pub mod ledger;
pub mod ledger_watch;
pub mod materials;
pub mod metrics;
pub mod printable;
pub mod private_files;
pub mod progress;
pub mod projections;
pub mod recall;
pub mod render_error;
pub mod runner;
pub mod signatures;
pub mod startup;
pub mod telemetry;
pub mod template_versions;
pub mod templates;
pub mod validation;
pub mod web;

#[cfg(test)]
mod layering_tests;
