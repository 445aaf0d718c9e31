//! An answer as the function keeps it: what validation produces and the stores, exports and
//! privacy requests read, so none of them depends on another for it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A stored value: text, or the chosen values of a list of choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Text(String),
    List(Vec<String>),
}

/// A submission's answers, by field name.
pub type Answers = BTreeMap<String, Value>;
