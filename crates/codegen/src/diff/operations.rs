//! Operation changes: added, removed, renamed, moved; their parameters, body,
//! output, raw-body and pagination flags.

use heck::ToSnakeCase;
use openapiv3::{OpenAPI, Parameter, ReferenceOr};

use super::{Breaks, Changes, pointer, rust_text};
use crate::operations::read::{Body, Location, OperationSpec, Param};

pub(super) fn compare(
    base: &OpenAPI,
    head: &OpenAPI,
    base_ops: &[OperationSpec],
    head_ops: &[OperationSpec],
    changes: &mut Changes,
) {
    let find = |ops: &'_ [OperationSpec], id: &str| -> Option<usize> {
        ops.iter().position(|op| op.id == id)
    };
    for old in base_ops {
        if find(head_ops, &old.id).is_some() {
            continue;
        }
        let renamed = head_ops
            .iter()
            .find(|new| new.method == old.method && new.path == old.path);
        match renamed {
            Some(new) if find(base_ops, &new.id).is_none() => changes.breaking(
                Breaks::Compile,
                "operation-renamed",
                operation_pointer(new),
                format!("{} -> {}", old.type_name, new.type_name),
                format!(
                    "operationId `{}` renamed `{}`: `client.{}()` is now `client.{}()`",
                    old.id,
                    new.id,
                    method_name(old),
                    method_name(new)
                ),
            ),
            _ => changes.breaking(
                Breaks::Compile,
                "operation-removed",
                operation_pointer(old),
                old.type_name.to_string(),
                format!(
                    "operation `{}` ({} {}) removed: `client.{}()` is gone",
                    old.id,
                    old.method,
                    old.path,
                    method_name(old)
                ),
            ),
        }
    }
    for new in head_ops {
        match find(base_ops, &new.id) {
            Some(i) => compare_operation(base, head, &base_ops[i], new, changes),
            None => {
                let renamed = base_ops.iter().any(|old| {
                    old.method == new.method
                        && old.path == new.path
                        && find(head_ops, &old.id).is_none()
                });
                if !renamed {
                    changes.additive(
                        "operation-added",
                        operation_pointer(new),
                        new.type_name.to_string(),
                        format!(
                            "operation `{}` ({} {}) added: `client.{}()`",
                            new.id,
                            new.method,
                            new.path,
                            method_name(new)
                        ),
                    );
                }
            }
        }
    }
}

fn method_name(op: &OperationSpec) -> String {
    op.id.to_snake_case()
}

fn operation_pointer(op: &OperationSpec) -> String {
    pointer(["paths", op.path.as_str(), &op.method.to_lowercase()])
}

fn compare_operation(
    base: &OpenAPI,
    head: &OpenAPI,
    old: &OperationSpec,
    new: &OperationSpec,
    changes: &mut Changes,
) {
    let here = operation_pointer(new);
    let ty = new.type_name.to_string();
    if old.method != new.method || old.path != new.path {
        changes.internal(
            "operation-moved",
            here.clone(),
            &ty,
            format!(
                "`{}` moved from {} {} to {} {}",
                new.id, old.method, old.path, new.method, new.path
            ),
        );
    }
    for old_param in &old.params {
        let rust = format!("{ty}::{}", old_param.field);
        match new.params.iter().find(|p| p.name == old_param.name) {
            None => changes.breaking(
                Breaks::Compile,
                "parameter-removed",
                param_pointer(base, old, &old_param.name),
                rust,
                format!(
                    "parameter `{}` removed: its {} is gone",
                    old_param.name,
                    if old_param.required {
                        "constructor argument"
                    } else {
                        "setter"
                    }
                ),
            ),
            Some(new_param) => compare_param(
                param_pointer(head, new, &new_param.name),
                rust,
                old_param,
                new_param,
                changes,
            ),
        }
    }
    for new_param in &new.params {
        if old.params.iter().any(|p| p.name == new_param.name) {
            continue;
        }
        let location = param_pointer(head, new, &new_param.name);
        let rust = format!("{ty}::{}", new_param.field);
        if new_param.required {
            changes.breaking(
                Breaks::Compile,
                "parameter-added",
                location,
                rust,
                format!(
                    "required parameter `{}` added: `client.{}(..)` takes one more argument",
                    new_param.name,
                    method_name(new)
                ),
            );
        } else {
            changes.additive(
                "parameter-added",
                location,
                rust,
                format!(
                    "optional parameter `{}` added: setter `.{}(..)`",
                    new_param.name, new_param.field
                ),
            );
        }
    }
    let body = |body: &Body| match body {
        Body::None => "no body".to_string(),
        Body::Json { ty, .. } => format!("JSON `{}`", rust_text(ty)),
        Body::Multipart(parts) => {
            let names: Vec<_> = parts.iter().map(|(name, _, _)| name.as_str()).collect();
            format!("multipart [{}]", names.join(", "))
        }
        Body::Text { .. } => "text".to_string(),
        Body::Bytes { media_type, .. } => format!("bytes ({media_type})"),
    };
    let (old_body, new_body) = (body(&old.body), body(&new.body));
    if old_body != new_body {
        changes.breaking(
            Breaks::Compile,
            "request-body-changed",
            format!("{here}/requestBody"),
            &ty,
            format!("request body changed from {old_body} to {new_body}"),
        );
    }
    let (old_out, new_out) = (rust_text(&old.output), rust_text(&new.output));
    if old_out != new_out {
        changes.breaking(
            Breaks::Compile,
            "response-changed",
            format!("{here}/responses"),
            &ty,
            format!("`send()` returns `{new_out}` instead of `{old_out}`"),
        );
    }
    if old.raw != new.raw {
        changes.breaking(
            Breaks::Compile,
            "raw-body-changed",
            format!("{here}/{}", crate::RAW_BODY_EXTENSION),
            &ty,
            if new.raw {
                "`send()` now returns `Raw<T>` (x-cs-raw-body on)"
            } else {
                "`send()` now returns `T`, not `Raw<T>` (x-cs-raw-body off)"
            },
        );
    }
    let pages = format!("{here}/{}", crate::PAGINATED_EXTENSION);
    match (&old.paginated, &new.paginated) {
        (None, Some(_)) => changes.additive(
            "pagination-added",
            pages,
            &ty,
            "pages() and items() added (x-cs-paginated)",
        ),
        (Some(_), None) => changes.breaking(
            Breaks::Compile,
            "pagination-removed",
            pages,
            &ty,
            "pages() and items() removed (x-cs-paginated)",
        ),
        (Some(o), Some(n)) => {
            if rust_text(&o.item) != rust_text(&n.item) || o.property != n.property {
                changes.breaking(
                    Breaks::Compile,
                    "pagination-changed",
                    pages,
                    &ty,
                    format!(
                        "items() yields `{}` from `{}` instead of `{}` from `{}`",
                        rust_text(&n.item),
                        n.property,
                        rust_text(&o.item),
                        o.property
                    ),
                );
            } else if o.max_page_size != n.max_page_size || o.has_count != n.has_count {
                changes.internal(
                    "pagination-changed",
                    pages,
                    &ty,
                    format!(
                        "page size at most {} (was {})",
                        n.max_page_size, o.max_page_size
                    ),
                );
            }
        }
        (None, None) => {}
    }
}

fn compare_param(location: String, rust: String, old: &Param, new: &Param, changes: &mut Changes) {
    let name = &new.name;
    if old.required != new.required {
        changes.breaking(
            Breaks::Compile,
            if new.required {
                "parameter-required"
            } else {
                "parameter-optional"
            },
            location.clone(),
            rust.clone(),
            if new.required {
                format!("parameter `{name}` made required: a constructor argument, not a setter")
            } else {
                format!("parameter `{name}` made optional: a setter, not a constructor argument")
            },
        );
    }
    let (old_ty, new_ty) = (rust_text(&old.ty), rust_text(&new.ty));
    if old_ty != new_ty {
        changes.breaking(
            Breaks::Compile,
            "parameter-type-changed",
            location.clone(),
            rust.clone(),
            format!("parameter `{name}` takes `{new_ty}` instead of `{old_ty}`"),
        );
    }
    if old.location != new.location {
        changes.internal(
            "parameter-moved",
            location.clone(),
            rust.clone(),
            format!(
                "parameter `{name}` goes in the {} instead of the {}",
                location_name(new.location),
                location_name(old.location)
            ),
        );
    }
    let tighter = |old: Option<i64>, new: Option<i64>, raised: bool| match (old, new) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(o), Some(n)) => (raised && n > o) || (!raised && n < o),
    };
    let as_i64 = |v: Option<usize>| v.and_then(|v| i64::try_from(v).ok());
    let bounds = |p: &Param| (p.minimum, p.maximum, p.min_length);
    if bounds(old) != bounds(new) {
        let tightened = tighter(old.minimum, new.minimum, true)
            || tighter(old.maximum, new.maximum, false)
            || tighter(as_i64(old.min_length), as_i64(new.min_length), true);
        let message = format!(
            "parameter `{name}` bounds {} (minimum {:?} -> {:?}, maximum {:?} -> {:?}, minLength {:?} -> {:?})",
            if tightened { "tightened" } else { "loosened" },
            old.minimum,
            new.minimum,
            old.maximum,
            new.maximum,
            old.min_length,
            new.min_length
        );
        if tightened {
            changes.breaking(
                Breaks::RunTime,
                "parameter-bounds-changed",
                location,
                rust,
                message,
            );
        } else {
            changes.internal("parameter-bounds-changed", location, rust, message);
        }
    }
}

fn location_name(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "headers",
    }
}

/// The pointer to parameter `name` of `op`: its entry in the operation's or
/// the path item's `parameters` list.
fn param_pointer(spec: &OpenAPI, op: &OperationSpec, name: &str) -> String {
    let method = op.method.to_lowercase();
    let item = spec.paths.paths.get(&op.path).and_then(|i| i.as_item());
    let named = |list: &[ReferenceOr<Parameter>]| {
        list.iter().position(|p| {
            let param = match p {
                ReferenceOr::Item(param) => Some(param),
                ReferenceOr::Reference { reference } => reference
                    .strip_prefix("#/components/parameters/")
                    .and_then(|n| spec.components.as_ref()?.parameters.get(n))
                    .and_then(|p| p.as_item()),
            };
            param.is_some_and(|p| p.parameter_data_ref().name == name)
        })
    };
    if let Some(item) = item {
        let operation = item.iter().find(|(m, _)| *m == method).map(|(_, o)| o);
        if let Some(i) = operation.and_then(|o| named(&o.parameters)) {
            return pointer([
                "paths",
                op.path.as_str(),
                &method,
                "parameters",
                &i.to_string(),
            ]);
        }
        if let Some(i) = named(&item.parameters) {
            return pointer(["paths", op.path.as_str(), "parameters", &i.to_string()]);
        }
    }
    pointer(["paths", op.path.as_str(), &method, "parameters"])
}
