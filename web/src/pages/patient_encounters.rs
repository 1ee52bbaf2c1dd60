//! The encounters tab: hospital, ED, crisis-center and detox stays, and
//! recording an admission or a discharge by hand (a discharge puts a
//! transition follow-up on the care manager's worklist).

use chrono::{DateTime, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::encounters::{
    Encounter, EncounterKind, EncounterListQuery, EncounterPatch, NewEncounter,
};
use shared::problem::FieldError;
use strum::VariantArray;

use super::patient::PatientCtx;
use crate::api::{self, ApiError};
use crate::components::forms::{
    AddFormToggle, FormErrors, choices, focus_later, rule_errors, stale,
};
use crate::components::{ErrorBanner, LoadMore, Loading, SelectField, Tag, TextField};
use crate::format;
use crate::state::use_auth;

const FIELDS: &[&str] = &[
    "kind",
    "facility",
    "admitted_at",
    "discharged_at",
    "discharge_disposition",
];
const DISCHARGE_FIELDS: &[&str] = &["discharged_at", "discharge_disposition"];

/// A kind of stay, in words for a list: `ED`, `Inpatient psychiatric`.
pub fn kind_words(kind: EncounterKind) -> String {
    let label = kind.label();
    if label.chars().all(|c| c.is_uppercase()) {
        label.to_string()
    } else {
        format::words(label)
    }
}

/// Reads a required or optional `datetime-local` field: a missing required
/// value or a malformed one is a field error.
pub fn read_moment(
    value: &str,
    field: &str,
    required: bool,
    parse: impl Fn(&str) -> Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>, FieldError> {
    if value.trim().is_empty() {
        return if required {
            Err(FieldError::new(field, "is required"))
        } else {
            Ok(None)
        };
    }
    parse(value)
        .map(Some)
        .ok_or_else(|| FieldError::new(field, "is not a date and time"))
}

/// The encounters tab.
#[component]
pub fn PatientEncountersTab() -> impl IntoView {
    let ctx = expect_context::<PatientCtx>();
    let Some(patient_id) = ctx.id() else {
        return ().into_any();
    };
    super::set_title(&format!("Encounters · {}", ctx.name()));
    let can_write = use_auth().can(Permission::EncountersWrite);
    let encounters = RwSignal::new(Vec::<Encounter>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);

    let load = move |append: bool| {
        let query = EncounterListQuery {
            patient_id: Some(patient_id),
            limit: Some(50),
            cursor: if append {
                next_cursor.get_untracked()
            } else {
                None
            },
        };
        loading.set(true);
        spawn_local(async move {
            let result = api::list_encounters(&query).await;
            loading.set(false);
            match result {
                Ok(page) => {
                    if append {
                        encounters.update(|e| e.extend(page.items));
                    } else {
                        encounters.set(page.items);
                    }
                    next_cursor.set(page.next_cursor);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load(false);

    // Recording a stay.
    let adding = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let errors = FormErrors::new();
    let kind = RwSignal::new(String::new());
    let facility = RwSignal::new(String::new());
    let admitted = RwSignal::new(String::new());
    let discharged = RwSignal::new(String::new());
    let disposition = RwSignal::new(String::new());

    // Adding a discharge to an open stay.
    let discharging = RwSignal::new(None::<Encounter>);
    let d_errors = FormErrors::new();
    let d_at = RwSignal::new(String::new());
    let d_disposition = RwSignal::new(String::new());

    let announce = move |e: &Encounter| {
        let text = match e.discharged_at {
            Some(at) => format!(
                "Discharge from {} recorded ({}). A transition follow-up is now on the care manager's worklist, due {}.",
                e.facility,
                format::datetime(at),
                format::datetime(shared::encounters::followup_due(at))
            ),
            None => format!(
                "Admission to {} recorded; the care team was alerted.",
                e.facility
            ),
        };
        notice.set(Some(text));
        focus_later("encounters-notice".into());
    };

    let record = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut found = vec![];
        let kind_value = kind.get_untracked().parse::<EncounterKind>().ok();
        if kind_value.is_none() {
            found.push(FieldError::new("kind", "must be chosen"));
        }
        let admitted_at = read_moment(
            &admitted.get_untracked(),
            "admitted_at",
            true,
            format::parse_datetime_local,
        )
        .map_err(|e| found.push(e))
        .ok()
        .flatten();
        let discharged_at = read_moment(
            &discharged.get_untracked(),
            "discharged_at",
            false,
            format::parse_datetime_local,
        )
        .map_err(|e| found.push(e))
        .ok()
        .flatten();
        let (Some(k), Some(admitted_at)) = (kind_value, admitted_at) else {
            errors.show_rules(found, FIELDS);
            return;
        };
        let new = NewEncounter {
            patient_id,
            kind: k,
            facility: facility.get_untracked().trim().to_string(),
            admitted_at,
            discharged_at,
            discharge_disposition: {
                let d = disposition.get_untracked();
                (!d.trim().is_empty()).then(|| d.trim().to_string())
            },
            external_id: None,
        };
        found.extend(rule_errors(new.validate_at(Utc::now())));
        if errors.show_rules(found, FIELDS) {
            return;
        }
        errors.clear();
        busy.set(true);
        spawn_local(async move {
            let result = api::create_encounter(&new).await;
            busy.set(false);
            match result {
                Ok(e) => {
                    for s in [kind, facility, admitted, discharged, disposition] {
                        s.set(String::new());
                    }
                    adding.set(false);
                    announce(&e);
                    load(false);
                }
                Err(e) => errors.show(e, FIELDS),
            }
        });
    };

    let add_discharge = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(stay) = discharging.get_untracked() else {
            return;
        };
        let at = match read_moment(
            &d_at.get_untracked(),
            "discharged_at",
            true,
            format::parse_datetime_local,
        ) {
            Ok(Some(at)) => at,
            Ok(None) => return,
            Err(e) => {
                d_errors.show_rules(vec![e], DISCHARGE_FIELDS);
                return;
            }
        };
        if d_errors.show_rules(time_errors(stay.admitted_at, at), DISCHARGE_FIELDS) {
            return;
        }
        let patch = EncounterPatch {
            discharged_at: Some(at),
            discharge_disposition: {
                let d = d_disposition.get_untracked();
                (!d.trim().is_empty()).then(|| Some(d.trim().to_string()))
            },
            version: Some(stay.version),
            ..Default::default()
        };
        d_errors.clear();
        busy.set(true);
        spawn_local(async move {
            let result = api::update_encounter(stay.id, &patch, stay.version).await;
            busy.set(false);
            match result {
                Ok(e) => {
                    discharging.set(None);
                    d_at.set(String::new());
                    d_disposition.set(String::new());
                    announce(&e);
                    load(false);
                }
                Err(e) if e.is(412) => {
                    discharging.set(None);
                    error.set(Some(stale("This stay")));
                    load(false);
                }
                Err(e) => d_errors.show(e, DISCHARGE_FIELDS),
            }
        });
    };

    let kind_choices = Signal::stored(choices(
        EncounterKind::VARIANTS,
        kind_words,
        Some("Choose the kind of stay…"),
    ));
    let now_max = format::datetime_local_value(Utc::now());

    view! {
        <section aria-labelledby="tab-heading">
            <div class="section-head">
                <h2 id="tab-heading">"Encounters"</h2>
                {can_write
                    .then(|| {
                        view! {
                            <AddFormToggle label="Record admission or discharge" controls="encounter-form" first_field="enc-kind" open=adding on_toggle=Callback::new(move |_| errors.clear()) />
                        }
                    })}
            </div>
            <div id="encounters-notice" class="banner-slot" role="status" tabindex="-1">
                {move || notice.get().map(|m| view! { <div class="banner banner-success">{m}</div> })}
            </div>
            <ErrorBanner error=error />
            <div id="encounter-form">
                <Show when=move || adding.get()>
                    <form class="card stack" novalidate on:submit=record aria-labelledby="record-stay-heading">
                        <h3 id="record-stay-heading">"Record an admission or discharge"</h3>
                        <p class="hint">
                            "Enter the discharge time too when the patient has already left: a transition follow-up is then due within 24 hours."
                        </p>
                        <ErrorBanner error=errors.banner />
                        <div class="grid grid-2">
                            <SelectField
                                id="enc-kind"
                                label="Kind of stay"
                                required=true
                                value=kind
                                options=kind_choices
                                on_change=Callback::new(move |v| {
                                    kind.set(v);
                                    errors.clear_field("kind");
                                })
                                error=errors.field("kind", "Kind of stay")
                            />
                            <TextField
                                id="enc-facility"
                                label="Facility"
                                required=true
                                value=facility
                                on_input=Callback::new(move |v| {
                                    facility.set(v);
                                    errors.clear_field("facility");
                                })
                                error=errors.field("facility", "Facility")
                            />
                            <TextField
                                id="enc-admitted"
                                label="Admitted at"
                                input_type="datetime-local"
                                required=true
                                max=now_max.clone()
                                value=admitted
                                on_input=Callback::new(move |v| {
                                    admitted.set(v);
                                    errors.clear_field("admitted_at");
                                })
                                error=errors.field("admitted_at", "Admission time")
                            />
                            <TextField
                                id="enc-discharged"
                                label="Discharged at"
                                input_type="datetime-local"
                                hint="Leave empty while the patient is still admitted."
                                max=now_max.clone()
                                value=discharged
                                on_input=Callback::new(move |v| {
                                    discharged.set(v);
                                    errors.clear_field("discharged_at");
                                })
                                error=errors.field("discharged_at", "Discharge time")
                            />
                            <TextField
                                id="enc-disposition"
                                label="Discharge disposition"
                                hint="Home, shelter, residential treatment …"
                                value=disposition
                                on_input=Callback::new(move |v| {
                                    disposition.set(v);
                                    errors.clear_field("discharge_disposition");
                                })
                                error=errors.field("discharge_disposition", "Disposition")
                            />
                        </div>
                        <div class="form-actions">
                            <button type="submit" class="button primary" disabled=move || busy.get()>
                                {move || if busy.get() { "Recording…" } else { "Record stay" }}
                            </button>
                            <button type="button" class="button secondary" on:click=move |_| adding.set(false)>
                                "Cancel"
                            </button>
                        </div>
                    </form>
                </Show>
            </div>

            <Show when=move || loading.get() && encounters.with(Vec::is_empty)>
                <Loading what="encounters" />
            </Show>
            <Show when=move || !loading.get() && encounters.with(Vec::is_empty) && error.with(Option::is_none)>
                <p class="muted">"No hospital, ED or crisis-center stays recorded."</p>
            </Show>
            <Show when=move || !encounters.with(Vec::is_empty)>
                <div class="table-wrap">
                    <table class="data-table responsive-table">
                        <caption class="visually-hidden">"Encounters"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Facility"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col">"Admitted"</th>
                                <th scope="col">"Discharged"</th>
                                <th scope="col">"Disposition"</th>
                                <th scope="col">"Source"</th>
                                <th scope="col">
                                    <span class="visually-hidden">"Actions"</span>
                                </th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || encounters.get()
                                key=|e| (e.id, e.version)
                                children=move |e| {
                                    let open = e.discharged_at.is_none();
                                    let stay = e.clone();
                                    view! {
                                        <tr>
                                            <th scope="row" data-label="Facility">{e.facility.clone()}</th>
                                            <td data-label="Kind">{kind_words(e.kind)}</td>
                                            <td data-label="Admitted">{format::datetime(e.admitted_at)}</td>
                                            <td data-label="Discharged">
                                                {match e.discharged_at {
                                                    Some(at) => format::datetime(at).into_any(),
                                                    None => view! { <Tag text="Still admitted" kind="warn" /> }.into_any(),
                                                }}
                                            </td>
                                            <td data-label="Disposition">
                                                {e.discharge_disposition.clone().unwrap_or_default()}
                                            </td>
                                            <td data-label="Source">{format::words(e.source.as_ref())}</td>
                                            <td class="actions">
                                                {(can_write && open)
                                                    .then(|| {
                                                        let label = format!("Record discharge from {}", e.facility);
                                                        view! {
                                                            <button
                                                                type="button"
                                                                class="button small secondary"
                                                                aria-label=label
                                                                on:click=move |_| {
                                                                    d_errors.clear();
                                                                    d_at.set(format::datetime_local_value(Utc::now()));
                                                                    discharging.set(Some(stay.clone()));
                                                                    focus_later("dis-at".into());
                                                                }
                                                            >
                                                                "Record discharge"
                                                            </button>
                                                        }
                                                    })}
                                            </td>
                                        </tr>
                                    }
                                }
                            />
                        </tbody>
                    </table>
                </div>
            </Show>
            <LoadMore
                has_more=Signal::derive(move || next_cursor.with(Option::is_some))
                loading=loading
                on_load=Callback::new(move |_| load(true))
                label="Load more encounters"
            />

            {move || {
                discharging
                    .get()
                    .map(|stay| {
                        view! {
                            <form
                                class="card stack"
                                novalidate
                                on:submit=add_discharge
                                aria-labelledby="discharge-heading"
                            >
                                <h3 id="discharge-heading">
                                    {format!("Record the discharge from {}", stay.facility)}
                                </h3>
                                <p class="muted small">
                                    {format!("Admitted {}", format::datetime(stay.admitted_at))}
                                </p>
                                <ErrorBanner error=d_errors.banner />
                                <div class="grid grid-2">
                                    <TextField
                                        id="dis-at"
                                        label="Discharged at"
                                        input_type="datetime-local"
                                        required=true
                                        value=d_at
                                        on_input=Callback::new(move |v| {
                                            d_at.set(v);
                                            d_errors.clear_field("discharged_at");
                                        })
                                        error=d_errors.field("discharged_at", "Discharge time")
                                    />
                                    <TextField
                                        id="dis-disposition"
                                        label="Discharge disposition"
                                        value=d_disposition
                                        on_input=Callback::new(move |v| d_disposition.set(v))
                                        error=d_errors.field("discharge_disposition", "Disposition")
                                    />
                                </div>
                                <div class="form-actions">
                                    <button type="submit" class="button primary" disabled=move || busy.get()>
                                        {move || if busy.get() { "Saving…" } else { "Save discharge" }}
                                    </button>
                                    <button
                                        type="button"
                                        class="button secondary"
                                        on:click=move |_| discharging.set(None)
                                    >
                                        "Cancel"
                                    </button>
                                </div>
                            </form>
                        }
                    })
            }}
        </section>
    }
    .into_any()
}

/// The time rules of a stay (the shared ones the API applies), as field errors.
fn time_errors(admitted_at: DateTime<Utc>, discharged_at: DateTime<Utc>) -> Vec<FieldError> {
    let mut errors = validator::ValidationErrors::new();
    shared::encounters::check_times(&mut errors, admitted_at, Some(discharged_at), Utc::now());
    if errors.is_empty() {
        vec![]
    } else {
        shared::validation::field_errors(&errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Option<DateTime<Utc>> {
        format::parse_datetime_local_in(s, &Utc)
    }

    #[test]
    fn a_missing_admission_time_is_required_and_a_missing_discharge_is_fine() {
        assert_eq!(
            read_moment(" ", "admitted_at", true, parse)
                .unwrap_err()
                .message,
            "is required"
        );
        assert_eq!(read_moment("", "discharged_at", false, parse), Ok(None));
        assert_eq!(
            read_moment("2026-03-02T14:10", "admitted_at", true, parse),
            Ok(Some("2026-03-02T14:10:00Z".parse().unwrap()))
        );
        assert_eq!(
            read_moment("soon", "discharged_at", false, parse)
                .unwrap_err()
                .field,
            "discharged_at"
        );
    }

    #[test]
    fn kinds_of_stay_read_as_words() {
        assert_eq!(kind_words(EncounterKind::Ed), "ED");
        assert_eq!(kind_words(EncounterKind::Bhcc), "Crisis center");
        assert_eq!(
            kind_words(EncounterKind::InpatientPsych),
            "Inpatient psychiatric"
        );
    }
}
