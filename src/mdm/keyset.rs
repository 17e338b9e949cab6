//! The entities a load delivers, and the key-set comparison: per range of
//! the key space, a row count and the bit_xor of a 64-bit hash of each key,
//! computed in both databases by the same SQL (in the warehouse by famctx, as
//! the operator; in family context by `fc_api.mdm_side`); ranges that differ
//! are split and compared again until they are small enough to list. Only the
//! warehouse's keys of differing ranges are fetched; family context compares
//! them with its own and returns counts, keeping the first keys it finds for
//! the audited disclosure at the end (`fc_api.mdm_validate_finish`).

use postgres::types::ToSql;
use postgres::{Client, GenericClient};
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::guard::Door;

/// Buckets of the first comparison of a whole table.
const FIRST_PARTS: i64 = 4096;
/// Parts a differing range is split into.
const SPLIT_PARTS: i64 = 64;
/// A differing range with at most this many rows (both sides) is listed.
const LEAF_ROWS: i64 = 2048;
/// At most this many keys are listed an entity; beyond, the numbers of
/// missing and extra keys are lower bounds.
const FETCH_BUDGET: i64 = 200_000;
/// Keys named in a sample.
pub const SAMPLE: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Person,
    Relationship,
    Record,
}

/// One entity of a load: its table (the same name in both schemas), its
/// name in fc.load_manifest and mdm.load_run, and its data source.
#[derive(Debug)]
pub struct Entity {
    pub name: &'static str,
    pub source: Option<&'static str>,
    pub kind: Kind,
}

pub const ENTITIES: &[Entity] = &[
    Entity {
        name: "person",
        source: None,
        kind: Kind::Person,
    },
    Entity {
        name: "relationship",
        source: None,
        kind: Kind::Relationship,
    },
    record("school_record", "school"),
    record("childrens_social_care_record", "childrens_social_care"),
    record("adult_social_care_record", "adult_social_care"),
    record("housing_record", "housing"),
    record("police_record", "police"),
];

const fn record(name: &'static str, source: &'static str) -> Entity {
    Entity {
        name,
        source: Some(source),
        kind: Kind::Record,
    }
}

impl Entity {
    /// The warehouse table; names come from the fixed list above.
    pub fn table(&self) -> String {
        format!("mdm.{}", self.name)
    }

    /// The warehouse column whose ranges are compared (family context's
    /// `fc.person.id` is the warehouse's `mdm.person.person_id`).
    fn range_column(&self) -> &'static str {
        match self.kind {
            Kind::Person | Kind::Relationship => "person_id",
            Kind::Record => "id",
        }
    }

    /// The key's columns, as selected from alias t, in key order.
    fn key_columns(&self) -> String {
        match self.kind {
            Kind::Relationship => {
                "t.person_id, t.related_person_id, t.relationship_type COLLATE \"C\"".into()
            }
            _ => format!("t.{}", self.range_column()),
        }
    }

    /// A 64-bit hash of the key, the same as `fc.mdm_entity` computes in family context.
    fn key_hash(&self) -> String {
        match self.kind {
            Kind::Relationship => {
                "hashint8extended(t.person_id, hashint8extended(t.related_person_id, \
                 hashtextextended(t.relationship_type, 0)))"
                    .into()
            }
            _ => format!("hashint8extended(t.{}, 0)", self.range_column()),
        }
    }

    pub fn key_json(&self, key: &Key) -> Value {
        match (self.kind, key) {
            (Kind::Person, Key::Id(n)) => json!(format!("fc:{n}")),
            (_, Key::Id(n)) => json!(n),
            (_, Key::Rel(p, r, t)) => json!({
                "person": format!("fc:{p}"),
                "related_person": format!("fc:{r}"),
                "relationship_type": t,
            }),
        }
    }

    pub fn key_text(&self, key: &Key) -> String {
        match (self.kind, key) {
            (Kind::Person, Key::Id(n)) => format!("fc:{n}"),
            (_, Key::Id(n)) => n.to_string(),
            (_, Key::Rel(p, r, t)) => format!("fc:{p} {t} of fc:{r}"),
        }
    }
}

/// A key: a number, or a relationship's (person, related person, type).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    Id(i64),
    Rel(i64, i64, String),
}

impl Key {
    /// As `fc_api.mdm_validate_finish` takes and gives keys: a number, or
    /// `[person, related person, type]`.
    pub fn to_wire(&self) -> Value {
        match self {
            Key::Id(n) => json!(n),
            Key::Rel(p, r, t) => json!([p, r, t]),
        }
    }

    pub fn from_wire(v: &Value) -> Option<Key> {
        match v {
            Value::Number(n) => n.as_i64().map(Key::Id),
            Value::Array(a) => match a.as_slice() {
                [p, r, t] => Some(Key::Rel(p.as_i64()?, r.as_i64()?, t.as_str()?.to_string())),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Row count and bit_xor of the key hashes of one range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Sum {
    rows: i64,
    xor: i64,
}

/// An inclusive range of the key column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    lo: i64,
    last: i64,
}

impl Span {
    fn len(self) -> i128 {
        i128::from(self.last) - i128::from(self.lo) + 1
    }

    /// Splits into at most `parts` equal parts: (width, number of parts).
    fn partition(self, parts: i64) -> Result<(i64, i64)> {
        let len = self.len();
        let parts = i128::from(parts).min(len).max(1);
        let width = (len + parts - 1) / parts;
        let width = i64::try_from(width)
            .map_err(|_| Error::Other("key range too wide to compare".into()))?;
        let n = (len + i128::from(width) - 1) / i128::from(width);
        Ok((width, n as i64))
    }

    fn part(self, width: i64, p: i64) -> Span {
        let lo = i128::from(self.lo) + i128::from(p) * i128::from(width);
        let last = (lo + i128::from(width) - 1).min(i128::from(self.last));
        Span {
            lo: lo as i64,
            last: last as i64,
        }
    }
}

/// What the comparison of one entity's key sets found.
#[derive(Debug, Clone, Default)]
pub struct KeyDiff {
    pub mdm_rows: i64,
    pub fc_rows: i64,
    /// Keys in the warehouse and not in family context.
    pub missing: i64,
    /// Keys in family context and not in the warehouse.
    pub extra: i64,
    /// False when there were too many differences to list them all: then
    /// `missing` and `extra` are lower bounds.
    pub exact: bool,
    /// Until the end of the validation, the first keys of the ranges only the
    /// warehouse holds keys in (family context has the rest); then the sample
    /// `fc_api.mdm_validate_finish` disclosed.
    pub missing_sample: Vec<Key>,
    pub extra_sample: Vec<Key>,
    pub buckets: i64,
    pub differing_buckets: i64,
    pub rounds: u32,
    pub keys_listed: i64,
}

/// The family context side of an open validation: `fc_api.mdm_side`, through the door.
pub struct FcSide<'a> {
    door: &'a mut Door,
    session: String,
}

impl<'a> FcSide<'a> {
    pub fn new(door: &'a mut Door, session: String) -> FcSide<'a> {
        FcSide { door, session }
    }

    pub fn door(&mut self) -> &mut Door {
        self.door
    }

    pub fn session(&self) -> &str {
        &self.session
    }

    /// One question about family context's side: figures only.
    pub fn ask(&mut self, what: &str, mut args: Value) -> Result<Value> {
        if !args.is_object() {
            args = json!({});
        }
        args["session"] = json!(self.session);
        args["what"] = json!(what);
        self.door.call("mdm_side", args)
    }

    /// The range to compare: the warehouse's bounds widened to family context's.
    fn bounds(&mut self, entity: &Entity, mdm: Option<Span>) -> Result<Option<Span>> {
        let r = self.ask(
            "bounds",
            json!({
                "entity": entity.name,
                "mdm_lo": mdm.map(|s| s.lo),
                "mdm_last": mdm.map(|s| s.last),
            }),
        )?;
        Ok(match (r["lo"].as_i64(), r["last"].as_i64()) {
            (Some(lo), Some(last)) => Some(Span { lo, last }),
            _ => None,
        })
    }

    fn first_sums(
        &mut self,
        entity: &Entity,
        whole: Span,
        width: i64,
    ) -> Result<Vec<((usize, i64), Sum)>> {
        let r = self.ask(
            "first",
            json!({ "entity": entity.name, "lo": whole.lo, "last": whole.last, "width": width }),
        )?;
        sums_of(&r["sums"], |a| match a {
            [p, n, x] => Some(((0, p.as_i64()?), sum(n, x)?)),
            _ => None,
        })
    }

    fn split_sums(
        &mut self,
        entity: &Entity,
        ranges: &[(Span, i64)],
    ) -> Result<Vec<((usize, i64), Sum)>> {
        let r = self.ask(
            "split",
            json!({
                "entity": entity.name,
                "lo": ranges.iter().map(|(s, _)| s.lo).collect::<Vec<_>>(),
                "last": ranges.iter().map(|(s, _)| s.last).collect::<Vec<_>>(),
                "width": ranges.iter().map(|(_, w)| *w).collect::<Vec<_>>(),
            }),
        )?;
        sums_of(&r["sums"], |a| match a {
            [i, p, n, x] => Some((
                (usize::try_from(i.as_i64()? - 1).ok()?, p.as_i64()?),
                sum(n, x)?,
            )),
            _ => None,
        })
    }

    /// The warehouse's keys of some ranges against family context's: the
    /// numbers missing from and extra in family context.
    fn leaves(&mut self, entity: &Entity, spans: &[Span], keys: &[Key]) -> Result<(i64, i64)> {
        let wire = match entity.kind {
            Kind::Relationship => {
                let (mut person, mut related, mut kind) = (Vec::new(), Vec::new(), Vec::new());
                for k in keys {
                    if let Key::Rel(p, r, t) = k {
                        person.push(*p);
                        related.push(*r);
                        kind.push(t.as_str());
                    }
                }
                json!({ "person": person, "related": related, "type": kind })
            }
            _ => json!(keys
                .iter()
                .filter_map(|k| match k {
                    Key::Id(n) => Some(*n),
                    Key::Rel(..) => None,
                })
                .collect::<Vec<_>>()),
        };
        let r = self.ask(
            "leaves",
            json!({
                "entity": entity.name,
                "lo": spans.iter().map(|s| s.lo).collect::<Vec<_>>(),
                "last": spans.iter().map(|s| s.last).collect::<Vec<_>>(),
                "keys": wire,
            }),
        )?;
        match (r["missing"].as_i64(), r["extra"].as_i64()) {
            (Some(m), Some(e)) => Ok((m, e)),
            _ => Err(malformed()),
        }
    }

    /// Ranges only family context holds keys in: it keeps their first keys.
    fn sample(&mut self, entity: &Entity, spans: &[Span]) -> Result<()> {
        if spans.is_empty() {
            return Ok(());
        }
        self.ask(
            "sample",
            json!({
                "entity": entity.name,
                "lo": spans.iter().map(|s| s.lo).collect::<Vec<_>>(),
                "last": spans.iter().map(|s| s.last).collect::<Vec<_>>(),
            }),
        )?;
        Ok(())
    }
}

fn malformed() -> Error {
    Error::Other("fc_api.mdm_side answered with a malformed document".into())
}

fn sum(n: &Value, x: &Value) -> Option<Sum> {
    Some(Sum {
        rows: n.as_i64()?,
        xor: x.as_i64()?,
    })
}

fn sums_of(
    v: &Value,
    each: impl Fn(&[Value]) -> Option<((usize, i64), Sum)>,
) -> Result<Vec<((usize, i64), Sum)>> {
    v.as_array()
        .ok_or_else(malformed)?
        .iter()
        .map(|row| row.as_array().and_then(|a| each(a)).ok_or_else(malformed))
        .collect()
}

/// Runs the warehouse half on its own thread (its own connection) while
/// the family context half goes through the door on this one.
pub fn both<A: Send, B>(
    mdm: &mut Client,
    fc: &mut FcSide,
    on_mdm: impl FnOnce(&mut Client) -> Result<A> + Send,
    on_fc: impl FnOnce(&mut FcSide) -> Result<B>,
) -> Result<(A, B)> {
    std::thread::scope(|s| {
        let handle = s.spawn(move || on_mdm(mdm));
        let b = on_fc(fc);
        let a = handle
            .join()
            .map_err(|_| Error::Other("the warehouse query thread failed".into()))?;
        Ok((a.map_err(super::warehouse_error)?, b?))
    })
}

/// Compares the key sets of one entity in the two databases. The missing
/// sample holds, until the end, the warehouse's keys of ranges only it holds.
pub fn compare(mdm: &mut Client, fc: &mut FcSide, entity: &Entity) -> Result<KeyDiff> {
    let bm = bounds(mdm, entity).map_err(super::warehouse_error)?;
    let mut diff = KeyDiff {
        exact: true,
        ..KeyDiff::default()
    };
    let Some(whole) = fc.bounds(entity, bm)? else {
        return Ok(diff);
    };
    let (width, parts) = whole.partition(FIRST_PARTS)?;
    let (sm, sf) = both(
        mdm,
        fc,
        |c| first_sums(c, entity, whole, width),
        |f| f.first_sums(entity, whole, width),
    )?;
    diff.mdm_rows = sm.iter().map(|(_, s)| s.rows).sum();
    diff.fc_rows = sf.iter().map(|(_, s)| s.rows).sum();
    diff.buckets = parts;
    let mut pending = differing(&[(whole, width)], sm, sf);
    diff.differing_buckets = pending.len() as i64;
    let mut narrowing = Narrowing::default();
    while !pending.is_empty() {
        diff.rounds += 1;
        pending = narrowing.round(mdm, fc, entity, pending, &mut diff)?;
    }
    narrowing.finish(mdm, fc, entity, &mut diff)?;
    Ok(diff)
}

type Differing = Vec<(Span, Sum, Sum)>;

/// Ranges with every key on one side only, kept for the samples.
#[derive(Default)]
struct Narrowing {
    only_mdm: Vec<Span>,
    only_fc: Vec<Span>,
}

impl Narrowing {
    /// Settles what can be settled and returns the differing parts of the
    /// ranges that had to be split.
    fn round(
        &mut self,
        mdm: &mut Client,
        fc: &mut FcSide,
        entity: &Entity,
        pending: Differing,
        diff: &mut KeyDiff,
    ) -> Result<Differing> {
        let mut leaves = Vec::new();
        let mut splits = Vec::new();
        for (span, m, f) in pending {
            if f.rows == 0 {
                diff.missing += m.rows;
                self.only_mdm.push(span);
            } else if m.rows == 0 {
                diff.extra += f.rows;
                self.only_fc.push(span);
            } else if diff.keys_listed >= FETCH_BUDGET {
                unresolved(diff, m, f);
            } else if m.rows + f.rows <= LEAF_ROWS || span.len() == 1 {
                if diff.keys_listed + m.rows + f.rows <= FETCH_BUDGET {
                    diff.keys_listed += m.rows + f.rows;
                    leaves.push(span);
                } else {
                    unresolved(diff, m, f);
                }
            } else {
                splits.push(span);
            }
        }
        if !leaves.is_empty() {
            let km = keys_in(mdm, entity, &leaves, None).map_err(super::warehouse_error)?;
            let (gone, new) = fc.leaves(entity, &leaves, &km)?;
            diff.missing += gone;
            diff.extra += new;
        }
        if splits.is_empty() {
            return Ok(Vec::new());
        }
        let mut ranges = Vec::with_capacity(splits.len());
        for span in splits {
            let (width, _) = span.partition(SPLIT_PARTS)?;
            ranges.push((span, width));
        }
        let (sm, sf) = both(
            mdm,
            fc,
            |c| split_sums(c, entity, &ranges),
            |f| f.split_sums(entity, &ranges),
        )?;
        Ok(differing(&ranges, sm, sf))
    }

    /// Samples of the ranges held by one side only: the warehouse's first
    /// keys here, family context's kept by it for the end.
    fn finish(
        self,
        mdm: &mut Client,
        fc: &mut FcSide,
        entity: &Entity,
        diff: &mut KeyDiff,
    ) -> Result<()> {
        let (only_mdm, only_fc) = (self.only_mdm, self.only_fc);
        let (sm, ()) = both(
            mdm,
            fc,
            |c| keys_in(c, entity, &only_mdm, Some(SAMPLE as i64)),
            |f| f.sample(entity, &only_fc),
        )?;
        diff.missing_sample = sm;
        diff.extra_sample = Vec::new();
        Ok(())
    }
}

fn unresolved(diff: &mut KeyDiff, m: Sum, f: Sum) {
    diff.exact = false;
    diff.missing += (m.rows - f.rows).max(0);
    diff.extra += (f.rows - m.rows).max(0);
}

/// The parts whose count or checksum differ, with both sides' sums.
fn differing(
    ranges: &[(Span, i64)],
    mdm: Vec<((usize, i64), Sum)>,
    fc: Vec<((usize, i64), Sum)>,
) -> Differing {
    let mut all: std::collections::BTreeMap<(usize, i64), (Sum, Sum)> = Default::default();
    for (k, s) in mdm {
        all.entry(k).or_default().0 = s;
    }
    for (k, s) in fc {
        all.entry(k).or_default().1 = s;
    }
    all.into_iter()
        .filter(|(_, (m, f))| m != f)
        .filter_map(|((i, p), (m, f))| {
            let (span, width) = ranges.get(i)?;
            Some((span.part(*width, p), m, f))
        })
        .collect()
}

// --- the warehouse half -----------------------------------------------------------------------

fn bounds(c: &mut impl GenericClient, entity: &Entity) -> Result<Option<Span>> {
    let col = entity.range_column();
    let sql = format!(
        "SELECT min(t.{col}), max(t.{col}) FROM {} t",
        entity.table()
    );
    let row = c.query_one(sql.as_str(), &[])?;
    Ok(
        match (row.get::<_, Option<i64>>(0), row.get::<_, Option<i64>>(1)) {
            (Some(lo), Some(last)) => Some(Span { lo, last }),
            _ => None,
        },
    )
}

/// The first comparison: the whole table, in buckets of `width` keys.
fn first_sums(
    c: &mut impl GenericClient,
    entity: &Entity,
    whole: Span,
    width: i64,
) -> Result<Vec<((usize, i64), Sum)>> {
    let col = entity.range_column();
    let sql = format!(
        "SELECT (t.{col} - $1) / $2, count(*), bit_xor({hash}) FROM {table} t \
         WHERE t.{col} BETWEEN $1 AND $3 GROUP BY 1",
        hash = entity.key_hash(),
        table = entity.table(),
    );
    let rows = c.query(sql.as_str(), &[&whole.lo, &width, &whole.last])?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                (0, r.get::<_, i64>(0)),
                Sum {
                    rows: r.get(1),
                    xor: r.get::<_, Option<i64>>(2).unwrap_or(0),
                },
            )
        })
        .collect())
}

/// Each range split into parts of its width: sums a (range, part).
fn split_sums(
    c: &mut impl GenericClient,
    entity: &Entity,
    ranges: &[(Span, i64)],
) -> Result<Vec<((usize, i64), Sum)>> {
    let col = entity.range_column();
    let sql = format!(
        "SELECT r.i, (t.{col} - r.lo) / r.width, count(*), bit_xor({hash}) \
         FROM unnest($1::int8[], $2::int8[], $3::int8[]) WITH ORDINALITY AS r (lo, last, width, i) \
         JOIN {table} t ON t.{col} BETWEEN r.lo AND r.last GROUP BY 1, 2",
        hash = entity.key_hash(),
        table = entity.table(),
    );
    let lo: Vec<i64> = ranges.iter().map(|(s, _)| s.lo).collect();
    let last: Vec<i64> = ranges.iter().map(|(s, _)| s.last).collect();
    let width: Vec<i64> = ranges.iter().map(|(_, w)| *w).collect();
    let rows = c.query(sql.as_str(), &[&lo, &last, &width])?;
    Ok(rows
        .iter()
        .map(|r| {
            let i: i64 = r.get(0);
            (
                ((i - 1) as usize, r.get::<_, i64>(1)),
                Sum {
                    rows: r.get(2),
                    xor: r.get::<_, Option<i64>>(3).unwrap_or(0),
                },
            )
        })
        .collect())
}

/// The keys in the given ranges; with a limit, the first ones in key order.
fn keys_in(
    c: &mut impl GenericClient,
    entity: &Entity,
    spans: &[Span],
    limit: Option<i64>,
) -> Result<Vec<Key>> {
    if spans.is_empty() {
        return Ok(Vec::new());
    }
    let col = entity.range_column();
    let mut sql = format!(
        "SELECT {keys} FROM unnest($1::int8[], $2::int8[]) AS r (lo, last) \
         JOIN {table} t ON t.{col} BETWEEN r.lo AND r.last",
        keys = entity.key_columns(),
        table = entity.table(),
    );
    let lo: Vec<i64> = spans.iter().map(|s| s.lo).collect();
    let last: Vec<i64> = spans.iter().map(|s| s.last).collect();
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&lo, &last];
    if let Some(n) = limit.as_ref() {
        sql.push_str(match entity.kind {
            Kind::Relationship => " ORDER BY 1, 2, 3 LIMIT $3",
            _ => " ORDER BY 1 LIMIT $3",
        });
        params.push(n);
    }
    let rows = c.query(sql.as_str(), &params)?;
    Ok(rows
        .iter()
        .map(|r| match entity.kind {
            Kind::Relationship => Key::Rel(r.get(0), r.get(1), r.get(2)),
            _ => Key::Id(r.get(0)),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_partition_without_gaps_or_overlap() {
        for (lo, last, parts) in [
            (1, 1000, 4096),
            (1, 1_000_000, 4096),
            (7, 7, 64),
            (-5, 5, 3),
            (1, i64::MAX, 64),
            (i64::MIN, i64::MAX, 4096),
        ] {
            let span = Span { lo, last };
            let (width, n) = span.partition(parts).unwrap();
            assert!(n <= parts && n >= 1, "{span:?}: {n} parts");
            assert_eq!(span.part(width, 0).lo, lo);
            assert_eq!(span.part(width, n - 1).last, last);
            for p in 1..n.min(100) {
                assert_eq!(
                    i128::from(span.part(width, p - 1).last) + 1,
                    i128::from(span.part(width, p).lo)
                );
            }
        }
    }

    #[test]
    fn keys_cross_the_door_and_back() {
        for key in [Key::Id(42), Key::Rel(1, 2, "parent".into())] {
            assert_eq!(Key::from_wire(&key.to_wire()), Some(key));
        }
        assert_eq!(Key::from_wire(&json!("fc:1")), None);
        assert_eq!(Key::from_wire(&json!([1, 2])), None);
    }

    #[test]
    fn only_differing_parts_are_kept() {
        let whole = Span { lo: 1, last: 100 };
        let s = |rows, xor| Sum { rows, xor };
        let diff = differing(
            &[(whole, 10)],
            vec![((0, 0), s(10, 5)), ((0, 3), s(10, 7)), ((0, 9), s(1, 1))],
            vec![((0, 0), s(10, 5)), ((0, 3), s(10, 8)), ((0, 5), s(2, 2))],
        );
        let spans: Vec<(i64, i64)> = diff.iter().map(|(s, _, _)| (s.lo, s.last)).collect();
        assert_eq!(spans, vec![(31, 40), (51, 60), (91, 100)]);
    }
}
