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
    crate::care_team::CareTeamPatch,
    crate::encounters::EncounterPatch,
    crate::appointments::AppointmentPatch,
    crate::tasks::TaskPatch,
    crate::notes::NotePatch,
    crate::notes::SignRequest,
    crate::users::UserPatch,
    crate::organization::OrganizationPatch,
);

#[cfg(test)]
mod tests {
    use super::*;

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
