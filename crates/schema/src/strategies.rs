//! proptest strategies for documents a schema allows and forbids (the
//! `proptest` feature).

use std::fmt;

use openapiv3::{ReferenceOr, Schema};
use proptest::strategy::BoxedStrategy;
use serde_json::Value;

use crate::{Spec, SpecError, generate};

/// How a generated invalid document breaks its schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InvalidityKind {
    /// The value at [`Invalidity::path`] has a JSON type the schema does not
    /// allow there (`null` only where the field is required or an item).
    /// Inside an untagged `oneOf`/`anyOf` (no discriminator), any fault is
    /// reported this way at the union itself, since a decoder of an untagged
    /// union cannot name anything deeper: the value matches none of the
    /// alternatives.
    WrongType,
    /// The required property at [`Invalidity::path`] is absent.
    MissingRequired,
}

impl fmt::Display for InvalidityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidityKind::WrongType => "wrong type",
            InvalidityKind::MissingRequired => "missing required property",
        })
    }
}

/// Where a generated invalid document is at fault.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Invalidity {
    /// Path of the faulty (or missing) value, in [`Violation::path`](crate::Violation::path) form.
    pub path: String,
    /// The last property name in `path` (`destinations` for
    /// `webhook.destinations[0]`); empty when the fault is the whole
    /// document.
    pub field: String,
    /// What is wrong there.
    pub kind: InvalidityKind,
}

impl fmt::Display for Invalidity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "<root>"
        } else {
            &self.path
        };
        write!(f, "{} at {path}", self.kind)
    }
}

/// Options for generated documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenOptions {
    /// Add extra, undeclared keys with arbitrary values to every object whose
    /// schema does not forbid them (`additionalProperties: false`).
    pub unknown_fields: bool,
    /// Arrays get at most `minItems + max_extra_items` items.
    pub max_extra_items: usize,
    /// How many times a component may nest inside itself through `$ref`
    /// before the generator stops expanding it.
    pub max_recursion: usize,
    /// How deeply generated documents may nest.
    pub max_depth: usize,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            unknown_fields: false,
            max_extra_items: 4,
            max_recursion: 2,
            max_depth: 24,
        }
    }
}

impl Spec {
    /// Strategy generating documents `components.schemas[name]` allows.
    ///
    /// Objects carry no undeclared keys unless `additionalProperties` is
    /// `true` or a schema; see [`Spec::valid_with_unknown_fields`].
    ///
    /// # Panics
    ///
    /// If there is no such schema or no strategy can be built for it; use
    /// [`Spec::try_valid`] to get the error instead.
    pub fn valid(&self, name: &str) -> BoxedStrategy<Value> {
        match self.try_valid(name) {
            Ok(s) => s,
            Err(e) => panic!("cs_webhooks_schema: {e}"),
        }
    }

    /// Like [`Spec::valid`], but every object also gets a few undeclared keys
    /// with arbitrary values (where `additionalProperties` is not `false`),
    /// to check that unknown fields never break decoding.
    ///
    /// # Panics
    ///
    /// As [`Spec::valid`].
    pub fn valid_with_unknown_fields(&self, name: &str) -> BoxedStrategy<Value> {
        let opts = GenOptions {
            unknown_fields: true,
            ..GenOptions::default()
        };
        match self
            .named(name)
            .and_then(|schema| self.valid_schema(&schema, &opts))
        {
            Ok(s) => s,
            Err(e) => panic!("cs_webhooks_schema: {e}"),
        }
    }

    /// Strategy generating documents `components.schemas[name]` forbids, each
    /// with where it is at fault: a value of a wrong type somewhere (a string
    /// where an integer belongs, `null` in a required non-nullable field, an
    /// object where a string belongs, ...) or a missing required property.
    /// Every generated document has a [`Violation`](crate::Violation) whose path equals
    /// [`Invalidity::path`]. A fault inside an untagged `oneOf`/`anyOf` is
    /// reported at the union (see [`InvalidityKind::WrongType`]).
    ///
    /// # Panics
    ///
    /// If there is no such schema, or no strategy can be built (e.g. the
    /// schema accepts every value); use [`Spec::try_invalid`] to get the
    /// error instead.
    pub fn invalid(&self, name: &str) -> BoxedStrategy<(Value, Invalidity)> {
        match self.try_invalid(name) {
            Ok(s) => s,
            Err(e) => panic!("cs_webhooks_schema: {e}"),
        }
    }

    /// [`Spec::valid`], returning an error instead of panicking.
    pub fn try_valid(&self, name: &str) -> Result<BoxedStrategy<Value>, SpecError> {
        let schema = self.named(name)?;
        self.valid_schema(&schema, &GenOptions::default())
    }

    /// [`Spec::invalid`], returning an error instead of panicking.
    pub fn try_invalid(&self, name: &str) -> Result<BoxedStrategy<(Value, Invalidity)>, SpecError> {
        let schema = self.named(name)?;
        self.invalid_schema(&schema, &GenOptions::default())
    }

    /// Strategy generating documents any schema allows (e.g. an inline
    /// response schema, or [`Spec::reference`]), with options.
    pub fn valid_schema(
        &self,
        schema: &ReferenceOr<Schema>,
        opts: &GenOptions,
    ) -> Result<BoxedStrategy<Value>, SpecError> {
        generate::valid_strategy(&self.inner, schema, opts, &describe(schema))
    }

    /// Strategy generating documents any schema forbids, with options (see
    /// [`Spec::invalid`]).
    pub fn invalid_schema(
        &self,
        schema: &ReferenceOr<Schema>,
        opts: &GenOptions,
    ) -> Result<BoxedStrategy<(Value, Invalidity)>, SpecError> {
        generate::invalid_strategy(&self.inner, schema, opts, &describe(schema))
    }
}

fn describe(schema: &ReferenceOr<Schema>) -> String {
    match schema {
        ReferenceOr::Reference { reference } => format!("schema {reference:?}"),
        ReferenceOr::Item(_) => "the inline schema".to_string(),
    }
}
