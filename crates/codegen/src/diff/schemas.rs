//! Model type changes: schemas added or removed, their kind, fields and enum
//! values.

use std::collections::BTreeSet;

use heck::ToUpperCamelCase;
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type, VariantOrUnknownOrEmpty};

use super::{Breaks, Changes, pointer};
use crate::KEEP_EMPTY_EXTENSION;
use crate::open_enum::string_enum;
use crate::operations::read::field_ident;
use crate::presence::admits_null;
use crate::types::RUST_TYPE_EXTENSION;

/// One side of the comparison: the spec and the schemas callers send.
struct Side<'a> {
    spec: &'a OpenAPI,
    sent: BTreeSet<String>,
}

impl<'a> Side<'a> {
    fn new(spec: &'a OpenAPI) -> Self {
        Side {
            spec,
            sent: sent_schemas(spec),
        }
    }

    fn schema(&self, name: &str) -> Option<&'a Schema> {
        self.spec.components.as_ref()?.schemas.get(name)?.as_item()
    }
}

pub(super) fn compare(base: &OpenAPI, head: &OpenAPI, changes: &mut Changes) {
    let (old, new) = (Side::new(base), Side::new(head));
    let names = |spec: &OpenAPI| -> Vec<String> {
        spec.components
            .as_ref()
            .map(|c| c.schemas.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (old_names, new_names) = (names(base), names(head));
    for name in &old_names {
        if !new_names.contains(name) {
            changes.breaking(
                Breaks::Compile,
                "schema-removed",
                pointer(["components", "schemas", name]),
                rust_type_name(name),
                format!("schema `{name}` removed: the model type is gone"),
            );
        }
    }
    for name in &new_names {
        let location = pointer(["components", "schemas", name]);
        let ty = rust_type_name(name);
        match (old.schema(name), new.schema(name)) {
            (_, None) => {}
            (None, Some(_)) if !old_names.contains(name) => changes.additive(
                "schema-added",
                location,
                ty,
                format!("schema `{name}` added: a new model type"),
            ),
            (None, Some(_)) => {}
            (Some(o), Some(n)) => {
                compare_schema(&old, &new, &location, &ty, name, o, n, changes);
            }
        }
    }
}

/// The model type a schema becomes.
fn rust_type_name(name: &str) -> String {
    name.to_upper_camel_case()
}

#[allow(clippy::too_many_arguments)]
fn compare_schema(
    old: &Side,
    new: &Side,
    location: &str,
    ty: &str,
    name: &str,
    o: &Schema,
    n: &Schema,
    changes: &mut Changes,
) {
    let (old_kind, new_kind) = (kind(o), kind(n));
    if old_kind != new_kind {
        changes.breaking(
            Breaks::Compile,
            "schema-kind-changed",
            location.to_string(),
            ty,
            format!("`{ty}` is now {new_kind}, was {old_kind}"),
        );
        return;
    }
    if o.schema_data.extensions.contains_key(RUST_TYPE_EXTENSION) {
        // A hand-written type: its fields are not generated.
        return;
    }
    if let (Some(before), Some(after)) = (string_enum(o), string_enum(n)) {
        compare_enum(&format!("{location}/enum"), ty, &before, &after, changes);
        return;
    }
    match (&o.schema_kind, &n.schema_kind) {
        (SchemaKind::Type(Type::Object(_)), SchemaKind::Type(Type::Object(_))) => {
            compare_fields(old, new, location, ty, name, o, n, changes);
        }
        _ => {
            let (before, after) = (label(o), label(n));
            if before != after {
                changes.breaking(
                    Breaks::Compile,
                    "schema-type-changed",
                    location.to_string(),
                    ty,
                    format!("`{ty}` is now `{after}`, was `{before}`"),
                );
            }
        }
    }
}

/// What kind of Rust type a schema becomes.
fn kind(schema: &Schema) -> String {
    if let Some(path) = schema.schema_data.extensions.get(RUST_TYPE_EXTENSION) {
        return format!("the hand-written `{}`", path.as_str().unwrap_or("?"));
    }
    if string_enum(schema).is_some() {
        return "an open enum".into();
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(_)) => "a struct".into(),
        SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => "an enum of variants".into(),
        _ => "a type alias".into(),
    }
}

fn compare_enum(
    location: &str,
    ty: &str,
    before: &[String],
    after: &[String],
    changes: &mut Changes,
) {
    for value in before.iter().filter(|v| !after.contains(v)) {
        changes.breaking(
            Breaks::Compile,
            "enum-value-removed",
            location.to_string(),
            format!("{ty}::{}", value.to_upper_camel_case()),
            format!("enum value `{value}` removed: the variant is gone (the value now decodes as `Unknown`)"),
        );
    }
    for value in after.iter().filter(|v| !before.contains(v)) {
        changes.additive(
            "enum-value-added",
            location.to_string(),
            format!("{ty}::{}", value.to_upper_camel_case()),
            format!(
                "enum value `{value}` added (the enums are open: it decoded as `Unknown` before)"
            ),
        );
    }
}

/// A property as the generated field sees it.
struct Field {
    label: String,
    required: bool,
    nullable: bool,
    /// A list without null: always a `Vec`, required or not.
    list: bool,
    keep_empty: bool,
}

impl Field {
    fn read(spec: &OpenAPI, schema: &ReferenceOr<Box<Schema>>, required: bool) -> Self {
        let schema = schema.clone().unbox();
        let nullable = admits_null(spec, &schema, 0);
        let item = schema.as_item();
        let list = !nullable
            && item.is_some_and(|s| matches!(s.schema_kind, SchemaKind::Type(Type::Array(_))));
        let keep_empty = item.is_some_and(|s| {
            s.schema_data
                .extensions
                .get(KEEP_EMPTY_EXTENSION)
                .and_then(|v| v.as_bool())
                .unwrap_or(false)
        });
        Field {
            label: match &schema {
                ReferenceOr::Reference { reference } => ref_label(reference),
                ReferenceOr::Item(s) => label(s),
            },
            required,
            nullable,
            list,
            keep_empty,
        }
    }

    /// Whether the generated field is an `Option`.
    fn optional(&self) -> bool {
        !self.list && (!self.required || self.nullable)
    }
}

#[allow(clippy::too_many_arguments)]
fn compare_fields(
    old: &Side,
    new: &Side,
    location: &str,
    ty: &str,
    name: &str,
    o: &Schema,
    n: &Schema,
    changes: &mut Changes,
) {
    let (SchemaKind::Type(Type::Object(before)), SchemaKind::Type(Type::Object(after))) =
        (&o.schema_kind, &n.schema_kind)
    else {
        return;
    };
    let sent = new.sent.contains(name) || old.sent.contains(name);
    for (property, schema) in &before.properties {
        let place = format!("{location}/properties/{}", escape(property));
        let rust = format!("{ty}::{}", field_ident(property));
        let Some(new_schema) = after.properties.get(property) else {
            changes.breaking(
                Breaks::Compile,
                "field-removed",
                place,
                rust,
                format!("field `{property}` removed"),
            );
            continue;
        };
        let was = Field::read(old.spec, schema, before.required.contains(property));
        let is = Field::read(new.spec, new_schema, after.required.contains(property));
        if was.label != is.label {
            changes.breaking(
                Breaks::Compile,
                "field-type-changed",
                place,
                rust,
                format!(
                    "field `{property}` is now `{}`, was `{}`",
                    is.label, was.label
                ),
            );
            continue;
        }
        compare_field(&place, &rust, property, &was, &is, sent, changes);
        // An inline object or enum is a type of its own, named after the field.
        if let (ReferenceOr::Item(o), ReferenceOr::Item(n)) = (schema, new_schema) {
            let inner = format!("{ty}{}", property.to_upper_camel_case());
            if let (Some(before), Some(after)) = (string_enum(o), string_enum(n)) {
                compare_enum(&format!("{place}/enum"), &inner, &before, &after, changes);
            } else {
                compare_fields(old, new, &place, &inner, name, o, n, changes);
            }
        }
    }
    for (property, schema) in &after.properties {
        if before.properties.contains_key(property) {
            continue;
        }
        let place = format!("{location}/properties/{}", escape(property));
        let rust = format!("{ty}::{}", field_ident(property));
        let is = Field::read(new.spec, schema, after.required.contains(property));
        if is.required && sent {
            changes.breaking(
                Breaks::RunTime,
                "field-added",
                place,
                rust,
                format!(
                    "required field `{property}` (`{}`) added to a type callers send: the builder fails until it is set",
                    is.label
                ),
            );
        } else {
            changes.additive(
                "field-added",
                place,
                rust,
                format!(
                    "{} field `{property}` (`{}`) added",
                    if is.required { "required" } else { "optional" },
                    is.label
                ),
            );
        }
    }
}

fn compare_field(
    place: &str,
    rust: &str,
    property: &str,
    was: &Field,
    is: &Field,
    sent: bool,
    changes: &mut Changes,
) {
    let kind = if was.required != is.required {
        if is.required {
            "field-required"
        } else {
            "field-optional"
        }
    } else if was.nullable != is.nullable {
        if is.nullable {
            "field-nullable"
        } else {
            "field-not-nullable"
        }
    } else {
        ""
    };
    let what = match kind {
        "field-required" => format!("field `{property}` made required"),
        "field-optional" => format!("field `{property}` made optional"),
        "field-nullable" => format!("field `{property}` now admits null"),
        "field-not-nullable" => format!("field `{property}` no longer admits null"),
        _ => String::new(),
    };
    if !kind.is_empty() {
        if was.optional() != is.optional() {
            let (from, to) = if is.optional() {
                ("T", "Option<T>")
            } else {
                ("Option<T>", "T")
            };
            changes.breaking(
                Breaks::Compile,
                kind,
                place.to_string(),
                rust,
                format!("{what}: its type goes from `{from}` to `{to}`"),
            );
        } else if kind == "field-required" && sent {
            changes.breaking(
                Breaks::RunTime,
                kind,
                place.to_string(),
                rust,
                format!("{what} in a type callers send: the builder fails until it is set"),
            );
        } else {
            changes.internal(
                kind,
                place.to_string(),
                rust,
                format!("{what}; the Rust type is unchanged"),
            );
        }
    }
    if was.keep_empty != is.keep_empty {
        changes.internal(
            "keep-empty-changed",
            format!("{place}/{KEEP_EMPTY_EXTENSION}"),
            rust,
            format!(
                "an empty `{property}` is {} written",
                if is.keep_empty { "now" } else { "no longer" }
            ),
        );
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn ref_label(reference: &str) -> String {
    reference
        .rsplit('/')
        .next()
        .unwrap_or(reference)
        .to_upper_camel_case()
}

/// A short description of a schema's type, equal for schemas that give the
/// same Rust type (inline objects and enums compare by their fields).
fn label(schema: &Schema) -> String {
    let format = |f: String| if f.is_empty() { f } else { format!("({f})") };
    let boxed = |s: &ReferenceOr<Box<Schema>>| match s {
        ReferenceOr::Reference { reference } => ref_label(reference),
        ReferenceOr::Item(s) => label(s),
    };
    // `allOf: [X]` and `oneOf: [X, {enum: [null]}]` are X to the type
    // generator (null shows in the field's `Option`, not in its type).
    let list = |name: &str, items: &[ReferenceOr<Schema>]| {
        let parts: Vec<_> = items
            .iter()
            .filter(|s| !s.as_item().is_some_and(is_null_only))
            .map(|s| match s {
                ReferenceOr::Reference { reference } => ref_label(reference),
                ReferenceOr::Item(s) => label(s),
            })
            .collect();
        match parts.as_slice() {
            [one] => one.clone(),
            _ => format!("{name}[{}]", parts.join(", ")),
        }
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => "enum".into(),
        SchemaKind::Type(Type::String(s)) => format!("string{}", format(variant(&s.format))),
        SchemaKind::Type(Type::Integer(i)) => format!("integer{}", format(variant(&i.format))),
        SchemaKind::Type(Type::Number(n)) => format!("number{}", format(variant(&n.format))),
        SchemaKind::Type(Type::Boolean(_)) => "boolean".into(),
        SchemaKind::Type(Type::Object(o)) => match &o.additional_properties {
            Some(openapiv3::AdditionalProperties::Schema(s)) => format!(
                "map<{}>",
                match s.as_ref() {
                    ReferenceOr::Reference { reference } => ref_label(reference),
                    ReferenceOr::Item(s) => label(s),
                }
            ),
            _ => "object".into(),
        },
        SchemaKind::Type(Type::Array(a)) => format!(
            "array<{}>",
            a.items.as_ref().map(boxed).unwrap_or_else(|| "any".into())
        ),
        SchemaKind::OneOf { one_of } => list("oneOf", one_of),
        SchemaKind::AnyOf { any_of } => list("anyOf", any_of),
        SchemaKind::AllOf { all_of } => list("allOf", all_of),
        SchemaKind::Not { .. } => "not".into(),
        SchemaKind::Any(a) => a.typ.clone().unwrap_or_else(|| "any".into()),
    }
}

/// Whether a schema admits null and nothing else (`enum: [null]`).
fn is_null_only(schema: &Schema) -> bool {
    matches!(&schema.schema_kind, SchemaKind::Any(a)
        if a.typ.is_none() && !a.enumeration.is_empty() && a.enumeration.iter().all(serde_json::Value::is_null))
}

fn variant<T: std::fmt::Debug>(format: &VariantOrUnknownOrEmpty<T>) -> String {
    match format {
        VariantOrUnknownOrEmpty::Item(item) => format!("{item:?}").to_lowercase(),
        VariantOrUnknownOrEmpty::Unknown(name) => name.clone(),
        VariantOrUnknownOrEmpty::Empty => String::new(),
    }
}

/// The schemas reachable from request bodies: the types callers build.
fn sent_schemas(spec: &OpenAPI) -> BTreeSet<String> {
    let mut pending = Vec::new();
    for (_, item) in spec.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (_, operation) in item.iter() {
            if let Some(ReferenceOr::Item(body)) = &operation.request_body {
                for media in body.content.values() {
                    if let Some(schema) = &media.schema {
                        refs_of(schema, &mut pending);
                    }
                }
            }
        }
    }
    let mut sent = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !sent.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = spec.components.as_ref().and_then(|c| c.schemas.get(&name)) {
            refs_of(schema, &mut pending);
        }
    }
    sent
}

/// Pushes the component names `schema` refers to (directly or nested).
fn refs_of(schema: &ReferenceOr<Schema>, out: &mut Vec<String>) {
    let schema = match schema {
        ReferenceOr::Reference { reference } => {
            if let Some(name) = reference.strip_prefix("#/components/schemas/") {
                out.push(name.to_string());
            }
            return;
        }
        ReferenceOr::Item(schema) => schema,
    };
    let boxed = |s: &ReferenceOr<Box<Schema>>, out: &mut Vec<String>| {
        refs_of(&s.clone().unbox(), out);
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => {
            for s in o.properties.values() {
                boxed(s, out);
            }
            if let Some(openapiv3::AdditionalProperties::Schema(s)) = &o.additional_properties {
                refs_of(s, out);
            }
        }
        SchemaKind::Type(Type::Array(a)) => {
            if let Some(items) = &a.items {
                boxed(items, out);
            }
        }
        SchemaKind::OneOf { one_of: list }
        | SchemaKind::AnyOf { any_of: list }
        | SchemaKind::AllOf { all_of: list } => {
            for s in list {
                refs_of(s, out);
            }
        }
        SchemaKind::Not { not } => refs_of(not, out),
        SchemaKind::Any(a) => {
            for s in a.properties.values() {
                boxed(s, out);
            }
            for s in a.all_of.iter().chain(&a.one_of).chain(&a.any_of) {
                refs_of(s, out);
            }
        }
        SchemaKind::Type(_) => {}
    }
}
