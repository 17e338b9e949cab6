//! famctx's one integration test binary, run against the real PostgreSQL
//! and the real Samba AD DC that `scripts/dev-env up` starts.

mod support;

mod audit_archive;
mod audit_review;
mod basis;
mod door;
mod family;
mod foundation;
mod guard;
mod hostile;
mod kerberos;
mod mdm;
mod permission;
mod person;
mod reliability;
mod restricted;
mod schema;
mod terminal;
