//! The audit trail (admins and supervisors): who did what, to which record,
//! when and from where — newest first.

use chrono::{NaiveDate, TimeZone, Utc};
use leptos::prelude::*;
use shared::audit::{AuditAction, AuditQuery};
use shared::auth::Permission;
use shared::ids::{PatientId, UserId};
use strum::VariantArray;

use super::not_found::NotAllowed;
use crate::client;
use crate::components::{
    Column, ErrorBanner, PageHeader, PagedTable, SelectField, TextField, choices, text_inputs,
    use_paged_list,
};
use crate::dom::set_title;
use crate::format;
use crate::routes::use_query_value;
use crate::state::{Directory, use_auth};

/// Events per page.
const PAGE: i64 = 50;

/// The audit table's columns.
const COLUMNS: &[Column] = &[
    Column::Text("When"),
    Column::Text("Who"),
    Column::Text("What"),
    Column::Text("Record"),
    Column::Text("Patient"),
    Column::Text("From"),
];

/// An action in words, as people filter by it.
pub fn action_label(action: AuditAction) -> &'static str {
    use AuditAction as A;
    match action {
        A::AlertAcknowledge => "Acknowledged an alert",
        A::AlertList => "Listed alerts",
        A::ApiKeyCreate => "Created an API key",
        A::ApiKeyRevoke => "Revoked an API key",
        A::AppointmentCreate => "Recorded an appointment",
        A::AppointmentCreateReplayed => "Recorded an appointment again (replayed)",
        A::AppointmentList => "Listed appointments",
        A::AppointmentRead => "Viewed an appointment",
        A::AppointmentUpdate => "Changed an appointment",
        A::AuditQuery => "Searched the audit trail",
        A::AuthLogin => "Signed in",
        A::AuthLoginFailed => "Failed sign-in",
        A::AuthLogout => "Signed out",
        A::AuthRefreshReused => "Reused a refresh token",
        A::CarePlanRead => "Viewed a care plan",
        A::CarePlanUpdate => "Changed a care plan",
        A::CareTeamCreate => "Added a care team member",
        A::CareTeamList => "Listed a care team",
        A::CareTeamUpdate => "Changed a care team member",
        A::ChartReviewCreate => "Recorded a chart review",
        A::ChartReviewList => "Listed chart reviews",
        A::ContactCreate => "Added a contact",
        A::ContactList => "Listed contacts",
        A::ContactUpdate => "Changed a contact",
        A::BarrierCreate => "Recorded a referral barrier",
        A::BarrierUpdate => "Changed a referral barrier",
        A::EnrollmentCreate => "Referred to a program",
        A::EnrollmentList => "Listed program enrollments",
        A::EnrollmentUpdate => "Changed a program enrollment",
        A::NecessityRead => "Read medical-necessity facts",
        A::ProgramCreate => "Added a program",
        A::ProviderActivityCreate => "Logged a recruiting activity",
        A::ProviderCreate => "Added a provider",
        A::ProviderCredentialCreate => "Recorded a credential",
        A::ProviderUpdate => "Changed a provider",
        A::ReferralCreate => "Drafted a referral",
        A::ReferralList => "Listed referrals",
        A::ReferralNecessityOverride => "Sent a referral over medical necessity",
        A::ReferralRead => "Read a referral",
        A::ReferralStatus => "Moved a referral",
        A::ReferralUpdate => "Changed a referral",
        A::ServiceCriteriaUpdate => "Set medical-necessity criteria",
        A::ReportRead => "Read a report",
        A::MeasureRead => "Computed a quality measure",
        A::HuddleAgenda => "Read the huddle agenda",
        A::HuddleCreate => "Recorded a huddle",
        A::HuddleList => "Listed huddles",
        A::HuddleRead => "Read a huddle",
        A::HuddleUpdate => "Changed a huddle's notes",
        A::EducationCreate => "Recorded patient education",
        A::EducationList => "Listed patient education",
        A::EncounterCancel => "Cancelled an admission (HL7 A11)",
        A::EncounterCreate => "Recorded an encounter",
        A::EncounterCreateReplayed => "Recorded an encounter again (replayed)",
        A::EncounterList => "Listed encounters",
        A::EncounterRead => "Viewed an encounter",
        A::EncounterUpdate => "Changed an encounter",
        A::FhirRead => "Read a FHIR resource",
        A::FhirSearch => "Searched FHIR resources",
        A::EncounterDischargeCancel => "Took back a discharge (HL7 A13)",
        A::GapsRead => "Viewed gaps in care",
        A::Hl7Receive => "Received an HL7 message",
        A::Hl7Replay => "Received an HL7 message again (answered as before)",
        A::Hl7IdentifierSystemPut => "Mapped an HL7 assigning authority",
        A::NoteAddendum => "Added an addendum",
        A::NoteCreate => "Wrote a note",
        A::NoteList => "Listed notes",
        A::NoteRead => "Viewed a note",
        A::NoteSign => "Signed a note",
        A::NoteUpdate => "Changed a note",
        A::OrganizationUpdate => "Changed the organization",
        A::OutreachCreate => "Logged an outreach attempt",
        A::OutreachList => "Listed outreach attempts",
        A::PatientCreate => "Registered a patient",
        A::PatientCreateReplayed => "Registered a patient again (replayed)",
        A::PatientList => "Listed or searched patients",
        A::PatientRead => "Viewed a patient",
        A::PatientStatusChange => "Changed a case status",
        A::PatientUpdate => "Changed a patient",
        A::RiskOverride => "Overrode a risk level",
        A::RiskRead => "Viewed a risk level",
        A::ScreeningCreate => "Recorded a screening",
        A::ScreeningEnteredInError => "Marked a screening entered in error",
        A::ScreeningList => "Listed screenings",
        A::ScreeningRead => "Viewed a screening",
        A::TaskCreate => "Created a task",
        A::TaskCreateReplayed => "Created a task again (replayed)",
        A::TaskList => "Listed tasks",
        A::TaskRead => "Viewed a task",
        A::TaskScheduled => "Opened a task when it came due (scheduler)",
        A::TaskUpdate => "Changed a task",
        A::TimelineRead => "Viewed a timeline",
        A::UserCreate => "Added a user",
        A::UserUpdate => "Changed a user",
        A::WebhookCreate => "Added a webhook",
        A::WebhookDelete => "Deleted a webhook",
        A::WebhookDeliveryReplay => "Replayed a webhook delivery",
        A::WebhookUpdate => "Changed a webhook",
        A::WorklistRead => "Viewed a worklist",
    }
}

/// The API's filters for the chosen ones; `since` is a `YYYY-MM-DD` date
/// (UTC midnight). Choices that are not (yet) values filter nothing.
pub fn audit_query(
    action: &str,
    user: &str,
    since: &str,
    patient: Option<PatientId>,
) -> AuditQuery {
    AuditQuery {
        patient_id: patient,
        user_id: user.parse::<UserId>().ok(),
        since: NaiveDate::parse_from_str(since.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|dt| Utc.from_utc_datetime(&dt)),
        action: action.parse::<AuditAction>().ok(),
    }
}

/// The audit page.
#[component]
pub fn AuditPage() -> impl IntoView {
    set_title("Audit trail");
    let auth = use_auth();
    if !auth.can(Permission::AuditRead) {
        return view! { <NotAllowed /> }.into_any();
    }
    let directory = expect_context::<Directory>();
    let patient = use_query_value::<PatientId>("patient_id");
    let [action, user, since] = text_inputs();
    let list = use_paged_list(PAGE, move |page| {
        let filters = audit_query(
            &action.get_untracked(),
            &user.get_untracked(),
            &since.get_untracked(),
            patient.get_untracked(),
        );
        async move { client::list_audit(&filters, &page).await }
    });
    Effect::new(move || {
        action.track();
        user.track();
        patient.track();
        // Only whole dates filter.
        let s = since.get();
        if s.is_empty() || NaiveDate::parse_from_str(&s, "%Y-%m-%d").is_ok() {
            list.reload();
        }
    });

    let action_choices = choices(
        AuditAction::VARIANTS,
        |a| action_label(a).into(),
        Some("Any action"),
    );
    let user_choices = Signal::derive(move || {
        std::iter::once((String::new(), "Anyone".to_string()))
            .chain(
                directory
                    .users
                    .get()
                    .into_iter()
                    .map(|u| (u.id.to_string(), u.name)),
            )
            .collect::<Vec<_>>()
    });

    view! {
        <PageHeader
            title="Audit trail".to_string()
            subtitle="Every read and change of patient data, sign-ins and administration, newest first."
                .to_string()
        />
        {move || {
            patient
                .get()
                .map(|_| {
                    view! {
                        <div class="banner banner-info">
                            "Showing events for one patient. " <a href="/audit">"Show all events"</a>
                        </div>
                    }
                })
        }}
        <section class="toolbar" aria-label="Filters">
            <div class="filters">
                <SelectField
                    id="audit-action"
                    label="Action"
                    value=action
                    options=Signal::stored(action_choices)
                    on_change=Callback::new(move |v| action.set(v))
                />
                <SelectField
                    id="audit-user"
                    label="Person"
                    value=user
                    options=user_choices
                    on_change=Callback::new(move |v| user.set(v))
                />
                <TextField
                    id="audit-since"
                    label="Since"
                    input_type="date"
                    value=since
                    on_input=Callback::new(move |v| since.set(v))
                />
            </div>
        </section>
        <ErrorBanner error=list.error />
        <PagedTable
            list=list
            what="the audit trail"
            more="Load older events"
            empty=|| {
                view! {
                    <div class="empty-state">
                        <h2>"No events"</h2>
                        <p>"Nothing matches these filters."</p>
                    </div>
                }
            }
            caption="Audit events"
            columns=COLUMNS
        >
            <For
                each=move || list.items.get()
                key=|e| e.id
                children=move |e| {
                    let who = e
                        .actor_label
                        .clone()
                        .unwrap_or_else(|| e.actor_type.as_ref().replace('_', " "));
                    let changed = e
                        .details
                        .get("changed")
                        .and_then(|c| c.as_array())
                        .map(|c| {
                            c.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
                        })
                        .filter(|s| !s.is_empty());
                    view! {
                        <tr>
                            <td data-label="When">{format::datetime(e.occurred_at)}</td>
                            <td data-label="Who" class="wrap">{who}</td>
                            <td data-label="What">
                                {action_label(e.action)}
                                {changed.map(|c| view! { <span class="muted small block">{format!("Fields: {c}")}</span> })}
                            </td>
                            <td data-label="Record" class="mono small">
                                {e.resource_type.clone()}
                            </td>
                            <td data-label="Patient">
                                {e
                                    .patient_id
                                    .map(|p| {
                                        view! { <a href=format!("/patients/{p}")>"Open"</a> }
                                    })}
                            </td>
                            <td data-label="From" class="mono small">
                                {e.client_addr.clone()}
                            </td>
                        </tr>
                    }
                }
            />
        </PagedTable>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn filters_become_an_audit_query() {
        let id = UserId::from(Uuid::from_u128(3));
        let q = audit_query("patient.read", &id.to_string(), "2026-11-01", None);
        assert_eq!(q.action, Some(AuditAction::PatientRead));
        assert_eq!(q.user_id, Some(id));
        assert_eq!(q.since.unwrap().to_rfc3339(), "2026-11-01T00:00:00+00:00");
        let patient = PatientId::from(Uuid::from_u128(4));
        let empty = audit_query("", "", "", Some(patient));
        assert_eq!(empty.action, None);
        assert_eq!(empty.user_id, None);
        assert_eq!(empty.since, None);
        assert_eq!(empty.patient_id, Some(patient));
    }

    #[test]
    fn actions_read_as_words() {
        assert_eq!(
            action_label(AuditAction::PatientUpdate),
            "Changed a patient"
        );
        assert_eq!(action_label(AuditAction::AuthLoginFailed), "Failed sign-in");
    }

    #[test]
    fn every_action_has_its_own_words_so_each_can_be_chosen() {
        let mut labels: Vec<_> = AuditAction::VARIANTS
            .iter()
            .map(|a| action_label(*a))
            .collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), AuditAction::VARIANTS.len());
    }
}
