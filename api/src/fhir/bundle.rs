//! The `searchset` Bundle a search answers, and the `CapabilityStatement`
//! saying exactly what this server supports.

use fhirbolt::model::r4::Resource;
use fhirbolt::model::r4::resources::{
    Bundle, BundleEntry, BundleEntrySearch, BundleLink, CapabilityStatement,
    CapabilityStatementImplementation, CapabilityStatementRest, CapabilityStatementRestResource,
    CapabilityStatementRestResourceInteraction, CapabilityStatementRestResourceSearchParam,
    CapabilityStatementRestSecurity, CapabilityStatementSoftware,
};

use super::params::FhirType;

/// The FHIR version served.
pub const FHIR_VERSION: &str = "4.0.1";

/// The query string of `params`.
fn query(params: &[(String, String)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        q.append_pair(k, v);
    }
    q.finish()
}

/// `base/Type?params`.
fn search_url(base: &str, ty: FhirType, params: &[(String, String)]) -> String {
    let q = query(params);
    if q.is_empty() {
        format!("{base}/{}", ty.name())
    } else {
        format!("{base}/{}?{q}", ty.name())
    }
}

/// A page of a search as a `searchset`: the total, a `self` link (the
/// search's parameters), a `next` link carrying the opaque `_cursor` when
/// another page follows, and each resource with its `fullUrl`.
pub fn searchset(
    base: &str,
    ty: FhirType,
    echo: &[(String, String)],
    total: i64,
    resources: Vec<(String, Resource)>,
    next_cursor: Option<String>,
) -> Bundle {
    let mut link = vec![BundleLink {
        relation: "self".into(),
        url: search_url(base, ty, echo).into(),
        ..Default::default()
    }];
    if let Some(cursor) = next_cursor {
        let mut params = echo.to_vec();
        params.push(("_cursor".into(), cursor));
        link.push(BundleLink {
            relation: "next".into(),
            url: search_url(base, ty, &params).into(),
            ..Default::default()
        });
    }
    Bundle {
        r#type: "searchset".into(),
        total: Some(u32::try_from(total).unwrap_or(u32::MAX).into()),
        link,
        entry: resources
            .into_iter()
            .map(|(id, resource)| BundleEntry {
                full_url: Some(format!("{base}/{}/{id}", ty.name()).into()),
                resource: Some(resource),
                search: Some(BundleEntrySearch {
                    mode: Some("match".into()),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// What this server does: read and search (by `patient` where the type is
/// patient data, and `_lastUpdated`) of each type it serves, in JSON,
/// behind bearer tokens.
pub fn capability_statement(base: &str) -> CapabilityStatement {
    let param = |name: &str, kind: &str, doc: &str| CapabilityStatementRestResourceSearchParam {
        name: name.into(),
        r#type: kind.into(),
        documentation: Some(doc.into()),
        ..Default::default()
    };
    let resource = |ty: FhirType| CapabilityStatementRestResource {
        r#type: ty.name().into(),
        interaction: ["read", "search-type"]
            .into_iter()
            .map(|code| CapabilityStatementRestResourceInteraction {
                code: code.into(),
                ..Default::default()
            })
            .collect(),
        versioning: Some("versioned".into()),
        read_history: Some(false.into()),
        update_create: Some(false.into()),
        search_param: ty
            .search_params()
            .iter()
            .map(|name| match *name {
                "patient" => param(
                    "patient",
                    "reference",
                    "The patient: `Patient/<id>` or `<id>`; once per search.",
                ),
                _ => param(
                    "_lastUpdated",
                    "date",
                    "When the resource last changed: [eq|ge|gt|le|lt]YYYY[-MM[-DD]] (a day in \
                     the organization's time zone) or an instant with seconds and a zone; \
                     repeat for a range.",
                ),
            })
            .collect(),
        documentation: Some(
            "Results come oldest change first; `_count` (0–200, default 50) sizes a page and \
             the `next` link continues it."
                .into(),
        ),
        ..Default::default()
    };
    CapabilityStatement {
        id: Some("caremgr".into()),
        name: Some("CareManagerFhirR4".into()),
        title: Some("Care Manager FHIR R4 read API".into()),
        status: "active".into(),
        date: "2026-12-01".into(),
        publisher: Some("Care Manager".into()),
        kind: "instance".into(),
        software: Some(CapabilityStatementSoftware {
            name: "Care Manager".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
            ..Default::default()
        }),
        implementation: Some(CapabilityStatementImplementation {
            description: "Care Manager's records as FHIR R4 resources, read-only".into(),
            url: Some(base.into()),
            ..Default::default()
        }),
        fhir_version: FHIR_VERSION.into(),
        format: vec!["json".into(), "application/fhir+json".into()],
        rest: vec![CapabilityStatementRest {
            mode: "server".into(),
            documentation: Some(
                "Read-only. Every patient-data read and search is audited. Another \
                 organization's record is a 404."
                    .into(),
            ),
            security: Some(CapabilityStatementRestSecurity {
                cors: Some(false.into()),
                description: Some(
                    "`Authorization: Bearer <token>`: an access token from \
                     `POST /api/v1/auth/login`, or an API key (`cmk_…`) with the scope of the \
                     type read (`patients:read`, `encounters:read`, `appointments:read`, \
                     `tasks:read`)."
                        .into(),
                ),
                ..Default::default()
            }),
            resource: FhirType::ALL.into_iter().map(resource).collect(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_links_itself_and_the_next_page_with_the_same_parameters() {
        let echo = vec![
            ("patient".to_string(), "Patient/1".to_string()),
            ("_count".to_string(), "2".to_string()),
        ];
        let b = searchset(
            "https://x.test/fhir/r4",
            FhirType::Task,
            &echo,
            5,
            Vec::new(),
            Some("abc".into()),
        );
        let url = |i: usize| b.link[i].url.value.clone().unwrap();
        assert_eq!(
            url(0),
            "https://x.test/fhir/r4/Task?patient=Patient%2F1&_count=2"
        );
        assert_eq!(
            url(1),
            "https://x.test/fhir/r4/Task?patient=Patient%2F1&_count=2&_cursor=abc"
        );
        assert_eq!(b.total.unwrap().value, Some(5));
    }

    #[test]
    fn the_capability_statement_lists_every_type_with_read_and_search() {
        let cs = capability_statement("https://x.test/fhir/r4");
        let types: Vec<String> = cs.rest[0]
            .resource
            .iter()
            .filter_map(|r| r.r#type.value.clone())
            .collect();
        assert_eq!(types.len(), FhirType::ALL.len());
        let org = &cs.rest[0].resource[9];
        assert_eq!(org.r#type.value.as_deref(), Some("Organization"));
        assert_eq!(org.search_param.len(), 1);
    }
}
