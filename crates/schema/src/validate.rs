//! Validation of JSON values against facets.

use std::collections::HashMap;

use openapiv3::OpenAPI;
use regex::Regex;
use serde_json::{Map, Number, Value};

use crate::Violation;
use crate::facets::{Additional, Facets, Group, GroupKind, SRef, TypeSet, json_eq, ref_name};
use crate::format::{check_format, integer_format_range, translate_pattern};

/// How deep validation may nest (data levels plus `oneOf`/`anyOf` levels).
const MAX_DEPTH: usize = 256;

/// The message of a required property that is absent.
pub(crate) const MISSING_REQUIRED: &str = "missing required property";

/// The parsed spec plus compiled patterns; shared by every strategy.
#[derive(Debug)]
pub(crate) struct Inner {
    pub api: OpenAPI,
    /// Compiled `pattern`s, keyed by the pattern as written in the spec.
    pub regexes: HashMap<String, Regex>,
}

/// `path.key`, or `key` at the root.
pub(crate) fn key_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `path[index]`.
pub(crate) fn index_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// Compile an OpenAPI `pattern`.
pub(crate) fn compile_pattern(pattern: &str) -> Result<Regex, String> {
    Regex::new(&translate_pattern(pattern)).map_err(|e| format!("invalid pattern {pattern:?}: {e}"))
}

fn push(out: &mut Vec<Violation>, path: &str, message: String) {
    let v = Violation {
        path: path.to_string(),
        message,
    };
    if !out.contains(&v) {
        out.push(v);
    }
}

fn is_multiple(n: &Number, m: f64) -> bool {
    if m <= 0.0 || !m.is_finite() {
        return true;
    }
    if let (Some(i), true) = (n.as_i64(), m.fract() == 0.0 && m.abs() < 9.0e15) {
        return i128::from(i) % (m as i128) == 0;
    }
    let Some(x) = n.as_f64() else { return true };
    let q = x / m;
    (q - q.round()).abs() <= 1e-9 * q.abs().max(1.0)
}

impl Inner {
    pub(crate) fn regex(&self, pattern: &str) -> Result<Regex, String> {
        match self.regexes.get(pattern) {
            Some(re) => Ok(re.clone()),
            None => compile_pattern(pattern),
        }
    }

    /// Every violation of `value` against the conjunction of `refs`.
    pub(crate) fn validate_refs<'a>(&'a self, refs: &[SRef<'a>], value: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check_refs(refs, value, "", 0, &mut out);
        out
    }

    /// Every violation of `value` against `facets` (at the root).
    #[cfg(feature = "proptest")]
    pub(crate) fn validate_facets<'a>(
        &'a self,
        facets: &Facets<'a>,
        value: &Value,
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check(facets, value, "", 0, &mut Vec::new(), &mut out);
        out
    }

    /// Check a value at a new place of the document.
    fn check_refs<'a>(
        &'a self,
        refs: &[SRef<'a>],
        value: &Value,
        path: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let mut origins = Vec::new();
        match Facets::of_all(&self.api, refs, &mut origins) {
            Ok(f) => self.check(&f, value, path, depth + 1, &mut origins, out),
            Err(e) => push(out, path, e),
        }
    }

    /// `expanding` holds the components whose `oneOf`/`anyOf` is being
    /// expanded at this same place of the document (guards against cycles
    /// that consume no data).
    fn check<'a>(
        &'a self,
        f: &Facets<'a>,
        value: &Value,
        path: &str,
        depth: usize,
        expanding: &mut Vec<&'a str>,
        out: &mut Vec<Violation>,
    ) {
        if depth > MAX_DEPTH {
            push(
                out,
                path,
                format!("schema nesting deeper than {MAX_DEPTH} levels (cyclic $ref?)"),
            );
            return;
        }
        if let Some((group, rest)) = f.groups.split_first() {
            let mut base = f.clone();
            base.groups = rest.to_vec();
            self.check_group(&base, group, value, path, depth, expanding, out);
            return;
        }
        // Null passes the type constraint only where it is nullable; it still
        // meets `enum` and `not` below, as every value does.
        let type_ok = if value.is_null() {
            f.nullable
        } else {
            f.types.is_none_or(|types| types.has(TypeSet::of(value)))
        };
        if !type_ok {
            let types = f.types.unwrap_or(TypeSet::NONE);
            let expected = if f.nullable {
                types.union(TypeSet::NULL)
            } else {
                types
            };
            push(
                out,
                path,
                format!(
                    "expected {}, found {}",
                    expected.describe(),
                    TypeSet::name_of(value)
                ),
            );
            return;
        }
        if let Some(values) = &f.enumeration
            && !values.iter().any(|v| json_eq(v, value))
        {
            let list: Vec<String> = values.iter().map(Value::to_string).collect();
            push(
                out,
                path,
                format!("expected one of [{}], found {value}", list.join(", ")),
            );
        }
        match value {
            Value::String(s) => self.check_string(f, s, path, out),
            Value::Number(n) => check_number(f, n, path, out),
            Value::Array(items) => self.check_array(f, items, path, depth, out),
            Value::Object(map) => self.check_object(f, map, path, depth, out),
            Value::Null | Value::Bool(_) => {}
        }
        for not in &f.not {
            let mut inner = Vec::new();
            self.check_refs(&[*not], value, path, depth, &mut inner);
            if inner.is_empty() {
                push(out, path, "must not match the `not` schema".to_string());
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_group<'a>(
        &'a self,
        base: &Facets<'a>,
        group: &Group<'a>,
        value: &Value,
        path: &str,
        depth: usize,
        expanding: &mut Vec<&'a str>,
        out: &mut Vec<Violation>,
    ) {
        if let Some(tagging) = group.tagging() {
            let Value::Object(map) = value else {
                push(
                    out,
                    path,
                    format!("expected object, found {}", TypeSet::name_of(value)),
                );
                return;
            };
            let tag_path = key_path(path, &tagging.property);
            let chosen = match map.get(&tagging.property) {
                None => {
                    push(out, &tag_path, MISSING_REQUIRED.to_string());
                    None
                }
                Some(Value::String(tag)) => {
                    let branch = tagging.branch_for(tag);
                    if branch.is_none() {
                        let known: Vec<String> = tagging
                            .all_tags()
                            .iter()
                            .map(|t| format!("{t:?}"))
                            .collect();
                        push(
                            out,
                            &tag_path,
                            format!(
                                "unknown discriminator value {tag:?}; expected one of [{}]",
                                known.join(", ")
                            ),
                        );
                    }
                    branch
                }
                Some(other) => {
                    push(
                        out,
                        &tag_path,
                        format!("expected string, found {}", TypeSet::name_of(other)),
                    );
                    None
                }
            };
            match chosen.and_then(|i| group.branches.get(i)) {
                Some(branch) => {
                    self.check_branch(base, *branch, value, path, depth, expanding, out)
                }
                // Still report what is wrong with the rest of the object.
                None => self.check(base, value, path, depth + 1, expanding, out),
            }
            return;
        }

        let results: Vec<Vec<Violation>> = group
            .branches
            .iter()
            .map(|branch| {
                let mut found = Vec::new();
                self.check_branch(base, *branch, value, path, depth, expanding, &mut found);
                found
            })
            .collect();
        let matching: Vec<usize> = (0..results.len())
            .filter(|i| results[*i].is_empty())
            .collect();
        let keyword = group.kind.keyword();
        let n = results.len();
        match (group.kind, matching.len()) {
            (_, 0) => {
                push(
                    out,
                    path,
                    format!("does not match any of the {n} {keyword} alternatives"),
                );
                let fewest = results.iter().map(Vec::len).min().unwrap_or(0);
                for (i, found) in results.iter().enumerate() {
                    if found.len() == fewest {
                        for v in found {
                            push(
                                out,
                                &v.path,
                                format!("{} (in {keyword} alternative #{i})", v.message),
                            );
                        }
                    }
                }
            }
            (GroupKind::OneOf, 1) | (GroupKind::AnyOf, _) => {}
            (GroupKind::OneOf, k) => {
                let list: Vec<String> = matching.iter().map(|i| format!("#{i}")).collect();
                push(
                    out,
                    path,
                    format!(
                        "matches {k} of the {n} oneOf alternatives ({}); expected exactly one",
                        list.join(", ")
                    ),
                );
            }
        }
    }

    /// Check `value` against `base` narrowed by one branch.
    #[allow(clippy::too_many_arguments)]
    fn check_branch<'a>(
        &'a self,
        base: &Facets<'a>,
        branch: SRef<'a>,
        value: &Value,
        path: &str,
        depth: usize,
        expanding: &mut Vec<&'a str>,
        out: &mut Vec<Violation>,
    ) {
        let mut origins = Vec::new();
        let branch_facets = match Facets::of_all(&self.api, &[branch], &mut origins) {
            Ok(f) => f,
            Err(e) => {
                push(out, path, e);
                return;
            }
        };
        // A branch that is a component already being expanded at this same
        // place would expand forever.
        if let Some(name) = branch.reference().and_then(ref_name)
            && expanding.iter().any(|e| *e == name)
        {
            push(
                out,
                path,
                format!("schema {name:?} contains itself through oneOf/anyOf without nesting"),
            );
            return;
        }
        let mut merged = base.clone();
        merged.merge(branch_facets);
        let before = expanding.len();
        expanding.extend(origins);
        self.check(&merged, value, path, depth + 1, expanding, out);
        expanding.truncate(before);
    }

    fn check_string(&self, f: &Facets<'_>, s: &str, path: &str, out: &mut Vec<Violation>) {
        let len = s.chars().count();
        if let Some(min) = f.min_length
            && len < min
        {
            push(
                out,
                path,
                format!("string has {len} characters, fewer than minLength {min}"),
            );
        }
        if let Some(max) = f.max_length
            && len > max
        {
            push(
                out,
                path,
                format!("string has {len} characters, more than maxLength {max}"),
            );
        }
        for format in &f.formats {
            if let Some(Err(message)) = check_format(format, s) {
                push(out, path, message);
            }
        }
        for pattern in &f.patterns {
            match self.regex(pattern) {
                Ok(re) if re.is_match(s) => {}
                Ok(_) => push(
                    out,
                    path,
                    format!("{s:?} does not match pattern {pattern:?}"),
                ),
                Err(e) => push(out, path, e),
            }
        }
    }

    fn check_array<'a>(
        &'a self,
        f: &Facets<'a>,
        items: &[Value],
        path: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let len = items.len();
        if let Some(min) = f.min_items
            && len < min
        {
            push(
                out,
                path,
                format!("array has {len} items, fewer than minItems {min}"),
            );
        }
        if let Some(max) = f.max_items
            && len > max
        {
            push(
                out,
                path,
                format!("array has {len} items, more than maxItems {max}"),
            );
        }
        if f.unique_items {
            'outer: for i in 0..len {
                for j in i + 1..len {
                    if json_eq(&items[i], &items[j]) {
                        push(
                            out,
                            path,
                            format!("items #{i} and #{j} are equal, but uniqueItems is set"),
                        );
                        break 'outer;
                    }
                }
            }
        }
        if f.items.is_empty() {
            return;
        }
        let mut origins = Vec::new();
        match Facets::of_all(&self.api, &f.items, &mut origins) {
            Ok(item_facets) => {
                for (i, item) in items.iter().enumerate() {
                    self.check(
                        &item_facets,
                        item,
                        &index_path(path, i),
                        depth + 1,
                        &mut origins.clone(),
                        out,
                    );
                }
            }
            Err(e) => push(out, path, e),
        }
    }

    fn check_object<'a>(
        &'a self,
        f: &Facets<'a>,
        map: &Map<String, Value>,
        path: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        for name in &f.required {
            if !map.contains_key(*name) {
                push(out, &key_path(path, name), MISSING_REQUIRED.to_string());
            }
        }
        for (key, value) in map {
            let child = key_path(path, key);
            let schemas = match (f.property(key), &f.additional) {
                (Some(schemas), _) => schemas,
                (None, Additional::Schemas(schemas)) => schemas.as_slice(),
                (None, Additional::Forbidden) => {
                    push(
                        out,
                        &child,
                        "unexpected property (additionalProperties is false)".to_string(),
                    );
                    continue;
                }
                (None, Additional::Any | Additional::Absent) => continue,
            };
            self.check_refs(schemas, value, &child, depth, out);
        }
        let len = map.len();
        if let Some(min) = f.min_properties
            && len < min
        {
            push(
                out,
                path,
                format!("object has {len} properties, fewer than minProperties {min}"),
            );
        }
        if let Some(max) = f.max_properties
            && len > max
        {
            push(
                out,
                path,
                format!("object has {len} properties, more than maxProperties {max}"),
            );
        }
    }
}

fn check_number(f: &Facets<'_>, n: &Number, path: &str, out: &mut Vec<Violation>) {
    let as_int = n
        .as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from));
    if let Some(i) = as_int {
        for format in &f.formats {
            if let Some((lo, hi)) = integer_format_range(format)
                && !(lo..=hi).contains(&i)
            {
                push(
                    out,
                    path,
                    format!("{n} is out of range for format {format}"),
                );
            }
        }
    }
    let Some(x) = n.as_f64() else { return };
    if let Some(min) = f.minimum {
        if min.exclusive && x <= min.value {
            push(
                out,
                path,
                format!("{n} is not greater than exclusive minimum {}", min.value),
            );
        } else if x < min.value {
            push(out, path, format!("{n} is less than minimum {}", min.value));
        }
    }
    if let Some(max) = f.maximum {
        if max.exclusive && x >= max.value {
            push(
                out,
                path,
                format!("{n} is not less than exclusive maximum {}", max.value),
            );
        } else if x > max.value {
            push(
                out,
                path,
                format!("{n} is greater than maximum {}", max.value),
            );
        }
    }
    for m in &f.multiple_of {
        if !is_multiple(n, *m) {
            push(out, path, format!("{n} is not a multiple of {m}"));
        }
    }
}
