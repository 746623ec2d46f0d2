//! Request shapes as the Webhooks API spec declares them: bodies and query
//! parameters are checked against the spec's schemas, and every violation
//! becomes a per-field message of Contentstack's error body.
//!
//! The spec is compiled into the emulator (it is also served at
//! `/openapi/webhooks.yaml`) and parsed once per process.

use std::sync::OnceLock;

use cs_webhooks_schema::{Spec, Violation};
use serde_json::Value;

use crate::api::error::FieldErrors;

/// The Webhooks API spec.
pub const WEBHOOKS_SPEC: &str = include_str!("../openapi/webhooks.yaml");

/// The body of create and update: `{"webhook": WebhookInput}`.
pub const WEBHOOK_REQUEST: &str = "WebhookRequest";
/// A webhook definition: an imported file is checked against it.
pub const WEBHOOK_INPUT: &str = "WebhookInput";

/// The parsed spec, ready to check documents.
#[derive(Debug)]
pub struct Shapes {
    spec: Spec,
}

/// Why a query parameter could not be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterError {
    /// The value breaks the parameter's schema; the messages name the parameter.
    Invalid(FieldErrors),
    /// The spec declares no such parameter for the operation (the emulator
    /// reads one the spec dropped).
    Undeclared,
}

impl Shapes {
    /// The embedded spec, parsed on first use.
    pub fn get() -> Result<&'static Shapes, String> {
        static SHAPES: OnceLock<Result<Shapes, String>> = OnceLock::new();
        SHAPES
            .get_or_init(|| Shapes::parse(WEBHOOKS_SPEC))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Parses a spec and checks that it has the schemas the emulator uses.
    fn parse(text: &str) -> Result<Shapes, String> {
        let spec = Spec::from_yaml(text).map_err(|e| e.to_string())?;
        for name in [WEBHOOK_REQUEST, WEBHOOK_INPUT] {
            if spec.schema(name).is_none() {
                return Err(format!("the spec has no schema {name:?}"));
            }
        }
        Ok(Shapes { spec })
    }

    /// Checks `doc` against `components.schemas[schema]`. Each violation is
    /// reported at its path, as `field_of` names it.
    pub fn check_body(
        &self,
        schema: &str,
        doc: &Value,
        field_of: impl Fn(&str) -> String,
    ) -> Result<(), FieldErrors> {
        self.spec
            .validate(schema, doc)
            .map_err(|violations| field_errors(&violations, field_of))
    }

    /// Checks the value of the query parameter `name` of `operation_id`,
    /// already converted to JSON (`true`, `100`, ...).
    pub fn check_parameter(
        &self,
        operation_id: &str,
        name: &str,
        value: &Value,
    ) -> Result<(), ParameterError> {
        let schema = self
            .spec
            .parameter_schema(operation_id, name)
            .ok_or(ParameterError::Undeclared)?;
        self.spec
            .validate_schema(schema, value)
            .map_err(|violations| {
                ParameterError::Invalid(field_errors(&violations, |_| name.to_owned()))
            })
    }

    /// The parsed spec.
    #[cfg(test)]
    pub fn spec(&self) -> &Spec {
        &self.spec
    }
}

/// One message per violation, in Contentstack's style (`"is required."`).
fn field_errors(violations: &[Violation], field_of: impl Fn(&str) -> String) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for v in violations {
        let message = if v.is_missing_required() {
            "is required.".to_owned()
        } else {
            format!("{}.", v.message)
        };
        errors.push(field_of(&v.path), message);
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_embedded_spec_has_what_the_emulator_checks_against() {
        let shapes = Shapes::get().unwrap();
        assert!(shapes.spec().schema(WEBHOOK_REQUEST).is_some());
        assert!(
            Shapes::parse("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n").is_err()
        );
    }

    #[test]
    fn violations_become_field_messages() {
        let shapes = Shapes::get().unwrap();
        let e = shapes
            .check_body(WEBHOOK_INPUT, &json!({"name": 1, "channels": []}), |p| {
                p.to_owned()
            })
            .unwrap_err();
        assert!(
            e.message_for("destinations")
                .is_some_and(|m| m == "is required."),
            "{e:?}"
        );
        assert!(
            e.message_for("name")
                .is_some_and(|m| m.ends_with("found integer.")),
            "{e:?}"
        );
        assert!(e.has("channels"), "{e:?}");
    }

    #[test]
    fn parameters_are_checked_against_their_schema() {
        let shapes = Shapes::get().unwrap();
        assert_eq!(
            shapes.check_parameter("list_webhooks", "limit", &json!(100)),
            Ok(())
        );
        match shapes.check_parameter("list_executions", "limit", &json!(101)) {
            Err(ParameterError::Invalid(e)) => assert!(e.has("limit"), "{e:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            shapes.check_parameter("list_webhooks", "colour", &json!(1)),
            Err(ParameterError::Undeclared)
        );
    }
}
