//! The table of a patient's hospital, ED, crisis-center and detox stays.

use leptos::prelude::*;
use shared::encounters::{Encounter, EncounterKind};

use super::row_actions::{Discharge, DischargeButton};
use crate::components::{Column, PagedList, PagedTable, Tag};
use crate::format;

/// The stay table's columns.
const COLUMNS: &[Column] = &[
    Column::Text("Facility"),
    Column::Text("Kind"),
    Column::Text("Admitted"),
    Column::Text("Discharged"),
    Column::Text("Disposition"),
    Column::Text("Source"),
    Column::Actions,
];

/// A kind of stay, in words for a list: `ED`, `Inpatient psychiatric`.
pub fn kind_words(kind: EncounterKind) -> String {
    let label = kind.label();
    if label.chars().all(char::is_uppercase) {
        label.to_string()
    } else {
        format::words(label)
    }
}

/// The stays, newest first, each still-open one with a way to record its
/// discharge (when `can_write`).
#[component]
pub fn EncounterTable(
    /// The stays.
    list: PagedList<Encounter>,
    /// Whether the person may record discharges.
    can_write: bool,
    /// The discharge being recorded.
    discharge: Discharge,
) -> impl IntoView {
    view! {
        <PagedTable
            list=list
            what="encounters"
            more="Load more encounters"
            empty=|| view! { <p class="muted">"No hospital, ED or crisis-center stays recorded."</p> }
            caption="Encounters"
            columns=COLUMNS
        >
            <For
                each=move || list.items.get()
                key=|e| (e.id, e.version)
                children=move |e| {
                    let open = e.discharged_at.is_none();
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
                                    .then(|| view! { <DischargeButton stay=e.clone() discharge=discharge /> })}
                            </td>
                        </tr>
                    }
                }
            />
        </PagedTable>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
