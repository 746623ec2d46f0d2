//! Load-time checks of the whole document, and operation examples.

use std::collections::HashMap;

use openapiv3::{
    MediaType, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, Response,
    SchemaKind, Type,
};
use regex::Regex;

use crate::facets::{SRef, TypeSet, lookup, pointer_name};
use crate::validate::compile_pattern;
use crate::{Example, SchemaExample, SpecError};

/// What the load-time walk found.
pub(crate) struct Checked {
    pub regexes: HashMap<String, Regex>,
    pub examples: Vec<SchemaExample>,
}

/// Resolve `#/components/{kind}/NAME` (following references to references).
fn resolve<'a, T>(
    reference: &str,
    kind: &str,
    get: impl Fn(&str) -> Option<&'a ReferenceOr<T>>,
) -> Result<&'a T, String> {
    let prefix = format!("#/components/{kind}/");
    let mut current = reference.to_string();
    for _ in 0..32 {
        let name = pointer_name(&current, &prefix)
            .ok_or_else(|| format!("cannot resolve $ref {current:?}: expected {prefix}NAME"))?;
        match get(&name) {
            None => {
                return Err(format!(
                    "cannot resolve $ref {current:?}: no {name:?} in components.{kind}"
                ));
            }
            Some(ReferenceOr::Item(item)) => return Ok(item),
            Some(ReferenceOr::Reference { reference }) => current.clone_from(reference),
        }
    }
    Err(format!(
        "cannot resolve $ref {reference:?}: too many references to references"
    ))
}

fn request_body<'a>(
    api: &'a OpenAPI,
    r: &'a ReferenceOr<RequestBody>,
) -> Result<&'a RequestBody, String> {
    match r {
        ReferenceOr::Item(item) => Ok(item),
        ReferenceOr::Reference { reference } => resolve(reference, "requestBodies", |n| {
            api.components.as_ref()?.request_bodies.get(n)
        }),
    }
}

fn response<'a>(api: &'a OpenAPI, r: &'a ReferenceOr<Response>) -> Result<&'a Response, String> {
    match r {
        ReferenceOr::Item(item) => Ok(item),
        ReferenceOr::Reference { reference } => resolve(reference, "responses", |n| {
            api.components.as_ref()?.responses.get(n)
        }),
    }
}

fn example<'a>(
    api: &'a OpenAPI,
    r: &'a ReferenceOr<openapiv3::Example>,
) -> Result<&'a openapiv3::Example, String> {
    match r {
        ReferenceOr::Item(item) => Ok(item),
        ReferenceOr::Reference { reference } => resolve(reference, "examples", |n| {
            api.components.as_ref()?.examples.get(n)
        }),
    }
}

fn parameter<'a>(api: &'a OpenAPI, r: &'a ReferenceOr<Parameter>) -> Result<&'a Parameter, String> {
    match r {
        ReferenceOr::Item(item) => Ok(item),
        ReferenceOr::Reference { reference } => resolve(reference, "parameters", |n| {
            api.components.as_ref()?.parameters.get(n)
        }),
    }
}

/// Every response of an operation with its status (`default` last).
fn responses(op: &openapiv3::Operation) -> Vec<(String, &ReferenceOr<Response>)> {
    let mut all: Vec<(String, &ReferenceOr<Response>)> = op
        .responses
        .responses
        .iter()
        .map(|(code, r)| (code.to_string(), r))
        .collect();
    if let Some(d) = &op.responses.default {
        all.push(("default".to_string(), d));
    }
    all
}

struct Walker<'a> {
    api: &'a OpenAPI,
    regexes: HashMap<String, Regex>,
    examples: Vec<SchemaExample>,
}

fn err(location: &str, message: String) -> SpecError {
    SpecError::Schema {
        location: location.to_string(),
        message,
    }
}

impl<'a> Walker<'a> {
    fn pattern(&mut self, pattern: &str, loc: &str) -> Result<(), SpecError> {
        if !self.regexes.contains_key(pattern) {
            let re = compile_pattern(pattern).map_err(|m| err(loc, m))?;
            self.regexes.insert(pattern.to_string(), re);
        }
        Ok(())
    }

    fn schema(&mut self, s: SRef<'a>, loc: &str) -> Result<(), SpecError> {
        if let Some(reference) = s.reference() {
            lookup(self.api, reference, &mut Vec::new()).map_err(|m| err(loc, m))?;
            return Ok(());
        }
        let Some(schema) = s.item() else {
            return Ok(());
        };
        if let Some(value) = &schema.schema_data.example {
            self.examples.push(SchemaExample {
                location: loc.to_string(),
                schema: s.to_owned_schema(),
                value: value.clone(),
            });
        }
        let mut children: Vec<(SRef<'a>, String)> = Vec::new();
        let list = |children: &mut Vec<(SRef<'a>, String)>,
                    key: &str,
                    l: &'a [ReferenceOr<openapiv3::Schema>]| {
            for (i, b) in l.iter().enumerate() {
                children.push((SRef::Plain(b), format!("{loc}.{key}[{i}]")));
            }
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(st)) => {
                if let Some(p) = &st.pattern {
                    self.pattern(p, loc)?;
                }
            }
            SchemaKind::Type(Type::Object(o)) => {
                for (name, p) in &o.properties {
                    children.push((SRef::Boxed(p), format!("{loc}.properties.{name}")));
                }
                if let Some(openapiv3::AdditionalProperties::Schema(a)) = &o.additional_properties {
                    children.push((SRef::Plain(a), format!("{loc}.additionalProperties")));
                }
            }
            SchemaKind::Type(Type::Array(a)) => {
                if let Some(items) = &a.items {
                    children.push((SRef::Boxed(items), format!("{loc}.items")));
                }
            }
            SchemaKind::Type(_) => {}
            SchemaKind::OneOf { one_of } => list(&mut children, "oneOf", one_of),
            SchemaKind::AllOf { all_of } => list(&mut children, "allOf", all_of),
            SchemaKind::AnyOf { any_of } => list(&mut children, "anyOf", any_of),
            SchemaKind::Not { not } => children.push((SRef::Plain(not), format!("{loc}.not"))),
            SchemaKind::Any(a) => {
                if let Some(t) = &a.typ
                    && TypeSet::from_type_name(t).is_none()
                {
                    return Err(err(loc, format!("unsupported type {t:?}")));
                }
                if let Some(p) = &a.pattern {
                    self.pattern(p, loc)?;
                }
                for (name, p) in &a.properties {
                    children.push((SRef::Boxed(p), format!("{loc}.properties.{name}")));
                }
                if let Some(openapiv3::AdditionalProperties::Schema(s)) = &a.additional_properties {
                    children.push((SRef::Plain(s), format!("{loc}.additionalProperties")));
                }
                if let Some(items) = &a.items {
                    children.push((SRef::Boxed(items), format!("{loc}.items")));
                }
                list(&mut children, "oneOf", &a.one_of);
                list(&mut children, "allOf", &a.all_of);
                list(&mut children, "anyOf", &a.any_of);
                if let Some(not) = &a.not {
                    children.push((SRef::Plain(not), format!("{loc}.not")));
                }
            }
        }
        for (child, child_loc) in children {
            self.schema(child, &child_loc)?;
        }
        Ok(())
    }

    fn content(
        &mut self,
        content: impl IntoIterator<Item = (&'a String, &'a MediaType)>,
        loc: &str,
    ) -> Result<(), SpecError> {
        for (media, m) in content {
            let loc = format!("{loc}.content.{media}");
            if let Some(s) = &m.schema {
                self.schema(SRef::Plain(s), &format!("{loc}.schema"))?;
            }
            for (name, ex) in &m.examples {
                example(self.api, ex).map_err(|e| err(&format!("{loc}.examples.{name}"), e))?;
            }
        }
        Ok(())
    }

    fn parameter(&mut self, p: &'a ReferenceOr<Parameter>, loc: &str) -> Result<(), SpecError> {
        let p = parameter(self.api, p).map_err(|e| err(loc, e))?;
        let data = p.parameter_data_ref();
        let loc = format!("{loc}.{}", data.name);
        match &data.format {
            ParameterSchemaOrContent::Schema(s) => {
                self.schema(SRef::Plain(s), &format!("{loc}.schema"))
            }
            ParameterSchemaOrContent::Content(c) => self.content(c, &loc),
        }
    }
}

/// Check every schema of the document; compile its patterns; collect the
/// examples written on schemas.
pub(crate) fn check(api: &OpenAPI) -> Result<Checked, SpecError> {
    let mut w = Walker {
        api,
        regexes: HashMap::new(),
        examples: Vec::new(),
    };
    if let Some(c) = &api.components {
        for (name, s) in &c.schemas {
            w.schema(SRef::Plain(s), &format!("components.schemas.{name}"))?;
        }
        for (name, r) in &c.responses {
            let loc = format!("components.responses.{name}");
            let r = response(api, r).map_err(|e| err(&loc, e))?;
            w.content(&r.content, &loc)?;
        }
        for (name, r) in &c.request_bodies {
            let loc = format!("components.requestBodies.{name}");
            let r = request_body(api, r).map_err(|e| err(&loc, e))?;
            w.content(&r.content, &loc)?;
        }
        for (name, p) in &c.parameters {
            w.parameter(p, &format!("components.parameters.{name}"))?;
        }
    }
    for (path, item) in api.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for p in &item.parameters {
            w.parameter(p, &format!("paths.{path}.parameters"))?;
        }
        for (method, op) in item.iter() {
            let loc = format!("paths.{path}.{method}");
            for p in &op.parameters {
                w.parameter(p, &format!("{loc}.parameters"))?;
            }
            if let Some(rb) = &op.request_body {
                let loc = format!("{loc}.requestBody");
                let rb = request_body(api, rb).map_err(|e| err(&loc, e))?;
                w.content(&rb.content, &loc)?;
            }
            for (status, r) in responses(op) {
                let loc = format!("{loc}.responses.{status}");
                let r = response(api, r).map_err(|e| err(&loc, e))?;
                w.content(&r.content, &loc)?;
            }
        }
    }
    Ok(Checked {
        regexes: w.regexes,
        examples: w.examples,
    })
}

/// The schema of parameter `name` of operation `operation_id` (see
/// [`crate::Spec::parameter_schema`]).
pub(crate) fn parameter_schema<'a>(
    api: &'a OpenAPI,
    operation_id: &str,
    name: &str,
) -> Option<&'a ReferenceOr<openapiv3::Schema>> {
    api.paths.paths.values().find_map(|item| {
        let item = item.as_item()?;
        let (_, op) = item
            .iter()
            .find(|(_, op)| op.operation_id.as_deref() == Some(operation_id))?;
        // Operation-level parameters override path-level ones of the same name.
        op.parameters
            .iter()
            .chain(&item.parameters)
            .filter_map(|p| parameter(api, p).ok())
            .map(Parameter::parameter_data_ref)
            .find(|data| data.name == name)
            .and_then(|data| match &data.format {
                ParameterSchemaOrContent::Schema(schema) => Some(schema),
                ParameterSchemaOrContent::Content(_) => None,
            })
    })
}

/// `{}`: accepts any value.
fn any_schema() -> ReferenceOr<openapiv3::Schema> {
    ReferenceOr::Item(openapiv3::Schema {
        schema_data: Default::default(),
        schema_kind: SchemaKind::Any(Default::default()),
    })
}

/// The examples of every operation's request and response bodies.
pub(crate) fn operation_examples(api: &OpenAPI) -> Vec<Example> {
    let mut out = Vec::new();
    for (path, method, op) in api.operations() {
        let operation_id = op
            .operation_id
            .clone()
            .unwrap_or_else(|| format!("{} {path}", method.to_uppercase()));
        let mut bodies: Vec<(String, &openapiv3::Content)> = Vec::new();
        if let Some(Ok(rb)) = op.request_body.as_ref().map(|rb| request_body(api, rb)) {
            bodies.push(("request".to_string(), &rb.content));
        }
        for (status, r) in responses(op) {
            if let Ok(r) = response(api, r) {
                bodies.push((status, &r.content));
            }
        }
        for (status, content) in bodies {
            for (media_type, m) in content {
                let mut push = |name: Option<String>, value: &serde_json::Value| {
                    out.push(Example {
                        operation_id: operation_id.clone(),
                        method: method.to_string(),
                        path: path.to_string(),
                        status: status.clone(),
                        media_type: media_type.clone(),
                        name,
                        value: value.clone(),
                        schema: m.schema.clone().unwrap_or_else(any_schema),
                    });
                };
                if let Some(value) = &m.example {
                    push(None, value);
                }
                for (name, ex) in &m.examples {
                    if let Ok(openapiv3::Example {
                        value: Some(value), ..
                    }) = example(api, ex)
                    {
                        push(Some(name.clone()), value);
                    }
                }
            }
        }
    }
    out
}
