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

/// An incoming transaction or batch Bundle: what each entry asks.
#[derive(Clone, Debug, PartialEq)]
pub struct Submission {
    /// True for a transaction (all or nothing), false for a batch.
    pub transaction: bool,
    pub entries: Vec<SubmittedEntry>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SubmittedEntry {
    pub method: String,
    /// The request URL's resource type, e.g. `Observation` for `Observation` or
    /// `Observation?...`.
    pub resource_type: String,
    pub resource: Option<serde_json::Value>,
}

/// Reads a transaction or batch Bundle's envelope; each entry's resource is parsed by the
/// resource's own reader. Unknown elements are refused by their FHIRPath, as everywhere.
pub fn parse_submission(
    json: &serde_json::Value,
) -> Result<Submission, crate::patient::InputError> {
    use serde_json::Value;
    let fail = |at: &str, msg: String| crate::patient::InputError {
        code: telesund_core::ErrorCode::InvalidInput,
        message: msg,
        expression: Some(at.to_string()),
    };
    let obj = json
        .as_object()
        .ok_or_else(|| fail("Bundle", "a Bundle is a JSON object".into()))?;
    if obj.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Err(fail(
            "resourceType",
            "POST /fhir takes a Bundle of type transaction or batch".into(),
        ));
    }
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "resourceType" | "id" | "meta" | "type" | "entry" | "timestamp" | "identifier"
        ) {
            return Err(unknown(&format!("Bundle.{key}"), key));
        }
    }
    let transaction = match obj.get("type").and_then(Value::as_str) {
        Some("transaction") => true,
        Some("batch") => false,
        Some(other) => {
            return Err(fail(
                "Bundle.type",
                format!("a Bundle sent to /fhir must be a transaction or a batch, not {other}"),
            ));
        }
        None => return Err(fail("Bundle.type", "a Bundle needs a type".into())),
    };
    let empty = Vec::new();
    let entries = match obj.get("entry") {
        None => &empty,
        Some(Value::Array(a)) => a,
        Some(_) => return Err(fail("Bundle.entry", "Bundle.entry must be an array".into())),
    };
    let mut out = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let at = format!("Bundle.entry[{i}]");
        let e = e
            .as_object()
            .ok_or_else(|| fail(&at, "an entry is a JSON object".into()))?;
        for key in e.keys() {
            if !matches!(key.as_str(), "fullUrl" | "resource" | "request") {
                return Err(unknown(&format!("{at}.{key}"), key));
            }
        }
        let request = e.get("request").and_then(Value::as_object).ok_or_else(|| {
            fail(
                &format!("{at}.request"),
                "each entry needs a request (method and url)".into(),
            )
        })?;
        for key in request.keys() {
            if !matches!(key.as_str(), "method" | "url") {
                return Err(unknown(&format!("{at}.request.{key}"), key));
            }
        }
        let method = request
            .get("method")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                fail(
                    &format!("{at}.request.method"),
                    "the request needs a method".into(),
                )
            })?;
        let url = request.get("url").and_then(Value::as_str).ok_or_else(|| {
            fail(
                &format!("{at}.request.url"),
                "the request needs a url".into(),
            )
        })?;
        let resource_type = url.split(['?', '/']).next().unwrap_or_default().to_string();
        out.push(SubmittedEntry {
            method: method.to_string(),
            resource_type,
            resource: e.get("resource").cloned(),
        });
    }
    Ok(Submission {
        transaction,
        entries: out,
    })
}

fn unknown(at: &str, key: &str) -> crate::patient::InputError {
    crate::patient::InputError {
        code: telesund_core::ErrorCode::UnknownField,
        message: format!("unknown element '{key}'"),
        expression: Some(at.to_string()),
    }
}

/// The answer to a transaction or batch: one entry per entry sent, in order.
#[derive(Clone, Debug, Serialize)]
pub struct ResponseBundle {
    #[serde(rename = "resourceType")]
    pub resource_type: &'static str,
    #[serde(rename = "type")]
    pub type_: &'static str,
    pub entry: Vec<ResponseEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResponseEntry {
    #[serde(rename = "fullUrl", skip_serializing_if = "Option::is_none")]
    pub full_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<serde_json::Value>,
    pub response: EntryResponse,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryResponse {
    /// HTTP status with its reason phrase, e.g. "201 Created".
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<serde_json::Value>,
}

impl ResponseBundle {
    pub fn new(transaction: bool, entry: Vec<ResponseEntry>) -> Self {
        ResponseBundle {
            resource_type: "Bundle",
            type_: if transaction {
                "transaction-response"
            } else {
                "batch-response"
            },
            entry,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_transaction_and_refuses_what_it_does_not_know() {
        let b = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Observation"},
             "request": {"method": "POST", "url": "Observation"}}]});
        let s = parse_submission(&b).unwrap();
        assert!(s.transaction);
        assert_eq!(s.entries[0].method, "POST");
        assert_eq!(s.entries[0].resource_type, "Observation");

        let searchset = json!({"resourceType": "Bundle", "type": "searchset"});
        assert_eq!(
            parse_submission(&searchset)
                .unwrap_err()
                .expression
                .as_deref(),
            Some("Bundle.type")
        );
        let odd = json!({"resourceType": "Bundle", "type": "batch", "entry": [
            {"request": {"method": "POST", "url": "Observation", "ifMatch": "x"}}]});
        assert_eq!(
            parse_submission(&odd).unwrap_err().expression.as_deref(),
            Some("Bundle.entry[0].request.ifMatch")
        );
        let no_request =
            json!({"resourceType": "Bundle", "type": "batch", "entry": [{"resource": {}}]});
        assert_eq!(
            parse_submission(&no_request)
                .unwrap_err()
                .expression
                .as_deref(),
            Some("Bundle.entry[0].request")
        );
    }
}
