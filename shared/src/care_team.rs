//! The care team [FHIR CareTeam]: the people, inside the organization and
//! outside it, who share a patient's care. Internal members receive the
//! patient's alerts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumString, VariantArray};
use uuid::Uuid;
use validator::{Validate, ValidationErrors};

use crate::validation::invalid;

/// A member's role on the team.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    AsRefStr,
    Display,
    EnumString,
    VariantArray,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CareTeamRole {
    /// Primary care provider.
    Pcp,
    /// Psychiatrist or psychiatric prescriber.
    Psychiatrist,
    /// Therapist or counselor.
    Therapist,
    /// Peer support specialist.
    PeerSpecialist,
    /// Care manager.
    CareManager,
    /// Nurse.
    Nurse,
    /// Social worker.
    SocialWorker,
    /// Pharmacist.
    Pharmacist,
    /// Anyone else.
    Other,
}

impl CareTeamRole {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            CareTeamRole::Pcp => "PCP",
            CareTeamRole::Psychiatrist => "Psychiatrist",
            CareTeamRole::Therapist => "Therapist",
            CareTeamRole::PeerSpecialist => "Peer specialist",
            CareTeamRole::CareManager => "Care manager",
            CareTeamRole::Nurse => "Nurse",
            CareTeamRole::SocialWorker => "Social worker",
            CareTeamRole::Pharmacist => "Pharmacist",
            CareTeamRole::Other => "Other",
        }
    }
}

/// A care team member as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareTeamMember {
    /// Member id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: Uuid,
    /// The user, for members inside the organization.
    pub user_id: Option<Uuid>,
    /// Name (the user's name for internal members).
    pub name: String,
    /// Their organization, for external members.
    pub organization: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Role on the team.
    pub role: CareTeamRole,
    /// Since when.
    pub start_date: NaiveDate,
    /// Until when; `null` while active.
    pub end_date: Option<NaiveDate>,
    /// Version (also the `ETag`).
    pub version: i32,
    /// When recorded.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

impl CareTeamMember {
    /// Whether the member is on the team on `today`.
    pub fn active_on(&self, today: NaiveDate) -> bool {
        is_active(self.start_date, self.end_date, today)
    }
}

/// Whether a membership from `start` to `end` (inclusive) covers `today`.
pub fn is_active(start: NaiveDate, end: Option<NaiveDate>, today: NaiveDate) -> bool {
    start <= today && end.is_none_or(|e| today <= e)
}

/// `POST /api/v1/patients/{id}/care-team`: an internal member names a
/// `user_id`; an external one a `name` (and organization, phone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Dr. Ana Alvarez", "organization": "Eastside Family Medicine", "phone": "503-555-0150",
    "role": "pcp", "start_date": "2026-01-15"
})))]
pub struct NewCareTeamMember {
    /// An internal member.
    #[serde(default)]
    pub user_id: Option<Uuid>,
    /// An external member's name.
    #[serde(default)]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    pub name: Option<String>,
    /// An external member's organization.
    #[serde(default)]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    pub organization: Option<String>,
    /// Phone.
    #[serde(default)]
    #[validate(custom(function = "crate::validation::phone"))]
    pub phone: Option<String>,
    /// Role.
    pub role: CareTeamRole,
    /// Since when (today when omitted).
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    /// Until when.
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
}

impl NewCareTeamMember {
    /// Field rules: exactly one of a user or a name; the end not before the start.
    pub fn check(&self, today: NaiveDate) -> Result<(), ValidationErrors> {
        let mut errors = self.validate().err().unwrap_or_default();
        let named = self.name.as_deref().is_some_and(|n| !n.trim().is_empty());
        match (self.user_id.is_some(), named) {
            (false, false) => errors.add(
                "name",
                invalid(
                    "required",
                    "is required for a member outside the organization (or give user_id)",
                ),
            ),
            (true, true) => errors.add(
                "name",
                invalid(
                    "exclusive",
                    "must be left out for a member who is a user (their name is used)",
                ),
            ),
            _ => {}
        }
        if let Some(end) = self.end_date
            && end < self.start_date.unwrap_or(today)
        {
            errors.add(
                "end_date",
                invalid("before_start", "must not be before start_date"),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// `PATCH /api/v1/care-team/{id}` (change the role, end the membership …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"end_date": "2026-06-30", "version": 1})))]
pub struct CareTeamPatch {
    /// Role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<CareTeamRole>,
    /// External member's organization; `null` clears.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "::serde_with::rust::double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    pub organization: Option<Option<String>>,
    /// Phone; `null` clears.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "::serde_with::rust::double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[validate(custom(function = "crate::validation::phone"))]
    pub phone: Option<Option<String>>,
    /// Start date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    /// End date; `null` makes the membership open-ended again.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "::serde_with::rust::double_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub end_date: Option<Option<NaiveDate>>,
    /// The version this change is based on (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::field_errors;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn member(user: bool, name: Option<&str>) -> NewCareTeamMember {
        NewCareTeamMember {
            user_id: user.then(Uuid::nil),
            name: name.map(str::to_owned),
            organization: None,
            phone: None,
            role: CareTeamRole::Pcp,
            start_date: None,
            end_date: None,
        }
    }

    fn fields(r: Result<(), ValidationErrors>) -> Vec<String> {
        r.map(|_| vec![])
            .unwrap_or_else(|e| field_errors(&e).into_iter().map(|f| f.field).collect())
    }

    #[test]
    fn a_member_is_either_a_user_or_a_named_outsider() {
        let today = d("2026-03-01");
        assert!(member(true, None).check(today).is_ok());
        assert!(member(false, Some("Dr. Alvarez")).check(today).is_ok());
        assert_eq!(fields(member(false, None).check(today)), vec!["name"]);
        assert_eq!(fields(member(false, Some(" ")).check(today)), vec!["name"]);
        assert_eq!(
            fields(member(true, Some("Someone")).check(today)),
            vec!["name"]
        );
    }

    #[test]
    fn a_membership_cannot_end_before_it_starts() {
        let mut m = member(true, None);
        m.start_date = Some(d("2026-03-01"));
        m.end_date = Some(d("2026-02-01"));
        assert_eq!(fields(m.check(d("2026-03-01"))), vec!["end_date"]);
    }

    #[test]
    fn membership_is_active_between_its_dates_inclusive() {
        assert!(is_active(d("2026-01-01"), None, d("2026-03-01")));
        assert!(is_active(
            d("2026-01-01"),
            Some(d("2026-03-01")),
            d("2026-03-01")
        ));
        assert!(!is_active(
            d("2026-01-01"),
            Some(d("2026-02-28")),
            d("2026-03-01")
        ));
        assert!(!is_active(d("2026-04-01"), None, d("2026-03-01")));
    }
}
