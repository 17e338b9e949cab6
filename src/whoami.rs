//! `famctx whoami`: the operator's AD identity, roles (with the group
//! nesting that grants them) and current data source grants.

use clap::Args;
use serde::Serialize;
use serde_json::json;

use crate::action::Action;
use crate::context::Context;
use crate::error::{code, Result};
use crate::guard::{Basis, CurrentGrant, Door, HeldRole, Needs};
use crate::output::Format;
use crate::output::Table;

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    #[command(flatten)]
    pub basis: Basis,
}

#[derive(Debug, Serialize)]
pub struct Identity {
    pub account: String,
    pub user_principal_name: Option<String>,
    pub display_name: Option<String>,
    pub object_guid: String,
    pub distinguished_name: String,
    /// The PostgreSQL role the operator signed in as.
    pub database_role: Option<String>,
    pub roles: Vec<HeldRole>,
    pub grants: Vec<CurrentGrant>,
}

pub fn run(ctx: &Context, args: &WhoamiArgs) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let basis = args.basis.declared(false)?;
    let mut door = Door::open_declared(
        ctx,
        Needs::AnyRole,
        Action::IdentityViewed,
        None,
        None,
        basis.as_deref(),
    )?;
    // The grants as the database sees them, for the role the database signed in.
    let document = door.call("whoami", json!({}))?;
    let grants: Vec<CurrentGrant> =
        crate::guard::read_answer("whoami", document["grants"].clone())?;
    let op = door.operator();
    let identity = Identity {
        account: op.account.sam.clone(),
        user_principal_name: op.account.upn.clone(),
        display_name: op.account.display_name.clone(),
        object_guid: op.account.guid.to_string(),
        distinguished_name: op.account.dn.clone(),
        database_role: document["db_role"].as_str().map(str::to_string),
        roles: op.roles.clone(),
        grants,
    };
    if out.format == Format::Json {
        out.json(&identity)?;
        return Ok(code::SUCCESS);
    }
    let mut who = Table::new(["account", "name", "objectGUID"]);
    who.row([
        identity.account.clone(),
        identity.display_name.clone().unwrap_or_default(),
        identity.object_guid.clone(),
    ]);
    out.table(&who)?;
    let mut roles = Table::new(["role", "granted by group", "through"]);
    for r in &identity.roles {
        roles.row([
            r.role.name().to_string(),
            r.group.clone(),
            r.via.join(" -> "),
        ]);
    }
    out.table(&roles)?;
    let mut grants = Table::new(["data source", "granted", "expires"]);
    for g in &identity.grants {
        grants.row([
            g.source.clone(),
            g.granted_at.format("%Y-%m-%d %H:%M").to_string(),
            g.expires_at
                .map(|e| e.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|| "never".into()),
        ]);
    }
    if grants.is_empty() {
        eprintln!("famctx: no data source grants: every source will show as restricted");
    } else {
        out.table(&grants)?;
    }
    Ok(code::SUCCESS)
}
