//! Optimistic concurrency: every mutable record has a version, and a
//! change names the version it was made on (in the body, or as `If-Match`),
//! so nobody's change is silently overwritten.

/// A request that changes a versioned record.
pub trait BasedOn {
    /// The version the change was made on, when the body names one.
    fn based_on(&self) -> Option<i32>;
}

macro_rules! based_on_version_field {
    ($($ty:ty),* $(,)?) => {$(
        impl BasedOn for $ty {
            fn based_on(&self) -> Option<i32> {
                self.version
            }
        }
    )*};
}

based_on_version_field!(
    crate::patients::PatientPatch,
    crate::case_status::StatusChangeRequest,
    crate::contacts::ContactPatch,
    crate::providers::ProviderPatch,
    crate::care_plan::CarePlanWrite,
    crate::necessity::CriteriaWrite,
    crate::hl7::IdentifierSystemWrite,
    crate::programs::EnrollmentPatch,
    crate::referral::ReferralPatch,
    crate::referral::ReferralStatusChange,
    crate::referral::BarrierPatch,
    crate::screening::EnteredInErrorRequest,
    crate::care_team::CareTeamPatch,
    crate::encounters::EncounterPatch,
    crate::appointments::AppointmentPatch,
    crate::tasks::TaskPatch,
    crate::notes::NotePatch,
    crate::notes::SignRequest,
    crate::users::UserPatch,
    crate::organization::OrganizationPatch,
    crate::encounters::NewEncounter,
    crate::appointments::NewAppointment,
    crate::webhooks::WebhookPatch,
);

/// A task is never resent by an external id: it names no version.
impl BasedOn for crate::tasks::NewTask {
    fn based_on(&self) -> Option<i32> {
        None
    }
}

/// Why an integration's resend (a POST naming a known `external_id`) may
/// not overwrite the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResendRefusal {
    /// The version it names is not the record's (412).
    Stale {
        /// The record's version now.
        current: i32,
    },
    /// Someone edited the record since the last send, and the resend names
    /// no version: it would silently undo their edit (428).
    EditedSince,
}

/// Whether a resend may overwrite a record at version `current`, which
/// was at `synced` after the last send, when the resend names `sent`.
/// Resends that name no version go through as long as nobody else has
/// written since: that is how feeds work (they never read before sending).
pub fn resend_may_overwrite(
    current: i32,
    synced: Option<i32>,
    sent: Option<i32>,
) -> Result<(), ResendRefusal> {
    match sent {
        Some(v) if v == current => Ok(()),
        Some(_) => Err(ResendRefusal::Stale { current }),
        None if synced == Some(current) => Ok(()),
        None => Err(ResendRefusal::EditedSince),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resend_overwrites_only_what_it_last_sent_unless_it_names_the_version() {
        assert_eq!(resend_may_overwrite(3, Some(3), None), Ok(()));
        assert_eq!(
            resend_may_overwrite(4, Some(3), None),
            Err(ResendRefusal::EditedSince)
        );
        assert_eq!(resend_may_overwrite(4, Some(3), Some(4)), Ok(()));
        assert_eq!(
            resend_may_overwrite(4, Some(3), Some(3)),
            Err(ResendRefusal::Stale { current: 4 })
        );
        assert_eq!(
            resend_may_overwrite(2, None, None),
            Err(ResendRefusal::EditedSince),
            "never sent: written by people only"
        );
    }

    #[test]
    fn a_change_names_the_version_its_body_carries() {
        let patch = crate::tasks::TaskPatch {
            version: Some(4),
            ..Default::default()
        };
        assert_eq!(patch.based_on(), Some(4));
        assert_eq!(crate::notes::SignRequest::default().based_on(), None);
    }
}
