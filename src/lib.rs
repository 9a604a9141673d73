//! cartrec: a GMP electronic batch record for autologous CAR-T manufacturing, built on an
//! append-only, hash-chained ledger.

pub mod auth;
pub mod backup;
pub mod cli;
pub mod command;
pub mod config;
pub mod db;
pub mod domain;
pub mod edge;
pub mod error;
pub mod http;
pub mod keys;
pub mod ledger;
pub mod ledger_watch;
pub mod metrics;
pub mod printable;
pub mod private_files;
pub mod progress;
pub mod render_error;
pub mod retries;
pub mod runner;
pub mod services;
pub mod startup;
pub mod telemetry;
pub mod validation_report;
pub mod web;

#[cfg(test)]
mod layering_tests;
