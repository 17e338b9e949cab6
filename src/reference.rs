//! The reference Family Context API's documents (`Person`, `PersonWithRelationship`,
//! `ServiceSummary`, `ServiceDetail`) with famctx's additions, as the database builds them
//! (fc.family_document, fc_api.person_search) and the nouns read them for tables.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// famctx's structured address: an addition to the reference's `Person.address`
/// (one string).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressDetail {
    pub line: Option<String>,
    pub postcode: Option<String>,
    pub uprn: Option<i64>,
}

/// The reference API's `Person` (plus age and the structured address) or,
/// with a relationship, `PersonWithRelationship`; each with the services
/// shown for them. A key whose value is unknown is left out of the document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    pub cms_id: Option<String>,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// male, female or other (the reference's values); absent when unknown.
    pub gender: Option<String>,
    /// The reference's address: one string.
    pub address: Option<String>,
    pub age: Option<i32>,
    pub address_detail: Option<AddressDetail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship_to_id: Option<String>,
    #[serde(default)]
    pub services: Vec<Service>,
    /// famctx addition: the person is restricted (absent when not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted: Option<bool>,
    /// famctx addition, with `restricted`: `withheld` (a stub: for the subject the id; for a
    /// family member an id of the document's own, `restricted:<n>`, and the relationship;
    /// nothing else), `grant` or `break_glass` (shown, and how).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_access: Option<String>,
    /// famctx addition to a stub: what the operator can do to see the person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

impl Person {
    /// A restricted person whose details are withheld from the caller: a stub.
    pub fn withheld(&self) -> bool {
        self.restricted_access.as_deref() == Some("withheld")
    }

    /// A restricted person shown because the caller broke the glass.
    pub fn by_break_glass(&self) -> bool {
        self.restricted_access.as_deref() == Some("break_glass")
    }
}

/// One data source for one person: shown (with the reference API's
/// `ServiceDetail`), restricted (no grant) or withheld by the age rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub data_source: String,
    pub status: String,
    pub explanation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<ServiceDetail>,
}

/// The reference's `ServiceDetail`: `data` is the current record as the
/// source's reference object (`{}` when none), `schema` its JSON Schema;
/// `history` (an addition) the person's other records, latest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceDetail {
    pub summary: ServiceSummary,
    #[serde(default)]
    pub schema: Value,
    #[serde(default)]
    pub data: Value,
    #[serde(default)]
    pub history: Vec<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSummary {
    pub id: String,
    pub title: String,
    pub last_synchronised: Option<DateTime<Utc>>,
    pub coverage_start_date: Option<NaiveDate>,
    pub coverage_end_date: Option<NaiveDate>,
    pub data_source: String,
    pub records_available: bool,
    pub coverage_explanation: String,
}
