//! Pages for addresses that lead nowhere and pages a role may not use.

use leptos::prelude::*;

use crate::dom::set_title;

/// No such page.
#[component]
pub fn NotFound() -> impl IntoView {
    set_title("Page not found");
    view! {
        <main class="center-page">
            <div class="card narrow">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address."</p>
                <p>
                    <a href="/patients" class="button primary">
                        "Go to patients"
                    </a>
                </p>
            </div>
        </main>
    }
}

/// The signed-in person's role does not allow this page.
#[component]
pub fn NotAllowed() -> impl IntoView {
    set_title("Not allowed");
    view! {
        <div class="card narrow">
            <h1>"You do not have access to this page"</h1>
            <p>"Your role does not include this part of Care Manager. Ask an administrator if you need it."</p>
            <p>
                <a href="/patients">"Back to patients"</a>
            </p>
        </div>
    }
}
