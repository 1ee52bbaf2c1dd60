//! The one table every list screen uses: a caption for screen readers,
//! column headings, and rows that turn into labelled cards on a phone
//! (each cell's `data-label` names its column there).

use leptos::prelude::*;

/// A column of a [`DataTable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// A column of words.
    Text(&'static str),
    /// A column of counts, aligned for comparing.
    Count(&'static str),
    /// The rows' buttons; the heading is for screen readers only.
    Actions,
}

/// A responsive data table; `children` are its rows.
#[component]
pub fn DataTable(
    /// What the table lists (read by screen readers).
    caption: &'static str,
    /// The columns, in order.
    columns: &'static [Column],
    /// Another class for the table (column sizing); none when empty.
    #[prop(optional)]
    class: &'static str,
    /// The rows.
    children: Children,
) -> impl IntoView {
    let table_class = if class.is_empty() {
        "data-table responsive-table".to_string()
    } else {
        format!("data-table responsive-table {class}")
    };
    let headings = columns
        .iter()
        .map(|column| match *column {
            Column::Text(label) => view! { <th scope="col">{label}</th> }.into_any(),
            Column::Count(label) => view! { <th scope="col" class="num">{label}</th> }.into_any(),
            Column::Actions => view! {
                <th scope="col">
                    <span class="visually-hidden">"Actions"</span>
                </th>
            }
            .into_any(),
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class=table_class>
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>{headings}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
