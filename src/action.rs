//! The audit actions: the IG taxonomy of the Family Context usage guidance (searched, viewed in
//! results, viewed basic details and flags, viewed a family or a service's details) and the
//! administrative actions. The database's `fc.audit_action` lists the same codes (a test compares
//! them), so a mistyped action cannot reach an audit write.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    AccessDenied,
    AuditArchived,
    AuditCheckpointed,
    AuditExported,
    AuditReported,
    AuditSearched,
    AuditStats,
    AuditVerified,
    BasisAdded,
    BasisListed,
    BasisRetired,
    BreakGlassListed,
    IdentityViewed,
    MdmLoadsListed,
    MdmValidated,
    PermissionApplied,
    PermissionExtended,
    PermissionGranted,
    PermissionListed,
    PermissionReviewed,
    PermissionRevoked,
    PersonAccessExtended,
    PersonAccessGranted,
    PersonAccessRevoked,
    PersonRestricted,
    PersonRestrictionChanged,
    PersonUnrestricted,
    RestrictionsReviewed,
    RoleChanged,
    RolesSynced,
    SchemaMigrated,
    Searched,
    SourcesListed,
    ViewedBasicDetailsAndFlags,
    ViewedFamily,
    ViewedInResults,
    ViewedServiceDetails,
}

impl Action {
    pub const ALL: [Action; 37] = [
        Action::AccessDenied,
        Action::AuditArchived,
        Action::AuditCheckpointed,
        Action::AuditExported,
        Action::AuditReported,
        Action::AuditSearched,
        Action::AuditStats,
        Action::AuditVerified,
        Action::BasisAdded,
        Action::BasisListed,
        Action::BasisRetired,
        Action::BreakGlassListed,
        Action::IdentityViewed,
        Action::MdmLoadsListed,
        Action::MdmValidated,
        Action::PermissionApplied,
        Action::PermissionExtended,
        Action::PermissionGranted,
        Action::PermissionListed,
        Action::PermissionReviewed,
        Action::PermissionRevoked,
        Action::PersonAccessExtended,
        Action::PersonAccessGranted,
        Action::PersonAccessRevoked,
        Action::PersonRestricted,
        Action::PersonRestrictionChanged,
        Action::PersonUnrestricted,
        Action::RestrictionsReviewed,
        Action::RoleChanged,
        Action::RolesSynced,
        Action::SchemaMigrated,
        Action::Searched,
        Action::SourcesListed,
        Action::ViewedBasicDetailsAndFlags,
        Action::ViewedFamily,
        Action::ViewedInResults,
        Action::ViewedServiceDetails,
    ];

    /// The code in `fc.audit_action` and in audit rows.
    pub fn code(self) -> &'static str {
        match self {
            Action::AccessDenied => "access_denied",
            Action::AuditArchived => "audit_archived",
            Action::AuditCheckpointed => "audit_checkpointed",
            Action::AuditExported => "audit_exported",
            Action::AuditReported => "audit_reported",
            Action::AuditSearched => "audit_searched",
            Action::AuditStats => "audit_stats",
            Action::AuditVerified => "audit_verified",
            Action::BasisAdded => "basis_added",
            Action::BasisListed => "basis_listed",
            Action::BasisRetired => "basis_retired",
            Action::BreakGlassListed => "break_glass_listed",
            Action::IdentityViewed => "identity_viewed",
            Action::MdmLoadsListed => "mdm_loads_listed",
            Action::MdmValidated => "mdm_validated",
            Action::PermissionApplied => "permission_applied",
            Action::PermissionExtended => "permission_extended",
            Action::PermissionGranted => "permission_granted",
            Action::PermissionListed => "permission_listed",
            Action::PermissionReviewed => "permission_reviewed",
            Action::PermissionRevoked => "permission_revoked",
            Action::PersonAccessExtended => "person_access_extended",
            Action::PersonAccessGranted => "person_access_granted",
            Action::PersonAccessRevoked => "person_access_revoked",
            Action::PersonRestricted => "person_restricted",
            Action::PersonRestrictionChanged => "person_restriction_changed",
            Action::PersonUnrestricted => "person_unrestricted",
            Action::RestrictionsReviewed => "restrictions_reviewed",
            Action::RoleChanged => "role_changed",
            Action::RolesSynced => "roles_synced",
            Action::SchemaMigrated => "schema_migrated",
            Action::Searched => "searched",
            Action::SourcesListed => "sources_listed",
            Action::ViewedBasicDetailsAndFlags => "viewed_basic_details_and_flags",
            Action::ViewedFamily => "viewed_family",
            Action::ViewedInResults => "viewed_in_results",
            Action::ViewedServiceDetails => "viewed_service_details",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Action;

    #[test]
    fn codes_are_distinct_and_serialise_as_themselves() {
        let mut codes: Vec<&str> = Action::ALL.iter().map(|a| a.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Action::ALL.len());
        for a in Action::ALL {
            assert_eq!(serde_json::to_value(a).unwrap(), a.code());
        }
    }
}
