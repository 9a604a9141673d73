//! The services: what each command does between a door (`http/`, `web/`, the CLI) and the
//! ledger. Each loads what its rule needs, asks `domain/` to decide, and appends what it
//! decides through `ledger/`, updating the projections in the same transaction; the read side
//! (`projections`, the batch views) is here too. Nothing here knows HTTP or HTML.

pub mod accounts;
pub mod approvals;
pub mod attachments;
pub mod batches;
pub mod checkpointing;
pub mod incidents;
pub mod materials;
pub mod paging;
pub mod projections;
pub mod recall;
pub mod signatures;
pub mod template_versions;
pub mod templates;
