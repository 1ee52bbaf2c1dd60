//! `ServiceRequest` (referrals), and the provider directory: each provider
//! is an `Organization` and, under the same id, the `HealthcareService`
//! it offers.

use fhirbolt::model::r4::resources::{
    HealthcareService, Organization, ServiceRequest, ServiceRequestOccurrence,
};
use fhirbolt::model::r4::types::{Annotation, Reference};
use shared::directory::NetworkStatus;
use shared::providers::Provider;
use shared::referral::{Referral, ReferralPriority, ReferralStatus};

use super::model::{BCP47, coded, date_time, meta, own, reference, telecom, text};
use super::people::address;

/// FHIR's request status for a referral's: sent, accepted or scheduled
/// (and a missed first visit, which is rescheduled or closed next) are
/// `active`; completed or closed `completed`; declined or cancelled
/// `revoked`.
pub fn request_status(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Draft => "draft",
        ReferralStatus::Sent
        | ReferralStatus::Accepted
        | ReferralStatus::Scheduled
        | ReferralStatus::NoShow => "active",
        ReferralStatus::Completed | ReferralStatus::Closed => "completed",
        ReferralStatus::Declined | ReferralStatus::Cancelled => "revoked",
    }
}

/// A referral: the service asked for, why, how urgently, the patient, the
/// provider it goes to, the appointment made, and its outcome.
pub fn service_request(r: &Referral) -> ServiceRequest {
    ServiceRequest {
        id: Some(r.id.to_string().into()),
        meta: meta(Some(r.version), r.updated_at),
        status: request_status(r.status).into(),
        intent: "order".into(),
        priority: Some(
            match r.priority {
                ReferralPriority::Routine => "routine",
                ReferralPriority::Urgent => "urgent",
                ReferralPriority::Emergent => "stat",
            }
            .into(),
        ),
        code: Some(Box::new({
            let mut c = own("service", r.service.as_ref());
            c.text = Some(r.service.label().into());
            c
        })),
        subject: Box::new(reference("Patient", r.patient_id)),
        occurrence: r
            .appointment_at
            .map(|at| ServiceRequestOccurrence::DateTime(date_time(at))),
        authored_on: Some(date_time(r.created_at)),
        performer: vec![Reference {
            display: Some(r.provider_name.clone().into()),
            ..reference("Organization", r.provider_id)
        }],
        reason_code: vec![text(&r.reason)],
        replaces: r
            .re_referral_of
            .map(|id| reference("ServiceRequest", id))
            .into_iter()
            .collect(),
        note: r
            .outcome
            .iter()
            .map(|o| Annotation {
                text: o.clone().into(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// A provider as an organization: active unless inactive in the network.
pub fn organization(p: &Provider) -> Organization {
    Organization {
        id: Some(p.id.to_string().into()),
        meta: meta(Some(p.version), p.updated_at),
        active: Some((p.network_status != NetworkStatus::Inactive).into()),
        r#type: vec![own("provider-kind", p.kind.as_ref())],
        name: Some(p.name.clone().into()),
        telecom: telecom(p.phone.as_deref(), None),
        address: p.address.iter().map(address).collect(),
        ..Default::default()
    }
}

/// A provider's services: what it offers, its specialties, the languages
/// spoken, its hours, and whether it takes new clients and Medicaid.
pub fn healthcare_service(p: &Provider) -> HealthcareService {
    let mut characteristic = vec![own("network-status", p.network_status.as_ref())];
    if p.accepting_new_clients {
        characteristic.push(own("availability", "accepting_new_clients"));
    }
    if p.medicaid {
        characteristic.push(own("payer", "medicaid"));
    }
    HealthcareService {
        id: Some(p.id.to_string().into()),
        meta: meta(Some(p.version), p.updated_at),
        active: Some((p.network_status != NetworkStatus::Inactive).into()),
        provided_by: Some(Box::new(reference("Organization", p.id))),
        r#type: p
            .services
            .iter()
            .map(|s| {
                let mut c = own("service", s.as_ref());
                c.text = Some(s.label().into());
                c
            })
            .collect(),
        specialty: p.specialties.iter().map(|s| text(s)).collect(),
        name: Some(p.name.clone().into()),
        telecom: telecom(p.phone.as_deref(), None),
        characteristic,
        communication: p.languages.iter().map(|l| coded(BCP47, l, None)).collect(),
        availability_exceptions: p.hours.clone().map(Into::into),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referral_statuses_map_to_request_statuses() {
        assert_eq!(request_status(ReferralStatus::Draft), "draft");
        assert_eq!(request_status(ReferralStatus::Scheduled), "active");
        assert_eq!(request_status(ReferralStatus::Closed), "completed");
        assert_eq!(request_status(ReferralStatus::Declined), "revoked");
    }
}
