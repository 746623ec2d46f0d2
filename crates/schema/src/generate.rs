//! proptest strategies for documents a schema allows and forbids.
//!
//! Strategies are built eagerly by walking the schema; recursion through
//! `$ref` is cut after [`GenOptions::max_recursion`] nestings of the same
//! component (optional properties are then left out, arrays left empty and
//! nullable values set to `null`).

use std::sync::Arc;

use openapiv3::{ReferenceOr, Schema};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::strategy::{BoxedStrategy, Just, Union};
use serde_json::{Map, Value};

use crate::SpecError;
use crate::facets::{Additional, Facets, GroupKind, SRef, TypeSet, owned_conjunction};
use crate::format::{
    KNOWN_STRING_FORMATS, days_in_month, integer_format_range, strip_anchors, translate_pattern,
};
use crate::strategies::{GenOptions, Invalidity, InvalidityKind};
use crate::validate::Inner;

/// One step of a path inside a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// Where a generated invalid document is at fault, relative to the value
/// being built.
#[derive(Clone, Debug)]
pub(crate) struct Rel {
    segs: Vec<Seg>,
    kind: InvalidityKind,
}

impl Rel {
    fn wrong_type() -> Rel {
        Rel {
            segs: Vec::new(),
            kind: InvalidityKind::WrongType,
        }
    }

    fn missing(name: &str) -> Rel {
        Rel {
            segs: vec![Seg::Key(name.to_string())],
            kind: InvalidityKind::MissingRequired,
        }
    }

    fn under_key(mut self, key: &str) -> Rel {
        self.segs.insert(0, Seg::Key(key.to_string()));
        self
    }

    fn under_index(mut self, index: usize) -> Rel {
        self.segs.insert(0, Seg::Index(index));
        self
    }

    fn into_invalidity(self) -> Invalidity {
        let mut path = String::new();
        for seg in &self.segs {
            match seg {
                Seg::Key(k) if path.is_empty() => path.push_str(k),
                Seg::Key(k) => {
                    path.push('.');
                    path.push_str(k);
                }
                Seg::Index(i) => path.push_str(&format!("[{i}]")),
            }
        }
        let field = self
            .segs
            .iter()
            .rev()
            .find_map(|s| match s {
                Seg::Key(k) => Some(k.clone()),
                Seg::Index(_) => None,
            })
            .unwrap_or_default();
        Invalidity {
            path,
            field,
            kind: self.kind,
        }
    }
}

type Strat<T> = BoxedStrategy<T>;

/// Invalid values, weighted by how many places of the document they can
/// break, so that every such place is about equally likely.
type Bad = (u32, Strat<(Value, Rel)>);

/// One weighted choice among `options` (`None` if there are none).
fn choose(options: Vec<Bad>) -> Option<Bad> {
    let total = options
        .iter()
        .fold(0u32, |acc, (w, _)| acc.saturating_add(*w))
        .min(1 << 20);
    match options.len() {
        0 => None,
        1 => options.into_iter().next(),
        _ => {
            // Keep the total within u32 whatever the nesting.
            let scaled: Vec<(u32, Strat<(Value, Rel)>)> = options
                .into_iter()
                .map(|(w, s)| (w.clamp(1, 1 << 20), s))
                .collect();
            Some((total, Union::new_weighted(scaled).boxed()))
        }
    }
}

/// What one place of a document can hold.
struct Built {
    /// Values the schema allows (`None`: cannot generate any).
    valid: Option<Strat<Value>>,
    /// Values the schema forbids, other than a bare `null`.
    invalid: Vec<Bad>,
    /// A bare `null` is a wrong type here.
    null_wrong: bool,
}

impl Built {
    fn of_valid(valid: Option<Strat<Value>>) -> Built {
        Built {
            valid,
            invalid: Vec::new(),
            null_wrong: false,
        }
    }

    /// Invalid values for a place that must be present (a required property,
    /// an array item, a map value, the root): a bare `null` counts.
    fn invalid_when_present(&self) -> Option<Bad> {
        let mut all = self.invalid.clone();
        if self.null_wrong {
            all.push((1, Just((Value::Null, Rel::wrong_type())).boxed()));
        }
        choose(all)
    }
}

/// Where the generator is in the schema.
#[derive(Clone, Default)]
struct Stack<'a> {
    /// Components being expanded, outermost first.
    refs: Vec<&'a str>,
    depth: usize,
    /// Document path, for error messages.
    path: String,
}

impl<'a> Stack<'a> {
    fn child(&self, step: &str) -> Stack<'a> {
        let mut next = self.clone();
        if step.starts_with('[') || next.path.is_empty() {
            next.path.push_str(step);
        } else {
            next.path.push('.');
            next.path.push_str(step);
        }
        next
    }

    fn location(&self) -> String {
        if self.path.is_empty() {
            "<root>".to_string()
        } else {
            self.path.clone()
        }
    }
}

struct Generator<'a> {
    inner: &'a Inner,
    shared: Arc<Inner>,
    opts: GenOptions,
    invalid: bool,
}

/// Build the strategy for values `schema` allows.
pub(crate) fn valid_strategy(
    shared: &Arc<Inner>,
    schema: &ReferenceOr<Schema>,
    opts: &GenOptions,
    what: &str,
) -> Result<Strat<Value>, SpecError> {
    let generator = Generator {
        inner: shared,
        shared: Arc::clone(shared),
        opts: opts.clone(),
        invalid: false,
    };
    let built = generator.build_refs(&[SRef::Plain(schema)], &Stack::default(), true)?;
    built.valid.ok_or_else(|| SpecError::Unsatisfiable {
        schema: what.to_string(),
    })
}

/// Build the strategy for values `schema` forbids.
pub(crate) fn invalid_strategy(
    shared: &Arc<Inner>,
    schema: &ReferenceOr<Schema>,
    opts: &GenOptions,
    what: &str,
) -> Result<Strat<(Value, Invalidity)>, SpecError> {
    let generator = Generator {
        inner: shared,
        shared: Arc::clone(shared),
        opts: opts.clone(),
        invalid: true,
    };
    let built = generator.build_refs(&[SRef::Plain(schema)], &Stack::default(), true)?;
    let Some((_, options)) = built.invalid_when_present() else {
        return Err(SpecError::NoInvalid {
            schema: what.to_string(),
        });
    };
    let owned = schema.clone();
    let checker = Arc::clone(shared);
    Ok(options
        .prop_map(|(value, rel)| (value, rel.into_invalidity()))
        .prop_filter(
            "the generated document is valid after all, or its fault is reported elsewhere",
            move |(value, invalidity)| {
                checker
                    .validate_refs(&[SRef::Plain(&owned)], value)
                    .iter()
                    .any(|v| v.path == invalidity.path)
            },
        )
        .boxed())
}

impl<'a> Generator<'a> {
    fn build_refs(
        &self,
        refs: &[SRef<'a>],
        st: &Stack<'a>,
        root_wrong: bool,
    ) -> Result<Built, SpecError> {
        let mut origins = Vec::new();
        let facets = Facets::of_all(&self.inner.api, refs, &mut origins).map_err(|message| {
            SpecError::Schema {
                location: st.location(),
                message,
            }
        })?;
        self.build(&facets, st, &origins, root_wrong)
    }

    /// `origins`: the components `f` was read from, not yet on the stack.
    /// `root_wrong`: offer values of a wrong type for this place itself.
    fn build(
        &self,
        f: &Facets<'a>,
        st: &Stack<'a>,
        origins: &[&'a str],
        root_wrong: bool,
    ) -> Result<Built, SpecError> {
        let too_deep = st.depth >= self.opts.max_depth
            || origins
                .iter()
                .any(|o| st.refs.iter().filter(|r| *r == o).count() > self.opts.max_recursion);
        let mut built = if too_deep {
            Built::of_valid(None)
        } else {
            let mut next = st.clone();
            next.refs.extend(origins);
            next.depth += 1;
            if f.groups.is_empty() {
                self.build_plain(f, &next)?
            } else {
                self.build_group(f, &next)?
            }
        };
        if f.null_is_valid() {
            built.valid = Some(match built.valid.take() {
                Some(s) => prop_oneof![1 => Just(Value::Null), 5 => s].boxed(),
                None => Just(Value::Null).boxed(),
            });
        }
        if self.invalid && root_wrong {
            let accepted = self.accepts(f, 0);
            built.null_wrong = !accepted.has(TypeSet::NULL);
            built.invalid.extend(wrong_values(accepted).map(|s| (1, s)));
        }
        Ok(built)
    }

    /// The kinds of value `f` accepts at its root.
    fn accepts(&self, f: &Facets<'a>, depth: usize) -> TypeSet {
        if depth > 6 {
            return TypeSet::ALL;
        }
        let mut set = f.types.unwrap_or(TypeSet::ALL);
        if f.nullable {
            set = set.union(TypeSet::NULL);
        }
        if let Some(values) = &f.enumeration {
            set = set.intersect(TypeSet::of_enum(values));
        }
        for group in &f.groups {
            let mut any = TypeSet::NONE;
            for branch in &group.branches {
                any = any.union(
                    match Facets::of_all(&self.inner.api, &[*branch], &mut Vec::new()) {
                        Ok(bf) => self.accepts(&bf, depth + 1),
                        Err(_) => TypeSet::ALL,
                    },
                );
            }
            set = set.intersect(any);
        }
        set
    }

    /// Only keep values the whole place accepts.
    fn keep_valid(&self, s: Strat<Value>, f: &Facets<'a>, why: &'static str) -> Strat<Value> {
        let schema = owned_conjunction(&f.sources);
        let checker = Arc::clone(&self.shared);
        s.prop_filter(why, move |v| {
            checker.validate_refs(&[SRef::Plain(&schema)], v).is_empty()
        })
        .boxed()
    }

    fn build_group(&self, f: &Facets<'a>, st: &Stack<'a>) -> Result<Built, SpecError> {
        let Some((group, rest)) = f.groups.split_first() else {
            return self.build_plain(f, st);
        };
        let mut base = f.clone();
        base.groups = rest.to_vec();
        let tagging = group.tagging();
        let mut valid = Vec::new();
        let mut invalid = Vec::new();
        for (i, branch) in group.branches.iter().enumerate() {
            let mut origins = Vec::new();
            let branch_facets =
                Facets::of_all(&self.inner.api, &[*branch], &mut origins).map_err(|message| {
                    SpecError::Schema {
                        location: st.location(),
                        message,
                    }
                })?;
            let mut merged = base.clone();
            merged.merge(branch_facets);
            let built = self.build(&merged, st, &origins, false)?;
            match &tagging {
                Some(t) => {
                    let tags = t.tags.get(i).cloned().unwrap_or_default();
                    if tags.is_empty() {
                        continue;
                    }
                    let property = t.property.clone();
                    if let Some(s) = built.valid {
                        let property = property.clone();
                        valid.push(
                            (s, select(tags.clone()))
                                .prop_map(move |(mut v, tag)| {
                                    if let Value::Object(m) = &mut v {
                                        m.insert(property.clone(), Value::String(tag));
                                    }
                                    v
                                })
                                .boxed(),
                        );
                    }
                    for (weight, s) in built.invalid {
                        let property = property.clone();
                        invalid.push((
                            weight,
                            (s, select(tags.clone()))
                                .prop_map(move |((mut v, rel), tag)| {
                                    let tag_at_fault = rel.segs == [Seg::Key(property.clone())];
                                    if let (Value::Object(m), false) = (&mut v, tag_at_fault) {
                                        m.insert(property.clone(), Value::String(tag));
                                    }
                                    (v, rel)
                                })
                                .boxed(),
                        ));
                    }
                }
                None => {
                    valid.extend(built.valid);
                    // A decoder of an untagged union can only say that the
                    // value matches no alternative, at the union itself: so
                    // that is where the fault is reported.
                    invalid.extend(built.invalid.into_iter().map(|(weight, s)| {
                        (weight, s.prop_map(|(v, _)| (v, Rel::wrong_type())).boxed())
                    }));
                }
            }
        }
        if tagging.is_none() && !invalid.is_empty() {
            let branches: Arc<Vec<ReferenceOr<Schema>>> =
                Arc::new(group.branches.iter().map(|b| b.to_owned_schema()).collect());
            invalid = invalid
                .into_iter()
                .map(|(weight, s)| {
                    let checker = Arc::clone(&self.shared);
                    let branches = Arc::clone(&branches);
                    let s = s
                        .prop_filter("matches an alternative of the union", move |(v, _)| {
                            branches
                                .iter()
                                .all(|b| !checker.validate_refs(&[SRef::Plain(b)], v).is_empty())
                        })
                        .boxed();
                    (weight, s)
                })
                .collect();
        }
        let valid = if valid.is_empty() {
            None
        } else {
            let union = Union::new(valid).boxed();
            Some(if tagging.is_none() && group.kind == GroupKind::OneOf {
                self.keep_valid(union, f, "oneOf: must match exactly one alternative")
            } else {
                union
            })
        };
        Ok(Built {
            valid,
            invalid,
            null_wrong: false,
        })
    }

    fn build_plain(&self, f: &Facets<'a>, st: &Stack<'a>) -> Result<Built, SpecError> {
        if let Some(values) = &f.enumeration {
            let mut rest = f.clone();
            rest.enumeration = None;
            let allowed: Vec<Value> = values
                .iter()
                .filter(|v| self.inner.validate_facets(&rest, v).is_empty())
                .cloned()
                .collect();
            return Ok(Built::of_valid(
                (!allowed.is_empty()).then(|| select(allowed).boxed()),
            ));
        }
        let mut alternatives: Vec<Strat<Value>> = Vec::new();
        let mut invalid = Vec::new();
        match f.types {
            None => alternatives.push(arbitrary_json()),
            Some(t) => {
                if t.has(TypeSet::STRING) {
                    alternatives.extend(self.strings(f, st)?);
                }
                if t.has(TypeSet::NUMBER) || t.has(TypeSet::FLOAT) {
                    alternatives.extend(numbers(f));
                } else if t.has(TypeSet::INT) {
                    alternatives.extend(integers(f));
                }
                if t.has(TypeSet::BOOL) {
                    alternatives.push(any::<bool>().prop_map(Value::Bool).boxed());
                }
                if t.has(TypeSet::ARRAY) {
                    alternatives.extend(self.array(f, st, &mut invalid)?);
                }
                if t.has(TypeSet::OBJECT) {
                    alternatives.extend(self.object(f, st, &mut invalid)?);
                }
            }
        }
        let valid = match alternatives.len() {
            0 => None,
            1 => alternatives.pop(),
            _ => Some(Union::new(alternatives).boxed()),
        };
        let valid = match valid {
            Some(s) if needs_filter(f) => Some(self.keep_valid(
                s,
                f,
                "constraints the generator does not construct directly",
            )),
            other => other,
        };
        Ok(Built {
            valid,
            invalid,
            null_wrong: false,
        })
    }

    fn strings(&self, f: &Facets<'a>, st: &Stack<'a>) -> Result<Option<Strat<Value>>, SpecError> {
        let lo = f.min_length.unwrap_or(0);
        if f.max_length.is_some_and(|hi| hi < lo) {
            return Ok(None);
        }
        let s = if let Some(pattern) = f.patterns.first() {
            let translated = translate_pattern(pattern);
            proptest::string::string_regex(strip_anchors(&translated))
                .map_err(|e| SpecError::Schema {
                    location: st.location(),
                    message: format!("cannot generate strings for pattern {pattern:?}: {e}"),
                })?
                .boxed()
        } else {
            match f.formats.iter().find(|f| KNOWN_STRING_FORMATS.contains(f)) {
                Some(&"date-time") => date_time(),
                Some(&"date") => date(),
                Some(&"uuid") => uuid(),
                _ => varied_string(lo, f.max_length),
            }
        };
        Ok(Some(s.prop_map(Value::String).boxed()))
    }

    fn array(
        &self,
        f: &Facets<'a>,
        st: &Stack<'a>,
        invalid: &mut Vec<Bad>,
    ) -> Result<Option<Strat<Value>>, SpecError> {
        let item = if f.items.is_empty() {
            Built::of_valid(Some(arbitrary_json()))
        } else {
            self.build_refs(&f.items, &st.child("[]"), true)?
        };
        let lo = f.min_items.unwrap_or(0);
        let cap = lo.saturating_add(self.opts.max_extra_items);
        let hi = f.max_items.map_or(cap, |m| m.min(cap));
        if hi < lo {
            return Ok(None);
        }
        let unique = f.unique_items;
        let items_of = move |s: Strat<Value>, range: std::ops::RangeInclusive<usize>| {
            let min = *range.start();
            let v = vec(s, range);
            if unique {
                v.prop_map(dedupe)
                    .prop_filter("uniqueItems", move |v| v.len() >= min)
                    .boxed()
            } else {
                v.boxed()
            }
        };
        let valid = match &item.valid {
            Some(s) => Some(items_of(s.clone(), lo..=hi).prop_map(Value::Array).boxed()),
            None if lo == 0 => Some(Just(Value::Array(Vec::new())).boxed()),
            None => None,
        };
        if let (true, Some((weight, bad))) = (self.invalid, item.invalid_when_present()) {
            let n_lo = lo.max(1);
            let n_hi = hi.max(n_lo);
            let others = match &item.valid {
                Some(s) => Some(items_of(s.clone(), n_lo - 1..=n_hi - 1)),
                None if n_lo == 1 => Some(Just(Vec::new()).boxed()),
                None => None,
            };
            if let Some(others) = others {
                invalid.push((
                    weight,
                    (others, bad, any::<Index>())
                        .prop_map(|(mut others, (v, rel), at)| {
                            let i = at.index(others.len() + 1);
                            others.insert(i, v);
                            (Value::Array(others), rel.under_index(i))
                        })
                        .boxed(),
                ));
            }
        }
        Ok(valid)
    }

    fn object(
        &self,
        f: &Facets<'a>,
        st: &Stack<'a>,
        invalid: &mut Vec<Bad>,
    ) -> Result<Option<Strat<Value>>, SpecError> {
        struct Prop {
            name: String,
            required: bool,
            built: Built,
        }
        let mut props = Vec::new();
        for (name, schemas) in &f.properties {
            props.push(Prop {
                name: name.to_string(),
                required: f.required.contains(name),
                built: self.build_refs(schemas, &st.child(name), true)?,
            });
        }
        for name in &f.required {
            if f.property(name).is_some() {
                continue;
            }
            let built = match &f.additional {
                Additional::Schemas(s) => self.build_refs(s, &st.child(name), true)?,
                Additional::Forbidden => Built::of_valid(None),
                Additional::Any | Additional::Absent => Built::of_valid(Some(arbitrary_json())),
            };
            props.push(Prop {
                name: name.to_string(),
                required: true,
                built,
            });
        }
        let declared: Arc<Vec<String>> = Arc::new(props.iter().map(|p| p.name.clone()).collect());
        let mut additional_built = None;
        let extras: Option<Strat<Vec<(String, Value)>>> = match &f.additional {
            Additional::Forbidden => None,
            Additional::Schemas(s) => {
                let built = self.build_refs(s, &st.child("*"), true)?;
                let extras = built
                    .valid
                    .clone()
                    .map(|v| vec((key_string(), v), 0..=2).boxed());
                additional_built = Some(built);
                extras
            }
            Additional::Any => Some(vec((key_string(), arbitrary_json()), 0..=2).boxed()),
            Additional::Absent if self.opts.unknown_fields => {
                Some(vec((key_string(), arbitrary_json()), 1..=3).boxed())
            }
            Additional::Absent => None,
        };

        let assemble = |exclude: Option<usize>| -> Option<Strat<Map<String, Value>>> {
            let mut parts: Vec<Strat<Option<(String, Value)>>> = Vec::new();
            for (i, p) in props.iter().enumerate() {
                if Some(i) == exclude {
                    continue;
                }
                let name = p.name.clone();
                match (&p.built.valid, p.required) {
                    (Some(s), true) => {
                        parts.push(s.clone().prop_map(move |v| Some((name.clone(), v))).boxed())
                    }
                    (None, true) => return None,
                    (Some(s), false) => parts.push(
                        proptest::option::of(s.clone())
                            .prop_map(move |v| v.map(|v| (name.clone(), v)))
                            .boxed(),
                    ),
                    (None, false) => {}
                }
            }
            let extras = extras.clone().unwrap_or_else(|| Just(Vec::new()).boxed());
            let declared = Arc::clone(&declared);
            Some(
                (parts, extras)
                    .prop_map(move |(parts, extras)| {
                        let mut m = Map::new();
                        for (k, v) in parts.into_iter().flatten() {
                            m.insert(k, v);
                        }
                        for (k, v) in extras {
                            if !declared.contains(&k) && !m.contains_key(&k) {
                                m.insert(k, v);
                            }
                        }
                        m
                    })
                    .boxed(),
            )
        };

        if self.invalid {
            for (i, p) in props.iter().enumerate() {
                let Some(base) = assemble(Some(i)) else {
                    continue;
                };
                if p.required {
                    let name = p.name.clone();
                    invalid.push((
                        1,
                        base.clone()
                            .prop_map(move |m| (Value::Object(m), Rel::missing(&name)))
                            .boxed(),
                    ));
                }
                let bad = if p.required {
                    p.built.invalid_when_present()
                } else {
                    // An optional property set to null decodes as "absent"
                    // in most bindings, so null is not offered as a fault.
                    choose(p.built.invalid.clone())
                };
                if let Some((weight, bad)) = bad {
                    let name = p.name.clone();
                    invalid.push((
                        weight,
                        (base, bad)
                            .prop_map(move |(mut m, (v, rel))| {
                                m.insert(name.clone(), v);
                                (Value::Object(m), rel.under_key(&name))
                            })
                            .boxed(),
                    ));
                }
            }
            if let Some(built) = &additional_built
                && let (Some((weight, bad)), Some(base)) =
                    (built.invalid_when_present(), assemble(None))
            {
                let declared = Arc::clone(&declared);
                let key =
                    key_string().prop_filter("declared property", move |k| !declared.contains(k));
                invalid.push((
                    weight,
                    (base, key, bad)
                        .prop_map(|(mut m, k, (v, rel))| {
                            m.insert(k.clone(), v);
                            (Value::Object(m), rel.under_key(&k))
                        })
                        .boxed(),
                ));
            }
        }
        Ok(assemble(None).map(|s| s.prop_map(Value::Object).boxed()))
    }
}

/// Does `f` constrain values in ways the generator only gets right by
/// filtering?
fn needs_filter(f: &Facets<'_>) -> bool {
    let known_formats = f
        .formats
        .iter()
        .filter(|x| KNOWN_STRING_FORMATS.contains(x))
        .count();
    let lengths = f.min_length.is_some() || f.max_length.is_some();
    !f.not.is_empty()
        || f.min_properties.is_some()
        || f.max_properties.is_some()
        || f.patterns.len() > 1
        || (!f.patterns.is_empty() && (lengths || known_formats > 0))
        || (known_formats > 0 && lengths)
        || known_formats > 1
        || f.multiple_of.len() > 1
        || f.multiple_of.iter().any(|m| m.fract() != 0.0) && f.types == Some(TypeSet::INT)
}

fn dedupe(values: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(values.len());
    for v in values {
        if !out.iter().any(|o| crate::facets::json_eq(o, &v)) {
            out.push(v);
        }
    }
    out
}

fn to_i128(x: f64) -> i128 {
    // `as` saturates, and maps NaN to 0.
    x as i128
}

fn integers(f: &Facets<'_>) -> Option<Strat<Value>> {
    let (mut lo, mut hi) = (i128::from(i64::MIN), i128::from(i64::MAX));
    for format in &f.formats {
        if let Some((flo, fhi)) = integer_format_range(format) {
            lo = lo.max(flo);
            hi = if *format == "uint64" {
                fhi
            } else {
                hi.min(fhi)
            };
        }
    }
    if let Some(b) = f.minimum {
        let v = if b.exclusive {
            b.value.floor() + 1.0
        } else {
            b.value.ceil()
        };
        lo = lo.max(to_i128(v));
    }
    if let Some(b) = f.maximum {
        let v = if b.exclusive {
            b.value.ceil() - 1.0
        } else {
            b.value.floor()
        };
        hi = hi.min(to_i128(v));
    }
    if lo > hi {
        return None;
    }
    let step = f
        .multiple_of
        .first()
        .filter(|m| m.fract() == 0.0 && **m >= 1.0 && **m < 9.0e15)
        .map(|m| *m as i128)
        .unwrap_or(1);
    let k_lo = lo.div_euclid(step) + i128::from(lo.rem_euclid(step) != 0);
    let k_hi = hi.div_euclid(step);
    if k_lo > k_hi {
        return None;
    }
    let small = (k_lo.max(-100), k_hi.min(100));
    let mut ks: Vec<(u32, Strat<i128>)> = vec![
        (2, (k_lo..=k_hi).boxed()),
        (1, select(vec![k_lo, k_hi]).boxed()),
    ];
    if small.0 <= small.1 {
        ks.push((4, (small.0..=small.1).boxed()));
    }
    Some(
        Union::new_weighted(ks)
            .prop_map(move |k| {
                // Within [lo, hi], which lies within [i64::MIN, u64::MAX].
                let n = k * step;
                match i64::try_from(n) {
                    Ok(i) => Value::from(i),
                    Err(_) => Value::from(u64::try_from(n).unwrap_or(u64::MAX)),
                }
            })
            .boxed(),
    )
}

fn numbers(f: &Facets<'_>) -> Option<Strat<Value>> {
    let lo = f.minimum.map_or(f64::NEG_INFINITY, |b| {
        if b.exclusive {
            b.value.next_up()
        } else {
            b.value
        }
    });
    let hi = f.maximum.map_or(f64::INFINITY, |b| {
        if b.exclusive {
            b.value.next_down()
        } else {
            b.value
        }
    });
    if lo > hi || lo.is_nan() || hi.is_nan() {
        return None;
    }
    let (wlo, whi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) => (lo, hi),
        (true, false) => (lo, lo + 1.0e6),
        (false, true) => (hi - 1.0e6, hi),
        (false, false) => (-1.0e6, 1.0e6),
    };
    // Keep the width finite: proptest's float ranges cannot span all of f64.
    let (wlo, whi) = (wlo.max(-1.0e307), whi.min(1.0e307));
    if wlo > whi {
        return None;
    }
    let to_value = |x: f64| Value::from(x);
    if let Some(m) = f
        .multiple_of
        .first()
        .copied()
        .filter(|m| *m > 0.0 && m.is_finite())
    {
        let k_lo = (wlo / m).ceil().clamp(-1.0e12, 1.0e12) as i64;
        let k_hi = (whi / m).floor().clamp(-1.0e12, 1.0e12) as i64;
        if k_lo > k_hi {
            return None;
        }
        return Some(
            (k_lo..=k_hi)
                .prop_map(move |k| k as f64 * m)
                .prop_filter("within bounds", move |x| *x >= lo && *x <= hi)
                .prop_map(to_value)
                .boxed(),
        );
    }
    let mut options: Vec<(u32, Strat<f64>)> = Vec::new();
    options.push((
        3,
        if wlo < whi {
            (wlo..=whi).boxed()
        } else {
            Just(wlo).boxed()
        },
    ));
    let (i_lo, i_hi) = (wlo.ceil(), whi.floor());
    if i_lo <= i_hi && i_lo > -9.0e15 && i_hi < 9.0e15 {
        let (i_lo, i_hi) = (i_lo as i64, i_hi as i64);
        options.push((2, (i_lo..=i_hi).prop_map(|i| i as f64).boxed()));
    }
    if lo.is_infinite() && hi.is_infinite() {
        options.push((1, proptest::num::f64::NORMAL.boxed()));
    }
    Some(Union::new_weighted(options).prop_map(to_value).boxed())
}

/// RFC 3339 UTC with millisecond precision, e.g. `2024-07-11T06:09:00.827Z`.
fn date_time() -> Strat<String> {
    (
        1970u32..=2099,
        1u32..=12,
        0u32..31,
        0u32..24,
        0u32..60,
        0u32..60,
        0u32..1000,
    )
        .prop_map(|(y, mo, d, h, mi, s, ms)| {
            let day = d % days_in_month(y, mo).max(1) + 1;
            format!("{y:04}-{mo:02}-{day:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
        })
        .boxed()
}

fn date() -> Strat<String> {
    (1970u32..=2099, 1u32..=12, 0u32..31)
        .prop_map(|(y, mo, d)| {
            let day = d % days_in_month(y, mo).max(1) + 1;
            format!("{y:04}-{mo:02}-{day:02}")
        })
        .boxed()
}

/// A version-4 UUID.
fn uuid() -> Strat<String> {
    any::<u128>()
        .prop_map(|n| {
            let n = (n & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
            let hex = format!("{n:032x}");
            format!(
                "{}-{}-{}-{}-{}",
                &hex[0..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..32]
            )
        })
        .boxed()
}

const SPECIAL_CHARS: &[char] = &[
    '"', '\'', '\\', '/', '\n', '\r', '\t', '\u{0}', '\u{1f}', '\u{7f}', 'é', 'ß', 'ø', 'Ж', '日',
    '本', '🎉', '💩', '\u{200b}', '\u{202e}', '\u{2028}', '\u{feff}', '{', '}', '<', '&',
];

const SPECIAL_STRINGS: &[&str] = &[
    "",
    " ",
    "\"",
    "\"quoted\"",
    "it's",
    "back\\slash",
    "null",
    "true",
    "0",
    "-1",
    "{}",
    "[]",
    "<script>alert(1)</script>",
    "日本語",
    "🎉🎉",
    "a\u{0}b",
    "line\nbreak",
    "\u{202e}rtl",
    "Ünïcödé",
];

/// Strings of `lo..=hi` characters (at most `lo + 16`), mixing ASCII,
/// arbitrary Unicode, quotes, escapes and a few special whole strings.
pub(crate) fn varied_string(lo: usize, hi: Option<usize>) -> Strat<String> {
    let hi = hi.unwrap_or(usize::MAX).min(lo.saturating_add(16)).max(lo);
    let ch = prop_oneof![
        6 => proptest::char::range(' ', '~'),
        2 => any::<char>(),
        2 => select(SPECIAL_CHARS),
    ];
    let built = vec(ch, lo..=hi)
        .prop_map(|cs| cs.into_iter().collect::<String>())
        .boxed();
    let specials: Vec<String> = SPECIAL_STRINGS
        .iter()
        .filter(|s| (lo..=hi).contains(&s.chars().count()))
        .map(|s| s.to_string())
        .collect();
    if specials.is_empty() {
        built
    } else {
        prop_oneof![5 => built, 1 => select(specials)].boxed()
    }
}

/// Property names for extra keys.
fn key_string() -> Strat<String> {
    const ALNUM: &[char] = &[
        'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r',
        's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'A', 'Z', '0', '1', '9', '_', '-',
    ];
    prop_oneof![
        3 => vec(select(ALNUM), 1..12).prop_map(|cs| cs.into_iter().collect::<String>()),
        1 => varied_string(1, Some(8)),
    ]
    .boxed()
}

/// Small arbitrary JSON, for schemas that allow anything.
pub(crate) fn arbitrary_json() -> Strat<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1000i64..1000).prop_map(Value::from),
        (-1.0e6f64..1.0e6).prop_map(Value::from),
        varied_string(0, Some(8)).prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Value::Array),
            btree_map(key_string(), inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Values whose kind is not in `accepted` (other than `null`).
fn wrong_values(accepted: TypeSet) -> Option<Strat<(Value, Rel)>> {
    let mut out: Vec<Strat<Value>> = Vec::new();
    if !accepted.has(TypeSet::BOOL) {
        out.push(any::<bool>().prop_map(Value::Bool).boxed());
    }
    if !accepted.has(TypeSet::INT) && !accepted.has(TypeSet::FLOAT) {
        out.push(
            prop_oneof![-1000i64..1000, any::<i64>()]
                .prop_map(Value::from)
                .boxed(),
        );
    }
    if !accepted.has(TypeSet::FLOAT) {
        out.push(
            (-1_000_000i64..1_000_000)
                .prop_map(|n| Value::from(n as f64 + 0.5))
                .boxed(),
        );
    }
    if !accepted.has(TypeSet::STRING) {
        out.push(varied_string(0, Some(12)).prop_map(Value::String).boxed());
    }
    // A JSON array can decode into a struct (serde reads it positionally),
    // so it is not offered as a wrong type where objects are accepted.
    if !accepted.has(TypeSet::ARRAY) && !accepted.has(TypeSet::OBJECT) {
        out.push(vec(arbitrary_json(), 0..3).prop_map(Value::Array).boxed());
    }
    if !accepted.has(TypeSet::OBJECT) {
        out.push(
            btree_map(key_string(), arbitrary_json(), 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
                .boxed(),
        );
    }
    match out.len() {
        0 => None,
        1 => out.pop(),
        _ => Some(Union::new(out).boxed()),
    }
    .map(|s| s.prop_map(|v| (v, Rel::wrong_type())).boxed())
}
