//! The education tab: the records, newest first, and the form that adds one.

use leptos::prelude::*;
use shared::auth::Permission;
use shared::education::{EducationAudience, EducationRecord};

use super::form::EducationForm;
use crate::client;
use crate::components::{
    AddFormState, AddFormToggle, Column, PagedTable, TabSection, Tag, use_paged_list,
};
use crate::dom::focus_later;
use crate::format;
use crate::pages::patient::context::PatientCtx;
use crate::state::use_auth;

/// Records per page.
const PAGE: i64 = 50;

const COLUMNS: &[Column] = &[
    Column::Text("Given"),
    Column::Text("Topic"),
    Column::Text("Title"),
    Column::Text("Taught to"),
    Column::Text("Method"),
    Column::Text("Understanding"),
    Column::Text("Language"),
];

/// What to say once a record is saved.
pub fn recorded_notice(r: &EducationRecord) -> String {
    format!(
        "Education recorded: {} ({}).",
        r.title,
        r.understanding.label().to_lowercase()
    )
}

/// The education tab.
#[component]
pub fn PatientEducationTab() -> impl IntoView {
    let Some(patient_id) = PatientCtx::open_tab("Education") else {
        return ().into_any();
    };
    let can_write = use_auth().can(Permission::PatientsWrite);
    let list = use_paged_list(PAGE, move |page| async move {
        client::list_education(patient_id, &page).await
    });
    list.reload();
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None);
    let form = AddFormState::new();
    let on_added = Callback::new(move |r: EducationRecord| {
        notice.set(Some(recorded_notice(&r)));
        focus_later("education-notice");
        list.reload();
    });

    view! {
        <TabSection
            title="Education"
            action=move || {
                can_write
                    .then(|| {
                        view! {
                            <AddFormToggle
                                label="Record education"
                                controls="education-form"
                                first_field="edu-topic"
                                form=form
                            />
                        }
                    })
            }
            notice=(notice, "education-notice")
            error=list.error_or(error)
        >
            {can_write.then(|| view! { <EducationForm patient_id=patient_id form=form on_added=on_added /> })}
            <PagedTable
                list=list
                what="education"
                more="Load more education"
                empty=|| view! { <p class="muted">"No education recorded yet."</p> }
                caption="Education, newest first"
                columns=COLUMNS
                class="education-table"
            >
                <For
                    each=move || list.items.get()
                    key=|r| r.id
                    children=move |r| {
                        let who = match r.audience {
                            EducationAudience::Patient => "Patient".to_string(),
                            EducationAudience::Contact => "Contact".to_string(),
                        };
                        view! {
                            <tr>
                                <th scope="row" data-label="Given">{format::datetime(r.provided_at)}</th>
                                <td data-label="Topic">{r.topic.label()}</td>
                                <td data-label="Title">
                                    {r.title.clone()}
                                    {r.materials.clone().map(|m| view! {
                                        <br />
                                        <span class="muted small">{format!("Materials: {m}")}</span>
                                    })}
                                </td>
                                <td data-label="Taught to">{who}</td>
                                <td data-label="Method">{r.method.label()}</td>
                                <td data-label="Understanding">
                                    <Tag
                                        text=r.understanding.label()
                                        kind=match r.understanding {
                                            shared::education::Understanding::ConfirmedTeachBack => "ok",
                                            shared::education::Understanding::NeedsReinforcement => "warn",
                                            shared::education::Understanding::NotAssessed => "muted",
                                        }
                                    />
                                </td>
                                <td data-label="Language">
                                    {format::language_name(&r.language)}
                                    {r.interpreter_used.then_some(" · interpreter")}
                                </td>
                            </tr>
                        }
                    }
                />
            </PagedTable>
        </TabSection>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use shared::education::{EducationMethod, EducationTopic, Understanding};
    use shared::ids::PatientId;
    use uuid::Uuid;

    #[test]
    fn the_notice_names_the_title_and_the_understanding() {
        let r = EducationRecord {
            id: Uuid::nil(),
            patient_id: PatientId::from(Uuid::nil()),
            topic: EducationTopic::Medication,
            title: "Taking sertraline".into(),
            audience: EducationAudience::Patient,
            contact_id: None,
            method: EducationMethod::TeachBack,
            materials: None,
            understanding: Understanding::NeedsReinforcement,
            language: "es".into(),
            interpreter_used: false,
            provided_at: Utc::now(),
            provided_by: None,
            created_at: Utc::now(),
            version: 1,
        };
        assert_eq!(
            recorded_notice(&r),
            "Education recorded: Taking sertraline (needs reinforcement)."
        );
    }
}
