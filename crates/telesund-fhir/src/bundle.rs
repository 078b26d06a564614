//! Search results as a `searchset` Bundle.

use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Bundle<T: Serialize> {
    #[serde(rename = "resourceType")]
    pub resource_type: &'static str,
    #[serde(rename = "type")]
    pub type_: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
    pub link: Vec<Link>,
    pub entry: Vec<SearchEntry<T>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Link {
    pub relation: &'static str,
    pub url: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchEntry<T: Serialize> {
    pub full_url: String,
    pub resource: T,
    pub search: SearchMode,
}

#[derive(Clone, Debug, Serialize)]
pub struct SearchMode {
    pub mode: &'static str,
}

impl<T: Serialize> Bundle<T> {
    /// A search set. `total` is set only when the set is complete (no next page), since
    /// counting every match of a paged search would cost a second query.
    pub fn searchset(
        base: &str,
        self_url: String,
        next_url: Option<String>,
        resources: Vec<(String, T)>,
    ) -> Bundle<T> {
        let mut link = vec![Link {
            relation: "self",
            url: self_url,
        }];
        let complete = next_url.is_none();
        if let Some(next) = next_url {
            link.push(Link {
                relation: "next",
                url: next,
            });
        }
        Bundle {
            resource_type: "Bundle",
            type_: "searchset",
            total: complete.then_some(resources.len()),
            link,
            entry: resources
                .into_iter()
                .map(|(path, resource)| SearchEntry {
                    full_url: format!("{base}/{path}"),
                    resource,
                    search: SearchMode { mode: "match" },
                })
                .collect(),
        }
    }
}
