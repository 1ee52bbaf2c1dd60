//! The overview tab: open alerts and tasks, risk, gaps in care (with the
//! chart review), the latest screenings, the record read-only, and the
//! cards that change the case (status, care manager) or list the people
//! around the patient (care team, contacts).

use leptos::prelude::*;
use shared::auth::Permission;
use shared::patients::{Address, Patient};

use super::alerts::PatientAlerts;
use super::care_manager::CareManagerCard;
use super::care_team::CareTeamCard;
use super::contacts::ContactsCard;
use super::gaps::GapsCard;
use super::risk::RiskCard;
use super::screenings::LatestScreeningsCard;
use super::status::StatusCard;
use super::tasks::PatientTasks;
use crate::components::Card;
use crate::format;
use crate::pages::patient::context::PatientCtx;
use crate::state::use_auth;

/// One fact of the record: its label and value, or "Not recorded".
fn fact(label: &'static str, value: Option<String>) -> impl IntoView {
    view! {
        <div class="fact">
            <dt>{label}</dt>
            {match value {
                Some(v) if !v.is_empty() => view! { <dd>{v}</dd> }.into_any(),
                _ => view! { <dd class="muted">"Not recorded"</dd> }.into_any(),
            }}
        </div>
    }
}

/// The overview tab: alerts, open tasks, risk, gaps in care, the latest
/// screenings and the record, read-only, with the status and care manager
/// controls.
#[component]
pub fn PatientOverviewTab() -> impl IntoView {
    let PatientCtx { patient, notice } = PatientCtx::get();
    let auth = use_auth();
    let can_audit = auth.can(Permission::AuditRead);
    let today = format::today();
    // The cards below load their own data: they follow the patient's id,
    // not every new version of the record.
    let shown_id = Memo::new(move |_| patient.with(|p| p.as_ref().map(|p| p.id)));
    let name_now = move || {
        patient
            .with_untracked(|p| p.as_ref().map(Patient::display_name))
            .unwrap_or_default()
    };
    // A chart review that created tasks has the open-tasks card load
    // again; an override that raised the risk, the alerts card.
    let tasks_epoch = RwSignal::new(0_u32);
    let on_tasks_created = Callback::new(move |()| tasks_epoch.update(|n| *n += 1));
    let alerts_epoch = RwSignal::new(0_u32);
    let on_risk_changed = Callback::new(move |()| alerts_epoch.update(|n| *n += 1));
    let with = move |f: fn(&Patient, chrono::NaiveDate) -> AnyView| {
        move || patient.with(|p| p.as_ref().map(|p| f(p, today)))
    };
    view! {
        <div class="detail-layout">
            <div class="detail-main">
                {move || {
                    alerts_epoch.track();
                    shown_id.get().map(|id| view! { <PatientAlerts patient_id=id /> })
                }}
                {move || {
                    tasks_epoch.track();
                    shown_id
                        .get()
                        .map(|id| view! { <PatientTasks patient_id=id patient_name=name_now() /> })
                }}
                {move || {
                    shown_id
                        .get()
                        .map(|id| {
                            view! {
                                <RiskCard patient_id=id on_changed=on_risk_changed />
                                <GapsCard patient_id=id on_tasks_created=on_tasks_created />
                                <LatestScreeningsCard patient_id=id />
                            }
                        })
                }}
                <Card id="sec-demographics" title="Demographics">
                    {with(|p, today| {
                        view! {
                            <dl class="facts">
                                {fact("Given name", Some(p.given_name.clone()))}
                                {fact("Family name", Some(p.family_name.clone()))}
                                {fact("Preferred name", p.preferred_name.clone())}
                                {fact("Date of birth", Some(format::birth_date_with_age(p.birth_date, today)))}
                                {fact("Sex", Some(p.sex.label().into()))}
                                {fact("Preferred language", Some(format::language_name(&p.preferred_language)))}
                                {fact("Interpreter needed", Some(format::yes_no(p.interpreter_needed).into()))}
                            </dl>
                        }
                            .into_any()
                    })}
                </Card>
                <Card id="sec-contact" title="Contact">
                    {with(|p, _| {
                        view! {
                            <dl class="facts">
                                {fact("Phone", p.phone.clone())}
                                {fact("Email", p.email.clone())}
                                {fact("Address", p.address.as_ref().map(Address::one_line))}
                            </dl>
                        }
                            .into_any()
                    })}
                </Card>
                <Card id="sec-insurance" title="Insurance">
                    {with(|p, _| {
                        let i = p.insurance.clone().unwrap_or_default();
                        view! {
                            <dl class="facts">
                                {fact("Payer", i.payer)}
                                {fact("Member ID", i.member_id)}
                                {fact("Medicaid", Some(format::yes_no(i.medicaid).into()))}
                            </dl>
                        }
                            .into_any()
                    })}
                </Card>
                <Card id="sec-identifiers" title="Identifiers">
                    {with(|p, _| {
                        if p.identifiers.is_empty() {
                            view! { <p class="muted">"No identifiers recorded."</p> }.into_any()
                        } else {
                            view! {
                                <table class="data-table compact">
                                    <thead>
                                        <tr>
                                            <th scope="col">"System"</th>
                                            <th scope="col">"Value"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p
                                            .identifiers
                                            .iter()
                                            .map(|i| {
                                                view! {
                                                    <tr>
                                                        <td class="mono wrap">{i.system.clone()}</td>
                                                        <td class="mono">{i.value.clone()}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                        }
                    })}
                </Card>
            </div>
            <aside class="detail-side" aria-label="Case">
                <StatusCard patient=patient notice=notice />
                <CareManagerCard patient=patient notice=notice />
                {move || {
                    shown_id
                        .get()
                        .map(|id| {
                            view! {
                                <CareTeamCard patient_id=id />
                                <ContactsCard patient_id=id />
                            }
                        })
                }}
                <Card id="sec-record" title="Record">
                    {move || {
                        patient
                            .get()
                            .map(|p| {
                                view! {
                                    <dl class="facts single">
                                        {fact("Created", Some(format::datetime(p.created_at)))}
                                        {fact("Last updated", Some(format::datetime(p.updated_at)))}
                                        {fact("Version", Some(p.version.to_string()))}
                                    </dl>
                                    {can_audit
                                        .then(|| {
                                            view! {
                                                <p>
                                                    <a href=format!("/audit?patient_id={}", p.id)>
                                                        "View audit trail"
                                                    </a>
                                                </p>
                                            }
                                        })}
                                }
                            })
                    }}
                </Card>
            </aside>
        </div>
    }
}
