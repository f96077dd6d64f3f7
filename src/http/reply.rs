//! Small response bodies shared by several handlers.
//!
//! Field order: `serde_json` is built without `preserve_order`, so the bodies the API
//! answered before they were typed (built with `json!`) carried their keys in alphabetical
//! (byte) order. The response structs of `http` declare their fields in that same order so
//! every answer stays byte-identical; `tests/openapi.rs` checks it for the shared ones.

use serde::Serialize;
use utoipa::ToSchema;

/// `{"detail": "…"}`: what a change answers when it has nothing else to return.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Detail {
    /// A sentence in Spanish for the user.
    pub detail: String,
}

impl Detail {
    pub fn new(detail: impl Into<String>) -> Detail {
        Detail { detail: detail.into() }
    }
}

/// `{"id": "…"}`: the identifier of what a request created or changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedId {
    pub id: String,
}

/// Schema and key order of values from other layers that the API answers with their keys
/// sorted, as a `json!` object sorted them: the value is serialised through a
/// `serde_json::Value` (a sorted map) instead of in its declaration order.
pub fn sorted_keys<T: Serialize, S: serde::Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serde_json::to_value(value).map_err(serde::ser::Error::custom)?.serialize(serializer)
}
