//! The one way the SPA shows a list the API pages: [`use_paged_list`] keeps
//! the rows fetched so far, the cursor of the next page, whether a page is
//! on its way and why the last one failed; [`PagedItems`] shows the rows
//! (or "Loading …", or what to say when there are none) and the "Load
//! more" button. Every list screen uses the pair, so paging, stale answers
//! and empty states behave the same everywhere.

use std::future::Future;
use std::rc::Rc;

use futures_util::FutureExt;
use futures_util::future::LocalBoxFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::pagination::{Page, PageQuery};

use crate::components::banner::Loading;
use crate::components::table::{Column, DataTable};
use crate::transport::ApiError;

/// Fetches one page of a list.
type Fetch<T> = Rc<dyn Fn(PageQuery) -> LocalBoxFuture<'static, Result<Page<T>, ApiError>>>;

/// Tells two rows apart from the same row fetched twice.
pub type SameRow<T> = fn(&T, &T) -> bool;

/// A list fetched a page at a time (see [`use_paged_list`]). It is `Copy`,
/// so event handlers and views take it along freely.
pub struct PagedList<T: Send + Sync + 'static> {
    /// The rows fetched so far; screens may change them in place (a row
    /// that was worked on, a row just added).
    pub items: RwSignal<Vec<T>>,
    /// Whether a page is on its way.
    pub loading: RwSignal<bool>,
    /// Why the last page could not be fetched.
    pub error: RwSignal<Option<ApiError>>,
    next_cursor: RwSignal<Option<String>>,
    limit: i64,
    ticket: StoredValue<u32>,
    same: Option<SameRow<T>>,
    fetch: StoredValue<Fetch<T>, LocalStorage>,
}

impl<T: Send + Sync + 'static> Clone for PagedList<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for PagedList<T> {}

/// A list whose pages of `limit` rows `fetch` gets. Nothing is fetched
/// until [`PagedList::reload`] is called (at once, or from an effect that
/// follows the screen's filters).
pub fn use_paged_list<T, F, Fut>(limit: i64, fetch: F) -> PagedList<T>
where
    T: Send + Sync + 'static,
    F: Fn(PageQuery) -> Fut + 'static,
    Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
{
    let fetch: Fetch<T> = Rc::new(move |query| fetch(query).boxed_local());
    PagedList {
        items: RwSignal::new(Vec::new()),
        // A list is fetched as soon as it is made: "Loading …" from the
        // start, never a flash of the empty state.
        loading: RwSignal::new(true),
        error: RwSignal::new(None),
        next_cursor: RwSignal::new(None),
        limit,
        ticket: StoredValue::new(0),
        same: None,
        fetch: StoredValue::new_local(fetch),
    }
}

impl<T: Send + Sync + 'static> PagedList<T> {
    /// Skips rows of a further page that `same` finds already listed (a
    /// ranked list can shift between two pages).
    #[must_use]
    pub fn skip_repeats(mut self, same: SameRow<T>) -> Self {
        self.same = Some(same);
        self
    }

    /// Fetches the first page again; its rows replace the list's.
    pub fn reload(self) {
        self.load(false);
    }

    /// Fetches the next page and appends its rows.
    pub fn load_more(self) {
        self.load(true);
    }

    /// Whether there is a page after the rows fetched so far (tracked).
    pub fn has_more(self) -> bool {
        self.next_cursor.with(Option::is_some)
    }

    /// Whether no rows are listed (tracked).
    pub fn is_empty(self) -> bool {
        self.items.with(Vec::is_empty)
    }

    /// How many rows are listed (tracked).
    pub fn len(self) -> usize {
        self.items.with(Vec::len)
    }

    /// The error to show above the list: what went wrong with the screen's
    /// last action (`action`), else why the last page failed.
    pub fn error_or(self, action: RwSignal<Option<ApiError>>) -> Signal<Option<ApiError>> {
        Signal::derive(move || action.get().or_else(|| self.error.get()))
    }

    fn load(self, more: bool) {
        let query = page_query(self.limit, more, self.next_cursor.get_untracked());
        // Only the answer to the latest request counts: a slow first page
        // must not overwrite the one asked for after the filters changed.
        self.ticket.update_value(|t| *t = t.wrapping_add(1));
        let ticket = self.ticket.get_value();
        let Some(request) = self.fetch.try_with_value(|fetch| fetch(query)) else {
            return;
        };
        self.loading.set(true);
        self.error.set(None);
        spawn_local(async move {
            let result = request.await;
            if self.ticket.try_get_value() != Some(ticket) {
                return;
            }
            self.loading.set(false);
            match result {
                Ok(page) => {
                    self.items
                        .update(|items| merge_page(items, page.items, more, self.same));
                    self.next_cursor.set(page.next_cursor);
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }
}

/// The page to ask for: the first one, or the one after `next_cursor`.
pub fn page_query(limit: i64, more: bool, next_cursor: Option<String>) -> PageQuery {
    if more {
        PageQuery::after(Some(limit), next_cursor)
    } else {
        PageQuery::first(limit)
    }
}

/// Puts a fetched page into the list: a first page replaces the rows, a
/// further page is appended (without the rows `same` finds already there).
pub fn merge_page<T>(items: &mut Vec<T>, fresh: Vec<T>, more: bool, same: Option<SameRow<T>>) {
    if !more {
        *items = fresh;
        return;
    }
    for row in fresh {
        if !same.is_some_and(|same| items.iter().any(|x| same(x, &row))) {
            items.push(row);
        }
    }
}

/// A page with its rows changed by `f` (the cursor stays).
pub fn map_page<T, U>(page: Page<T>, f: impl FnMut(T) -> U) -> Page<U> {
    Page {
        items: page.items.into_iter().map(f).collect(),
        next_cursor: page.next_cursor,
    }
}

/// The rows of a paged list, or "Loading …" while the first rows are on
/// their way, or `empty` when there are none; then "Load more" while there
/// is a next page.
#[component]
pub fn PagedItems<T>(
    /// The list.
    list: PagedList<T>,
    /// What is loading ("patients" reads "Loading patients…").
    what: &'static str,
    /// The words of the button that fetches the next page.
    more: &'static str,
    /// What to show when the list is empty (nothing by default).
    #[prop(optional, into)]
    empty: ViewFn,
    /// The rows.
    children: ChildrenFn,
) -> impl IntoView
where
    T: Send + Sync + 'static,
{
    let nothing = move || {
        if list.loading.get() {
            view! { <Loading what=what /> }.into_any()
        } else if list.error.with(Option::is_none) {
            empty.run()
        } else {
            ().into_any()
        }
    };
    view! {
        <Show when=move || !list.is_empty() fallback=nothing>
            {children()}
        </Show>
        <Show when=move || list.has_more()>
            <div class="load-more">
                <button
                    type="button"
                    class="button secondary"
                    disabled=move || list.loading.get()
                    on:click=move |_| list.load_more()
                >
                    {move || if list.loading.get() { "Loading…" } else { more }}
                </button>
            </div>
        </Show>
    }
}

/// A paged list shown as a [`DataTable`]: [`PagedItems`] around a table
/// whose rows are `children`.
#[component]
pub fn PagedTable<T>(
    /// The list.
    list: PagedList<T>,
    /// What is loading ("patients" reads "Loading patients…").
    what: &'static str,
    /// The words of the button that fetches the next page.
    more: &'static str,
    /// What to show when the list is empty (nothing by default).
    #[prop(optional, into)]
    empty: ViewFn,
    /// What the table lists (read by screen readers).
    caption: &'static str,
    /// The columns, in order.
    columns: &'static [Column],
    /// Another class for the table.
    #[prop(optional)]
    class: Option<&'static str>,
    /// The rows.
    children: ChildrenFn,
) -> impl IntoView
where
    T: Send + Sync + 'static,
{
    view! {
        <PagedItems list=list what=what more=more empty=empty>
            {
                let rows = children.clone();
                view! {
                    <DataTable caption=caption columns=columns class=class.unwrap_or_default()>
                        {rows()}
                    </DataTable>
                }
            }
        </PagedItems>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_page_has_no_cursor_and_a_further_one_follows_the_last() {
        assert_eq!(
            page_query(25, false, Some("c1".into())),
            PageQuery::first(25)
        );
        assert_eq!(
            page_query(25, true, Some("c1".into())),
            PageQuery {
                limit: Some(25),
                cursor: Some("c1".into())
            }
        );
    }

    #[test]
    fn a_first_page_replaces_the_rows_and_a_further_page_is_appended() {
        let mut rows = vec![1, 2, 3];
        merge_page(&mut rows, vec![7, 8], false, None);
        assert_eq!(rows, vec![7, 8]);
        merge_page(&mut rows, vec![9, 8], true, None);
        assert_eq!(rows, vec![7, 8, 9, 8], "without a rule, repeats stay");
    }

    #[test]
    fn rows_already_listed_are_skipped_when_the_list_says_so() {
        let same: SameRow<(u8, &str)> = |a, b| a.0 == b.0;
        let mut rows = vec![(1, "a"), (2, "b")];
        merge_page(&mut rows, vec![(2, "b again"), (3, "c")], true, Some(same));
        assert_eq!(rows, vec![(1, "a"), (2, "b"), (3, "c")]);
        merge_page(&mut rows, vec![(2, "fresh")], false, Some(same));
        assert_eq!(rows, vec![(2, "fresh")], "a first page is taken as it is");
    }

    #[test]
    fn a_mapped_page_keeps_its_cursor() {
        let page = Page {
            items: vec![1, 2],
            next_cursor: Some("next".to_string()),
        };
        let mapped = map_page(page, |n| n * 10);
        assert_eq!(mapped.items, vec![10, 20]);
        assert_eq!(mapped.next_cursor.as_deref(), Some("next"));
    }
}
