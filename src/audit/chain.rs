//! The hash chain: verifying it, and printing its head as a checkpoint.

use super::*;

/// The head of the chain at one moment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: i64,
    pub hash: String,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct Verification {
    pub rows_checked: i64,
    pub intact: bool,
    pub first_broken_row: Option<i64>,
    pub problem: Option<String>,
    pub head: Option<Checkpoint>,
    pub checkpoint_checked: Option<i64>,
}

pub(crate) fn verify_command(ctx: &Context, checkpoint: Option<&PathBuf>) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let saved = checkpoint.map(read_checkpoint).transpose()?;
    let audit = Audit::new("audit_verified").detail("checkpoint", &saved);
    let report = guard::through(ctx, Needs::Role(Role::Auditor), audit, |tx, _, audit| {
        let report = verify(tx, saved.as_ref())?;
        audit.set_detail("rows_checked", report.rows_checked);
        audit.set_detail("intact", report.intact);
        audit.set_detail("first_broken_row", report.first_broken_row);
        Ok(report)
    })?;
    let shown = if out.format == Format::Json {
        out.json(&report)
    } else {
        let mut t = Table::new(["rows checked", "result", "first broken row", "problem"]);
        t.row([
            report.rows_checked.to_string(),
            if report.intact { "intact" } else { "BROKEN" }.to_string(),
            report
                .first_broken_row
                .map(|i| i.to_string())
                .unwrap_or_default(),
            report.problem.clone().unwrap_or_default(),
        ]);
        out.table(&t)
    };
    crate::output::reader_gone_ok(shown)?;
    if report.intact {
        Ok(code::SUCCESS)
    } else {
        Err(Error::Audit(format!(
            "the audit trail does not verify: row {}: {}",
            report.first_broken_row.unwrap_or(0),
            report.problem.unwrap_or_default()
        )))
    }
}

pub(crate) fn checkpoint_command(ctx: &Context) -> Result<u8> {
    let mut out = ctx.output();
    out.expect(&[Format::Table, Format::Json])?;
    let head = guard::through(
        ctx,
        Needs::Role(Role::Auditor),
        Audit::new("audit_checkpointed"),
        |tx, _, audit| {
            let row = tx.query_opt(
                "SELECT id, row_hash, occurred_at FROM fc.audit_log ORDER BY id DESC LIMIT 1",
                &[],
            )?;
            let head = row.map(|r| Checkpoint {
                id: r.get(0),
                hash: hex::encode(r.get::<_, Vec<u8>>(1)),
                occurred_at: r.get(2),
            });
            audit.set_detail("head", &head);
            Ok(head)
        },
    )?;
    let head = head.ok_or_else(|| Error::NotFound("the audit trail is empty".into()))?;
    if out.format == Format::Json {
        out.json(&head)?;
    } else {
        let mut t = Table::new(["id", "hash", "occurred at"]);
        t.row([
            head.id.to_string(),
            head.hash.clone(),
            head.occurred_at.to_rfc3339(),
        ]);
        out.table(&t)?;
    }
    Ok(code::SUCCESS)
}

pub(crate) fn read_checkpoint(path: &PathBuf) -> Result<Checkpoint> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("cannot read checkpoint {}: {e}", path.display())))?;
    let cp: Checkpoint = serde_json::from_str(&text).map_err(|e| {
        Error::Usage(format!(
            "checkpoint {} is not a checkpoint written by `famctx audit checkpoint -o json`: {e}",
            path.display()
        ))
    })?;
    if cp.id < 1 || hex::decode(&cp.hash).map(|h| h.len()) != Ok(32) {
        return Err(Error::Usage(format!(
            "checkpoint {} has a bad id or hash",
            path.display()
        )));
    }
    Ok(cp)
}

/// Streams the whole trail in id order and recomputes every hash.
pub fn verify(tx: &mut Transaction, saved: Option<&Checkpoint>) -> Result<Verification> {
    let rows = tx.query_raw(
        "SELECT id, occurred_at, \
                (extract(epoch FROM occurred_at) * 1000000)::bigint::text, actor_guid::text, actor_account, \
                channel, client_host, action, outcome, subject_person::text, \
                array_to_string(persons_disclosed, ','), array_to_string(sources_disclosed, ','), \
                target_user, target_guid::text, reason, details::text, prev_hash, row_hash \
         FROM fc.audit_log ORDER BY id",
        std::iter::empty::<i32>(),
    )?;
    let mut rows = rows;
    let mut report = Verification {
        rows_checked: 0,
        intact: true,
        first_broken_row: None,
        problem: None,
        head: None,
        checkpoint_checked: None,
    };
    let mut prev = vec![0u8; 32];
    let mut expected = 1i64;
    let broken = |report: &mut Verification, id: i64, problem: String| {
        report.intact = false;
        report.first_broken_row = Some(id);
        report.problem = Some(problem);
    };
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0);
        let stored_prev: Vec<u8> = row.get(16);
        let stored: Vec<u8> = row.get(17);
        if id != expected {
            broken(
                &mut report,
                expected,
                format!("row {expected} is missing (the next row is {id}): rows were deleted"),
            );
            return Ok(report);
        }
        if stored_prev != prev {
            broken(
                &mut report,
                id,
                format!(
                    "its previous-hash does not match row {}: the chain was cut or reordered",
                    id - 1
                ),
            );
            return Ok(report);
        }
        let fields: Vec<Option<String>> = (2..16).map(|i| row.get(i)).collect();
        let computed = row_hash(&prev, &id.to_string(), &fields);
        if computed != stored {
            broken(
                &mut report,
                id,
                "its content does not match its hash: the row was changed after it was written"
                    .into(),
            );
            return Ok(report);
        }
        if let Some(cp) = saved.filter(|cp| cp.id == id) {
            if hex::encode(&stored) != cp.hash.to_ascii_lowercase() {
                broken(&mut report, id, "its hash differs from the checkpoint: the chain was rewritten since the checkpoint".into());
                return Ok(report);
            }
            report.checkpoint_checked = Some(id);
        }
        report.head = Some(Checkpoint {
            id,
            hash: hex::encode(&stored),
            occurred_at: row.get(1),
        });
        report.rows_checked += 1;
        prev = stored;
        expected += 1;
    }
    if let Some(cp) = saved.filter(|cp| report.checkpoint_checked != Some(cp.id)) {
        broken(
            &mut report,
            cp.id,
            "the checkpoint's row is missing: the trail was truncated since the checkpoint".into(),
        );
    }
    Ok(report)
}

/// sha256(previous hash || canonical bytes), the canonical bytes being each
/// field as `<octet length>:<text>` or `-` for NULL, one a line; the same
/// definition as `fc.audit_canonical` in sql/migrations/V3__audit.sql.
pub fn row_hash(prev: &[u8], id: &str, fields: &[Option<String>]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(prev);
    for f in std::iter::once(Some(id)).chain(fields.iter().map(|f| f.as_deref())) {
        match f {
            None => h.update(b"-"),
            Some(v) => {
                h.update(v.len().to_string().as_bytes());
                h.update(b":");
                h.update(v.as_bytes());
            }
        }
        h.update(b"\n");
    }
    h.finalize().to_vec()
}
