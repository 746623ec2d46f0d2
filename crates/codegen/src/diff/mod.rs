//! What a spec change does to callers of the generated Rust API.
//!
//! [`api_diff`] compares two parsed specs through the same model the
//! generator emits from (operations are read by the operations generator;
//! schema and field names are derived as the type generator derives them), so
//! every change names the Rust item it touches: `Webhook::retry_policy`,
//! `ListExecutions::only_events`, `Client::list_webhooks`.
//!
//! # Rules
//!
//! A change is **breaking** when code written against the old generated crates
//! no longer compiles (*compile*) or compiles but fails or behaves otherwise
//! where it worked before (*run-time*); **additive** when old code keeps
//! working and new API appears; **internal** when the Rust API is unchanged and
//! only what goes over the wire (or the docs) changes.
//!
//! | Change | Class | Why |
//! |---|---|---|
//! | operation added | additive | a new request type and client method |
//! | operation removed, or its operationId renamed | breaking (compile) | the method and request type are gone or renamed |
//! | method or path changed (same operationId) | internal | the call is written the same; the client follows the API |
//! | optional parameter added | additive | a new setter |
//! | required parameter added | breaking (compile) | the constructor takes one more argument |
//! | parameter removed | breaking (compile) | its setter or constructor argument is gone |
//! | parameter made required / optional | breaking (compile) | it moves between the constructor and a setter |
//! | parameter Rust type changed | breaking (compile) | the setter or argument takes another type |
//! | parameter moved (query, header, path) | internal | same Rust API, another place on the wire |
//! | parameter bounds tightened (`minimum`, `maximum`, `minLength`) | breaking (run-time) | a value accepted before is refused before sending |
//! | parameter bounds loosened | internal | every value accepted before still is |
//! | request body or response type changed, body added or removed | breaking (compile) | the constructor or `send()`'s type changes |
//! | `x-cs-raw-body` turned on or off | breaking (compile) | `send()` returns `Raw<T>` or `T` |
//! | `x-cs-paginated` added | additive | `pages()` and `items()` appear |
//! | `x-cs-paginated` removed or its list property changed | breaking (compile) | `pages()`/`items()` are gone or yield another type |
//! | schema added | additive | a new model type |
//! | schema removed | breaking (compile) | the model type is gone |
//! | schema kind changed (object, enum, `oneOf`, ...) | breaking (compile) | another kind of Rust type |
//! | `x-cs-rust-type` of a schema changed | breaking (compile) | the field types name another hand-written type |
//! | optional field added | additive | a new `Option`/`Vec` field the builder defaults |
//! | required field added to a schema the API only returns | additive | a new field the decoder fills |
//! | required field added to a schema callers send | breaking (run-time) | the builder's `try_into()` fails until it is set |
//! | field removed | breaking (compile) | the struct field and builder setter are gone |
//! | field type changed | breaking (compile) | the field has another Rust type |
//! | field required ↔ optional, or null admitted / no longer admitted, where that wraps or unwraps `Option` | breaking (compile) | `T` becomes `Option<T>` or back |
//! | field made required (a list, which stays `Vec`) in a schema callers send | breaking (run-time) | the builder's `try_into()` fails until it is set |
//! | other required-ness or null changes that keep the Rust type | internal | only what is written or accepted on the wire changes |
//! | enum value added | additive | the enums are open: the value decoded as `Unknown` before |
//! | enum value removed | breaking (compile) | its variant is gone |
//! | `x-cs-keep-empty` changed | internal | only whether an empty list or map is written |
//!
//! Struct literals are not covered: a generated struct gains fields over time,
//! so callers build values with the builders (`Webhook::builder()`).
//!
//! Under semver 0.x a breaking change needs a minor version bump (0.1 → 0.2)
//! and an additive one a patch bump (0.1.0 → 0.1.1); see [`Bump`].

mod operations;
mod schemas;

use std::fmt::Write as _;

use openapiv3::OpenAPI;

use crate::CodegenError;

/// How a change affects callers of the generated crates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Old code stops compiling or stops working.
    Breaking,
    /// Old code keeps working; new API appears.
    Additive,
    /// The Rust API is unchanged; only the wire or the docs change.
    Internal,
}

/// When a breaking change shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breaks {
    /// Old code no longer compiles.
    Compile,
    /// Old code compiles but fails at run time where it worked before.
    RunTime,
}

impl Breaks {
    fn label(self) -> &'static str {
        match self {
            Breaks::Compile => "compile",
            Breaks::RunTime => "run-time",
        }
    }
}

/// One change between two specs, as a caller of the Rust API sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Breaking, additive or internal.
    pub class: Class,
    /// For a breaking change, whether it shows at compile or at run time.
    pub breaks: Option<Breaks>,
    /// What changed, e.g. `field-removed`, `parameter-added`.
    pub kind: &'static str,
    /// A JSON pointer into the spec that has the item (the new spec, or the
    /// old one for a removal).
    pub location: String,
    /// The Rust item it maps to, e.g. `Webhook::retry_policy`.
    pub rust: String,
    /// One line for a person.
    pub message: String,
}

/// The version bump a set of changes needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing a caller can tell.
    None,
    /// Additive changes: a patch bump under 0.x (a minor one from 1.0).
    Patch,
    /// Breaking changes: a minor bump under 0.x (a major one from 1.0).
    Minor,
}

/// Every change between two specs, by class, each list in spec order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiDiff {
    /// Changes that break callers.
    pub breaking: Vec<Change>,
    /// Changes that add API.
    pub additive: Vec<Change>,
    /// Changes invisible in the Rust API.
    pub internal: Vec<Change>,
}

/// Compares the `base` spec with the `head` spec.
///
/// Both must be specs the generator accepts; an error names the side
/// (`base` or `head`) and the place at fault.
pub fn api_diff(base: &OpenAPI, head: &OpenAPI) -> Result<ApiDiff, CodegenError> {
    let side = |name: &'static str| {
        move |e: CodegenError| match e {
            CodegenError::Invalid {
                file: None,
                place,
                message,
            } => CodegenError::invalid(format!("{name}: {place}"), message),
            other => other,
        }
    };
    crate::check_spec(base).map_err(side("base"))?;
    crate::check_spec(head).map_err(side("head"))?;
    // Compared as generated: inline schemas named as the generator names them.
    let (base, base_origins) =
        crate::normalize::normalize_with_origins(base).map_err(side("base"))?;
    let (head, head_origins) =
        crate::normalize::normalize_with_origins(head).map_err(side("head"))?;
    let (base, head) = (&base, &head);
    let base_ops = crate::operations::read_operations(base).map_err(side("base"))?;
    let head_ops = crate::operations::read_operations(head).map_err(side("head"))?;
    let mut changes = Changes::default();
    operations::compare(base, head, &base_ops, &head_ops, &mut changes);
    schemas::compare(base, head, &mut changes);
    // A named inline schema is pointed at where the spec writes it.
    for change in &mut changes.0 {
        let origins = if change.kind.ends_with("-removed") {
            &base_origins
        } else {
            &head_origins
        };
        change.location = written_at(&change.location, origins);
    }
    let mut diff = ApiDiff::default();
    for change in changes.0 {
        match change.class {
            Class::Breaking => diff.breaking.push(change),
            Class::Additive => diff.additive.push(change),
            Class::Internal => diff.internal.push(change),
        }
    }
    Ok(diff)
}

impl ApiDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.breaking.is_empty() && self.additive.is_empty() && self.internal.is_empty()
    }

    /// The version bump these changes need.
    pub fn bump(&self) -> Bump {
        if !self.breaking.is_empty() {
            Bump::Minor
        } else if !self.additive.is_empty() {
            Bump::Patch
        } else {
            Bump::None
        }
    }

    /// Every change, breaking first.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.breaking
            .iter()
            .chain(&self.additive)
            .chain(&self.internal)
    }

    /// The report for a person: a count line, then one line per change by
    /// class, with the Rust item, then the spec location.
    pub fn to_text(&self, base: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "API changes against {base}: {} breaking, {} additive, {} internal",
            self.breaking.len(),
            self.additive.len(),
            self.internal.len()
        );
        for (title, list) in [
            ("breaking", &self.breaking),
            ("additive", &self.additive),
            ("internal", &self.internal),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{title}:");
            for change in list {
                let when = change
                    .breaks
                    .map(|b| format!(" [{}]", b.label()))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {}{when}: {}", change.rust, change.message);
                let _ = writeln!(out, "      {} at {}", change.kind, change.location);
            }
        }
        let _ = writeln!(
            out,
            "\n{}",
            match self.bump() {
                Bump::Minor => "needs a minor version bump (0.x: 0.1.z -> 0.2.0)",
                Bump::Patch => "needs a patch version bump (0.x: 0.1.0 -> 0.1.1)",
                Bump::None => "needs no version bump",
            }
        );
        out
    }

    /// The report for tools:
    /// `{"base": .., "breaking": [..], "additive": [..], "internal": [..]}`,
    /// each change `{kind, location, rust, message}` (and `breaks` for a
    /// breaking one).
    pub fn to_json(&self, base: &str) -> serde_json::Value {
        let list = |changes: &[Change]| {
            changes
                .iter()
                .map(|c| {
                    let mut value = serde_json::json!({
                        "kind": c.kind,
                        "location": c.location,
                        "rust": c.rust,
                        "message": c.message,
                    });
                    if let (Some(breaks), Some(object)) = (c.breaks, value.as_object_mut()) {
                        object.insert("breaks".into(), breaks.label().into());
                    }
                    value
                })
                .collect::<Vec<_>>()
        };
        serde_json::json!({
            "base": base,
            "breaking": list(&self.breaking),
            "additive": list(&self.additive),
            "internal": list(&self.internal),
        })
    }
}

/// Collects changes with their class.
#[derive(Default)]
pub(crate) struct Changes(Vec<Change>);

impl Changes {
    pub(crate) fn push(
        &mut self,
        class: Class,
        breaks: Option<Breaks>,
        kind: &'static str,
        location: String,
        rust: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(Change {
            class,
            breaks,
            kind,
            location,
            rust: rust.into(),
            message: message.into(),
        });
    }

    pub(crate) fn breaking(
        &mut self,
        breaks: Breaks,
        kind: &'static str,
        location: String,
        rust: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.push(Class::Breaking, Some(breaks), kind, location, rust, message);
    }

    pub(crate) fn additive(
        &mut self,
        kind: &'static str,
        location: String,
        rust: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.push(Class::Additive, None, kind, location, rust, message);
    }

    pub(crate) fn internal(
        &mut self,
        kind: &'static str,
        location: String,
        rust: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.push(Class::Internal, None, kind, location, rust, message);
    }
}

/// `/components/schemas/<Name>/rest` as the spec writes it when `<Name>` was
/// an inline schema the generator named.
fn written_at(location: &str, origins: &std::collections::BTreeMap<String, String>) -> String {
    let Some(rest) = location.strip_prefix("/components/schemas/") else {
        return location.to_string();
    };
    let (name, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match origins.get(name) {
        Some(origin) => format!("{origin}{tail}"),
        None => location.to_string(),
    }
}

pub(crate) use crate::spec::pointer;

/// A token stream as a person writes it: `model::Webhook`, `Option<u32>`.
pub(crate) fn rust_text(tokens: &proc_macro2::TokenStream) -> String {
    let text = tokens.to_string();
    let mut out = String::with_capacity(text.len());
    for part in text.split(' ') {
        // Keep the one space Rust needs: between two words (`impl Trait`).
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if word(out.chars().last()) && word(part.chars().next()) {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}
