//! The care team [FHIR `CareTeam`]: the people, inside the organization and
//! outside it, who share a patient's care. Internal members receive the
//! patient's alerts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::ids::{PatientId, UserId};
use crate::patch::Patch;
use crate::validation::{Context, Normalize, blank_to_none, invalid_at, trimmed, trimmed_patch};

code_enum! {
    /// A member's role on the team.
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
    pub patient_id: PatientId,
    /// The user, for members inside the organization.
    pub user_id: Option<UserId>,
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
#[validate(
    context = Context,
    schema(function = "user_or_name", skip_on_field_errors = false),
    schema(function = "ends_after_start", use_context, skip_on_field_errors = false)
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Dr. Ana Alvarez", "organization": "Eastside Family Medicine", "phone": "503-555-0150",
    "role": "pcp", "start_date": "2026-01-15"
})))]
pub struct NewCareTeamMember {
    /// An internal member.
    #[serde(default)]
    pub user_id: Option<UserId>,
    /// An external member's name.
    #[serde(default)]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub name: Option<String>,
    /// An external member's organization.
    #[serde(default)]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub organization: Option<String>,
    /// Phone.
    #[serde(default)]
    #[validate(custom(function = "crate::validation::phone"))]
    #[cfg_attr(feature = "openapi", schema(format = "phone"))]
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

/// Exactly one of a user or a name.
fn user_or_name(m: &NewCareTeamMember) -> Result<(), ValidationError> {
    let named = m.name.as_deref().and_then(blank_to_none).is_some();
    match (m.user_id.is_some(), named) {
        (false, false) => Err(invalid_at(
            "name",
            "required",
            "is required for a member outside the organization (or give user_id)",
        )),
        (true, true) => Err(invalid_at(
            "name",
            "exclusive",
            "must be left out for a member who is a user (their name is used)",
        )),
        _ => Ok(()),
    }
}

/// The end not before the start (today when no start is given).
fn ends_after_start(m: &NewCareTeamMember, ctx: &Context) -> Result<(), ValidationError> {
    match m.end_date {
        Some(end) if end < m.start_date.unwrap_or(ctx.today) => Err(invalid_at(
            "end_date",
            "before_start",
            "must not be before start_date",
        )),
        _ => Ok(()),
    }
}

impl Normalize for NewCareTeamMember {
    fn normalized(self) -> NewCareTeamMember {
        NewCareTeamMember {
            name: trimmed(self.name),
            organization: trimmed(self.organization),
            phone: trimmed(self.phone),
            ..self
        }
    }
}

/// `PATCH /api/v1/care-team/{id}` (change the role, end the membership …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"end_date": "2026-06-30", "version": 1})))]
pub struct CareTeamPatch {
    /// Role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<CareTeamRole>,
    /// External member's organization; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 200))]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    pub organization: Patch<String>,
    /// Phone; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "phone"))]
    #[validate(custom(function = "crate::validation::patched::phone"))]
    pub phone: Patch<String>,
    /// Start date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    /// End date; `null` makes the membership open-ended again.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub end_date: Patch<NaiveDate>,
    /// The version this change is based on (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

impl Normalize for CareTeamPatch {
    fn normalized(self) -> CareTeamPatch {
        CareTeamPatch {
            organization: trimmed_patch(self.organization),
            phone: trimmed_patch(self.phone),
            ..self
        }
    }
}

impl CareTeamPatch {
    /// `member` as the patch leaves it (omitted fields stay, `null`
    /// clears), refused when the membership would end before it starts.
    pub fn apply_to(self, member: &mut CareTeamMember) -> Result<(), ValidationErrors> {
        if let Some(r) = self.role {
            member.role = r;
        }
        self.organization.apply_to(&mut member.organization);
        self.phone.apply_to(&mut member.phone);
        if let Some(s) = self.start_date {
            member.start_date = s;
        }
        self.end_date.apply_to(&mut member.end_date);
        let mut errors = ValidationErrors::new();
        if member.end_date.is_some_and(|end| end < member.start_date) {
            errors.add(
                "end_date",
                crate::validation::invalid("before_start", "must not be before start_date"),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl NewCareTeamMember {
    /// The membership adding this (valid) member creates, starting today
    /// unless a start is given. An internal member's name is the user's.
    pub fn into_member(
        self,
        id: Uuid,
        patient: PatientId,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> CareTeamMember {
        CareTeamMember {
            id,
            patient_id: patient,
            user_id: self.user_id,
            name: self.name.unwrap_or_default(),
            organization: self.organization,
            phone: self.phone,
            role: self.role,
            start_date: self.start_date.unwrap_or(today),
            end_date: self.end_date,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::check;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn member(user: bool, name: Option<&str>) -> NewCareTeamMember {
        NewCareTeamMember {
            user_id: user.then(UserId::default),
            name: name.map(str::to_owned),
            organization: None,
            phone: None,
            role: CareTeamRole::Pcp,
            start_date: None,
            end_date: None,
        }
    }

    /// The fields that fail when `m` is checked on `today`.
    fn fields(m: NewCareTeamMember, today: NaiveDate) -> Vec<String> {
        let ctx = Context {
            now: DateTime::UNIX_EPOCH,
            today,
        };
        check(m, &ctx).into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_member_is_either_a_user_or_a_named_outsider() {
        let today = d("2026-03-01");
        assert!(fields(member(true, None), today).is_empty());
        assert!(fields(member(false, Some("Dr. Alvarez")), today).is_empty());
        assert_eq!(fields(member(false, None), today), vec!["name"]);
        assert_eq!(fields(member(false, Some(" ")), today), vec!["name"]);
        assert_eq!(fields(member(true, Some("Someone")), today), vec!["name"]);
    }

    #[test]
    fn a_membership_cannot_end_before_it_starts() {
        let mut m = member(true, None);
        m.start_date = Some(d("2026-03-01"));
        m.end_date = Some(d("2026-02-01"));
        assert_eq!(fields(m, d("2026-03-01")), vec!["end_date"]);
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
