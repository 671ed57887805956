//! Reading a list to its end. The three lists (routes, versions, deployments)
//! nest their array one level down, under the plural name, with the paging
//! fields beside it: `{"data": {"routes": [...], "page": 1, "per_page": 20,
//! "order_by", "order_by_direction"}, "success": true}`; some clients see the
//! same object under `result`. There is no total count: a page shorter than the
//! `per_page` the server echoes is the last. A list that cannot be read to its
//! end is an error, never a shorter list, because "not in the list" makes
//! `push` create a route, and creating a route deploys it.

use serde_json::Value;

use super::ApiError;
use super::client::Client;

/// One page: its items and the `page` / `per_page` the server echoed.
#[derive(Debug, PartialEq)]
pub(super) struct Page {
    pub items: Vec<Value>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The page in a list envelope: `data.<plural>` or `result.data.<plural>`;
/// a bare array under `data` or `result` is read too (no paging fields then).
pub(super) fn page_of(doc: &Value, plural: &str) -> Option<Page> {
    let data = doc
        .get("data")
        .or_else(|| doc.get("result").and_then(|r| r.get("data")))
        .or_else(|| doc.get("result"))?;
    match data {
        Value::Array(items) => Some(Page {
            items: items.clone(),
            page: None,
            per_page: None,
        }),
        Value::Object(o) => {
            let number = |k: &str| {
                o.get(k)
                    .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
            };
            Some(Page {
                items: o.get(plural)?.as_array()?.clone(),
                page: number("page"),
                per_page: number("per_page"),
            })
        }
        _ => None,
    }
}

impl Client {
    /// Every item of the list at `path` (`/routes`, `/routes/{id}/versions`, ...),
    /// all pages, or an error saying why the list cannot be read to its end.
    pub(super) fn list(&self, path: &str, plural: &str) -> Result<Vec<Value>, ApiError> {
        let per_page = self.limits.per_page.max(1);
        let mut out = Vec::new();
        let mut bytes = 0usize;
        let mut previous: Vec<Value> = Vec::new();
        let incomplete = |why: String| ApiError::Incomplete {
            request: self.request_name("GET", path),
            why,
        };
        for page in 1..=self.limits.max_pages.max(1) {
            let (doc, size) = self.get(&format!("{path}?page={page}&per_page={per_page}"))?;
            bytes = bytes.saturating_add(size);
            if bytes > self.limits.list_budget {
                return Err(incomplete(format!(
                    "its pages hold more than {}, the most this tool reads",
                    super::client::size_words(self.limits.list_budget)
                )));
            }
            let Page {
                items,
                page: echoed,
                per_page: echoed_per,
            } = page_of(&doc, plural).ok_or_else(|| {
                incomplete(format!(
                    "page {page} has no `data.{plural}` array (nor `result.data.{plural}`)"
                ))
            })?;
            if let Some(p) = echoed.filter(|p| *p != page) {
                return Err(incomplete(format!(
                    "asked for page {page}, the service answered page {p}"
                )));
            }
            if !items.is_empty() && items == previous {
                return Err(incomplete(format!(
                    "page {page} repeats page {} item for item",
                    page - 1
                )));
            }
            let n = items.len() as u64;
            out.extend(items.iter().cloned());
            // Without an echoed `per_page` (a bare array), the one asked for
            // decides: a full page may have a next one, so it is asked for.
            if n == 0 || n < echoed_per.unwrap_or(per_page) {
                return Ok(out);
            }
            previous = items;
        }
        Err(incomplete(format!(
            "it runs past {} pages of {per_page}",
            self.limits.max_pages
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pages_are_read_under_the_plural_name_with_or_without_result() {
        let sdk = json!({"data": {"routes": [1, 2], "page": 1, "per_page": 2, "order_by": "created_at", "order_by_direction": "asc"}, "success": true});
        assert_eq!(
            page_of(&sdk, "routes"),
            Some(Page {
                items: vec![json!(1), json!(2)],
                page: Some(1),
                per_page: Some(2)
            })
        );
        let wrapped = json!({"success": true, "result": {"data": {"versions": [3], "page": 2, "per_page": 20}}});
        assert_eq!(page_of(&wrapped, "versions").unwrap().items, vec![json!(3)]);
        assert_eq!(page_of(&wrapped, "versions").unwrap().page, Some(2));
        // The wrong plural is no list at all, never an empty one.
        assert_eq!(page_of(&sdk, "versions"), None);
        // Bare arrays are still read (paged by the `per_page` asked for).
        let bare = json!({"success": true, "data": [4]});
        assert_eq!(page_of(&bare, "routes").unwrap().per_page, None);
        let result_bare = json!({"success": true, "result": [5]});
        assert_eq!(
            page_of(&result_bare, "routes").unwrap().items,
            vec![json!(5)]
        );
        assert_eq!(page_of(&json!({"success": true}), "routes"), None);
    }
}
