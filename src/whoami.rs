//! `famctx whoami`: the operator's AD identity, roles (with the group
//! nesting that grants them) and current data source grants.

use serde::Serialize;

use crate::cli::Format;
use crate::error::{code, Result};
use crate::guard::{self, Audit, CurrentGrant, HeldRole, Needs};
use crate::output::Table;
use crate::Context;

#[derive(Debug, Serialize)]
pub struct Identity {
    pub account: String,
    pub user_principal_name: Option<String>,
    pub display_name: Option<String>,
    pub object_guid: String,
    pub distinguished_name: String,
    pub roles: Vec<HeldRole>,
    pub grants: Vec<CurrentGrant>,
}

pub fn run(ctx: &Context) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let identity = guard::through(
        ctx,
        Needs::AnyRole,
        Audit::new("identity_viewed"),
        |_, session, audit| {
            let op = session.operator;
            audit.sources = op.grants.iter().map(|g| g.source.clone()).collect();
            Ok(Identity {
                account: op.account.sam.clone(),
                user_principal_name: op.account.upn.clone(),
                display_name: op.account.display_name.clone(),
                object_guid: op.account.guid.to_string(),
                distinguished_name: op.account.dn.clone(),
                roles: op.roles.clone(),
                grants: op.grants.clone(),
            })
        },
    )?;
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
