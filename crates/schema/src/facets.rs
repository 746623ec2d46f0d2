//! A normalised view of a schema: `$ref`s resolved and `allOf` merged into one
//! set of constraints ("facets"), so validation and generation share one
//! reading of the spec.

use openapiv3::{
    AdditionalProperties, AnySchema, ArrayType, Discriminator, IntegerFormat, NumberFormat,
    ObjectType, OpenAPI, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::format::{KNOWN_STRING_FORMATS, integer_format_range};

/// The only `$ref` target this crate resolves.
pub(crate) const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// How many `$ref` hops a chain of references-to-references may take.
const MAX_REF_HOPS: usize = 32;

/// How deep `allOf` nesting may go while merging one schema.
const MAX_MERGE_DEPTH: usize = 64;

/// A borrowed schema or reference, whichever way openapiv3 boxed it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SRef<'a> {
    Plain(&'a ReferenceOr<Schema>),
    Boxed(&'a ReferenceOr<Box<Schema>>),
}

impl<'a> SRef<'a> {
    /// The `$ref` string, if this is a reference.
    pub(crate) fn reference(self) -> Option<&'a str> {
        match self {
            SRef::Plain(ReferenceOr::Reference { reference })
            | SRef::Boxed(ReferenceOr::Reference { reference }) => Some(reference),
            _ => None,
        }
    }

    /// The inline schema, if this is not a reference.
    pub(crate) fn item(self) -> Option<&'a Schema> {
        match self {
            SRef::Plain(ReferenceOr::Item(s)) => Some(s),
            SRef::Boxed(ReferenceOr::Item(s)) => Some(s),
            _ => None,
        }
    }

    /// An owned copy, for strategies that must outlive the spec borrow.
    pub(crate) fn to_owned_schema(self) -> ReferenceOr<Schema> {
        match self {
            SRef::Plain(r) => r.clone(),
            SRef::Boxed(r) => r.clone().unbox(),
        }
    }
}

/// An owned schema equivalent to the conjunction of `sources`.
#[cfg(feature = "proptest")]
pub(crate) fn owned_conjunction(sources: &[SRef<'_>]) -> ReferenceOr<Schema> {
    match sources {
        [one] => one.to_owned_schema(),
        many => ReferenceOr::Item(Schema {
            schema_data: Default::default(),
            schema_kind: SchemaKind::AllOf {
                all_of: many.iter().map(|s| s.to_owned_schema()).collect(),
            },
        }),
    }
}

/// The name a `#/components/schemas/NAME` reference points at.
pub(crate) fn ref_name(reference: &str) -> Option<String> {
    pointer_name(reference, SCHEMA_REF_PREFIX)
}

/// The (unescaped) last segment of a reference `PREFIXNAME`.
pub(crate) fn pointer_name(reference: &str, prefix: &str) -> Option<String> {
    let raw = reference.strip_prefix(prefix)?;
    if raw.is_empty() || raw.contains('/') {
        return None;
    }
    Some(percent_decode(raw).replace("~1", "/").replace("~0", "~"))
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| {
                std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .flatten();
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Resolve a `$ref` (following references to references) to its schema,
/// recording every component name passed through in `names`.
pub(crate) fn lookup<'a>(
    api: &'a OpenAPI,
    reference: &str,
    names: &mut Vec<&'a str>,
) -> Result<&'a Schema, String> {
    let mut current = reference.to_string();
    for _ in 0..MAX_REF_HOPS {
        let name = ref_name(&current).ok_or_else(|| {
            format!("cannot resolve $ref {current:?}: only {SCHEMA_REF_PREFIX}NAME is supported")
        })?;
        let (key, target) = api
            .components
            .as_ref()
            .and_then(|c| c.schemas.get_key_value(name.as_str()))
            .ok_or_else(|| {
                format!("cannot resolve $ref {current:?}: no schema {name:?} in components.schemas")
            })?;
        names.push(key.as_str());
        match target {
            ReferenceOr::Item(schema) => return Ok(schema),
            ReferenceOr::Reference { reference } => current.clone_from(reference),
        }
    }
    Err(format!(
        "cannot resolve $ref {reference:?}: more than {MAX_REF_HOPS} references to references"
    ))
}

/// A set of JSON value kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TypeSet(u8);

impl TypeSet {
    pub(crate) const NONE: TypeSet = TypeSet(0);
    pub(crate) const NULL: TypeSet = TypeSet(1);
    pub(crate) const BOOL: TypeSet = TypeSet(2);
    /// A number with no fractional part that fits i64/u64.
    pub(crate) const INT: TypeSet = TypeSet(4);
    /// Any other number.
    pub(crate) const FLOAT: TypeSet = TypeSet(8);
    pub(crate) const STRING: TypeSet = TypeSet(16);
    pub(crate) const ARRAY: TypeSet = TypeSet(32);
    pub(crate) const OBJECT: TypeSet = TypeSet(64);
    pub(crate) const NUMBER: TypeSet = TypeSet(4 | 8);
    #[cfg(feature = "proptest")]
    pub(crate) const ALL: TypeSet = TypeSet(127);

    pub(crate) fn has(self, other: TypeSet) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    pub(crate) fn union(self, other: TypeSet) -> TypeSet {
        TypeSet(self.0 | other.0)
    }

    pub(crate) fn intersect(self, other: TypeSet) -> TypeSet {
        TypeSet(self.0 & other.0)
    }

    /// The kind of one JSON value.
    pub(crate) fn of(value: &Value) -> TypeSet {
        match value {
            Value::Null => TypeSet::NULL,
            Value::Bool(_) => TypeSet::BOOL,
            Value::Number(n) if n.is_i64() || n.is_u64() => TypeSet::INT,
            Value::Number(_) => TypeSet::FLOAT,
            Value::String(_) => TypeSet::STRING,
            Value::Array(_) => TypeSet::ARRAY,
            Value::Object(_) => TypeSet::OBJECT,
        }
    }

    /// The OpenAPI type named `name`.
    pub(crate) fn from_type_name(name: &str) -> Option<TypeSet> {
        Some(match name {
            "string" => TypeSet::STRING,
            "integer" => TypeSet::INT,
            "number" => TypeSet::NUMBER,
            "boolean" => TypeSet::BOOL,
            "array" => TypeSet::ARRAY,
            "object" => TypeSet::OBJECT,
            _ => return None,
        })
    }

    /// Human-readable, e.g. `string or null`.
    pub(crate) fn describe(self) -> String {
        let mut names = Vec::new();
        if self.has(TypeSet::STRING) {
            names.push("string");
        }
        if self.has(TypeSet::NUMBER) || self.has(TypeSet::FLOAT) {
            names.push("number");
        } else if self.has(TypeSet::INT) {
            names.push("integer");
        }
        if self.has(TypeSet::BOOL) {
            names.push("boolean");
        }
        if self.has(TypeSet::ARRAY) {
            names.push("array");
        }
        if self.has(TypeSet::OBJECT) {
            names.push("object");
        }
        if self.has(TypeSet::NULL) {
            names.push("null");
        }
        if names.is_empty() {
            "nothing".to_string()
        } else {
            names.join(" or ")
        }
    }

    /// Name of the kind of one value, as used in "found X".
    pub(crate) fn name_of(value: &Value) -> &'static str {
        match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// The kinds that values listed in an `enum` have (an integral number
    /// also equals its float spelling).
    #[cfg(feature = "proptest")]
    pub(crate) fn of_enum(values: &[Value]) -> TypeSet {
        values.iter().fold(TypeSet::NONE, |acc, v| {
            let kind = TypeSet::of(v);
            acc.union(if kind == TypeSet::INT {
                TypeSet::NUMBER
            } else {
                kind
            })
        })
    }
}

/// A numeric bound.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Bound {
    pub value: f64,
    pub exclusive: bool,
}

/// What `additionalProperties` says, merged over `allOf`.
#[derive(Clone, Debug)]
pub(crate) enum Additional<'a> {
    /// Not given: extra keys are allowed.
    Absent,
    /// `true`: extra keys with any value are allowed.
    Any,
    /// `false`: no extra keys.
    Forbidden,
    /// Extra keys must match every one of these schemas.
    Schemas(Vec<SRef<'a>>),
}

/// `oneOf` or `anyOf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GroupKind {
    OneOf,
    AnyOf,
}

impl GroupKind {
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            GroupKind::OneOf => "oneOf",
            GroupKind::AnyOf => "anyOf",
        }
    }
}

/// One `oneOf`/`anyOf` list.
#[derive(Clone, Debug)]
pub(crate) struct Group<'a> {
    pub kind: GroupKind,
    pub branches: Vec<SRef<'a>>,
    pub discriminator: Option<&'a Discriminator>,
}

/// How a discriminator picks a branch.
#[derive(Clone, Debug)]
pub(crate) struct Tagging {
    pub property: String,
    /// For each branch, the tag values that select it.
    pub tags: Vec<Vec<String>>,
}

impl Tagging {
    /// The branch a tag value selects.
    pub(crate) fn branch_for(&self, tag: &str) -> Option<usize> {
        self.tags.iter().position(|t| t.iter().any(|x| x == tag))
    }

    /// Every known tag value.
    pub(crate) fn all_tags(&self) -> Vec<&str> {
        self.tags.iter().flatten().map(String::as_str).collect()
    }
}

impl Group<'_> {
    /// The discriminator of this group, when every branch is a `$ref` (the
    /// only case where OpenAPI 3.0 gives implicit tag values).
    pub(crate) fn tagging(&self) -> Option<Tagging> {
        let d = self.discriminator?;
        if self.kind != GroupKind::OneOf {
            return None;
        }
        let mut tags = Vec::with_capacity(self.branches.len());
        for b in &self.branches {
            let reference = b.reference()?;
            let name = ref_name(reference)?;
            let mut mine: Vec<String> = d
                .mapping
                .iter()
                .filter(|(_, target)| target.as_str() == reference || **target == name)
                .map(|(tag, _)| tag.clone())
                .collect();
            if mine.is_empty() {
                mine.push(name);
            }
            tags.push(mine);
        }
        Some(Tagging {
            property: d.property_name.clone(),
            tags,
        })
    }
}

/// Every constraint that applies at one place in a document.
#[derive(Clone, Debug)]
pub(crate) struct Facets<'a> {
    /// Schemas whose conjunction these facets describe.
    pub sources: Vec<SRef<'a>>,
    /// The type constraint admits `null` (`nullable: true` beside an explicit
    /// `type`, or no type constraint at all). Other constraints (`enum`,
    /// `oneOf`, `not`) may still reject it: see [`Facets::null_is_valid`].
    pub nullable: bool,
    /// Allowed kinds other than null (never contains NULL; see `nullable`);
    /// `None` means unconstrained.
    pub types: Option<TypeSet>,
    pub enumeration: Option<Vec<Value>>,
    pub formats: Vec<&'a str>,
    pub patterns: Vec<&'a str>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub minimum: Option<Bound>,
    pub maximum: Option<Bound>,
    pub multiple_of: Vec<f64>,
    pub properties: Vec<(&'a str, Vec<SRef<'a>>)>,
    pub required: Vec<&'a str>,
    pub additional: Additional<'a>,
    pub min_properties: Option<usize>,
    pub max_properties: Option<usize>,
    pub items: Vec<SRef<'a>>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    pub unique_items: bool,
    pub groups: Vec<Group<'a>>,
    pub not: Vec<SRef<'a>>,
}

fn tighter_max(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn tighter_min(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

fn tighter_lower(a: Option<Bound>, b: Option<Bound>) -> Option<Bound> {
    match (a, b) {
        (Some(x), Some(y)) if x.value == y.value => Some(Bound {
            value: x.value,
            exclusive: x.exclusive || y.exclusive,
        }),
        (Some(x), Some(y)) => Some(if x.value > y.value { x } else { y }),
        (x, y) => x.or(y),
    }
}

fn tighter_upper(a: Option<Bound>, b: Option<Bound>) -> Option<Bound> {
    match (a, b) {
        (Some(x), Some(y)) if x.value == y.value => Some(Bound {
            value: x.value,
            exclusive: x.exclusive || y.exclusive,
        }),
        (Some(x), Some(y)) => Some(if x.value < y.value { x } else { y }),
        (x, y) => x.or(y),
    }
}

/// JSON equality where numbers compare by value (`1 == 1.0`).
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else {
                x.as_f64() == y.as_f64()
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

impl<'a> Facets<'a> {
    /// Facets that accept every JSON value.
    pub(crate) fn any() -> Facets<'a> {
        Facets {
            sources: Vec::new(),
            nullable: true,
            types: None,
            enumeration: None,
            formats: Vec::new(),
            patterns: Vec::new(),
            min_length: None,
            max_length: None,
            minimum: None,
            maximum: None,
            multiple_of: Vec::new(),
            properties: Vec::new(),
            required: Vec::new(),
            additional: Additional::Absent,
            min_properties: None,
            max_properties: None,
            items: Vec::new(),
            min_items: None,
            max_items: None,
            unique_items: false,
            groups: Vec::new(),
            not: Vec::new(),
        }
    }

    /// Whether `null` satisfies these facets without looking further: the type
    /// admits it, any `enum` lists it, and no `oneOf`/`anyOf`/`not` is left
    /// to decide.
    #[cfg(feature = "proptest")]
    pub(crate) fn null_is_valid(&self) -> bool {
        self.nullable
            && self
                .enumeration
                .as_ref()
                .is_none_or(|values| values.iter().any(Value::is_null))
            && self.groups.is_empty()
            && self.not.is_empty()
    }

    /// The schemas of a declared property.
    pub(crate) fn property(&self, name: &str) -> Option<&[SRef<'a>]> {
        self.properties
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.as_slice())
    }

    /// Narrow these facets by `other` (both must hold).
    pub(crate) fn merge(&mut self, other: Facets<'a>) {
        self.sources.extend(other.sources);
        self.nullable = self.nullable && other.nullable;
        self.types = match (self.types, other.types) {
            (Some(a), Some(b)) => Some(a.intersect(b)),
            (a, b) => a.or(b),
        };
        self.enumeration = match (self.enumeration.take(), other.enumeration) {
            (Some(a), Some(b)) => Some(
                a.into_iter()
                    .filter(|x| b.iter().any(|y| json_eq(x, y)))
                    .collect(),
            ),
            (a, b) => a.or(b),
        };
        self.formats.extend(other.formats);
        self.patterns.extend(other.patterns);
        self.min_length = tighter_min(self.min_length, other.min_length);
        self.max_length = tighter_max(self.max_length, other.max_length);
        self.minimum = tighter_lower(self.minimum, other.minimum);
        self.maximum = tighter_upper(self.maximum, other.maximum);
        self.multiple_of.extend(other.multiple_of);
        for (name, schemas) in other.properties {
            match self.properties.iter_mut().find(|(n, _)| *n == name) {
                Some((_, mine)) => mine.extend(schemas),
                None => self.properties.push((name, schemas)),
            }
        }
        for r in other.required {
            if !self.required.contains(&r) {
                self.required.push(r);
            }
        }
        self.additional = match (
            std::mem::replace(&mut self.additional, Additional::Absent),
            other.additional,
        ) {
            (Additional::Forbidden, _) | (_, Additional::Forbidden) => Additional::Forbidden,
            (Additional::Schemas(mut a), Additional::Schemas(b)) => {
                a.extend(b);
                Additional::Schemas(a)
            }
            (Additional::Schemas(a), _) | (_, Additional::Schemas(a)) => Additional::Schemas(a),
            (Additional::Any, _) | (_, Additional::Any) => Additional::Any,
            (Additional::Absent, Additional::Absent) => Additional::Absent,
        };
        self.min_properties = tighter_min(self.min_properties, other.min_properties);
        self.max_properties = tighter_max(self.max_properties, other.max_properties);
        self.items.extend(other.items);
        self.min_items = tighter_min(self.min_items, other.min_items);
        self.max_items = tighter_max(self.max_items, other.max_items);
        self.unique_items |= other.unique_items;
        self.groups.extend(other.groups);
        self.not.extend(other.not);
    }

    /// Facets of several schemas that must all hold. `origins` collects the
    /// component names passed through (for recursion limits).
    pub(crate) fn of_all(
        api: &'a OpenAPI,
        refs: &[SRef<'a>],
        origins: &mut Vec<&'a str>,
    ) -> Result<Facets<'a>, String> {
        let mut facets = Facets::any();
        let mut chain = Vec::new();
        for r in refs {
            facets.merge(Facets::of_one(api, *r, origins, &mut chain)?);
        }
        Ok(facets)
    }

    fn of_one(
        api: &'a OpenAPI,
        r: SRef<'a>,
        origins: &mut Vec<&'a str>,
        chain: &mut Vec<&'a str>,
    ) -> Result<Facets<'a>, String> {
        if chain.len() > MAX_MERGE_DEPTH {
            return Err(format!(
                "allOf nesting deeper than {MAX_MERGE_DEPTH} levels"
            ));
        }
        let mut names = Vec::new();
        let schema = match (r.reference(), r.item()) {
            (Some(reference), _) => lookup(api, reference, &mut names)?,
            (None, Some(schema)) => schema,
            (None, None) => return Err("schema is neither a $ref nor a schema".to_string()),
        };
        if let Some(cyclic) = names.iter().find(|n| chain.contains(n)) {
            return Err(format!(
                "schema {cyclic:?} includes itself through allOf (cyclic allOf)"
            ));
        }
        origins.extend(names.iter().copied());
        let pushed = names.len();
        chain.extend(names);
        let result = Facets::of_schema(api, schema, origins, chain);
        chain.truncate(chain.len() - pushed);
        let mut facets = result?;
        facets.sources = vec![r];
        Ok(facets)
    }

    fn of_schema(
        api: &'a OpenAPI,
        schema: &'a Schema,
        origins: &mut Vec<&'a str>,
        chain: &mut Vec<&'a str>,
    ) -> Result<Facets<'a>, String> {
        let mut own = Facets::any();
        let mut all_of: &'a [ReferenceOr<Schema>] = &[];
        let discriminator = schema.schema_data.discriminator.as_ref();
        match &schema.schema_kind {
            SchemaKind::Type(t) => own.fill_type(t),
            SchemaKind::OneOf { one_of } => own.push_group(GroupKind::OneOf, one_of, discriminator),
            SchemaKind::AnyOf { any_of } => own.push_group(GroupKind::AnyOf, any_of, discriminator),
            SchemaKind::AllOf { all_of: list } => all_of = list,
            SchemaKind::Not { not } => own.not.push(SRef::Plain(not)),
            SchemaKind::Any(any) => {
                own.fill_any(any)?;
                all_of = &any.all_of;
                own.push_group(GroupKind::OneOf, &any.one_of, discriminator);
                own.push_group(GroupKind::AnyOf, &any.any_of, discriminator);
                if let Some(not) = &any.not {
                    own.not.push(SRef::Plain(not));
                }
            }
        }
        // OpenAPI 3.0.3: `nullable: true` adds null to the type named by a
        // `type` in the same schema object, and does nothing anywhere else; a
        // schema without any type constraint allows null already. `allOf`
        // parts only narrow (merge is a conjunction), so `nullable` next to an
        // `allOf` of a non-nullable schema does not admit null.
        let explicit_type = match &schema.schema_kind {
            SchemaKind::Type(_) => true,
            SchemaKind::Any(any) => any.typ.is_some(),
            _ => false,
        };
        own.nullable = if explicit_type {
            schema.schema_data.nullable
        } else {
            own.types.is_none()
        };
        for branch in all_of {
            own.merge(Facets::of_one(api, SRef::Plain(branch), origins, chain)?);
        }
        Ok(own)
    }

    fn push_group(
        &mut self,
        kind: GroupKind,
        branches: &'a [ReferenceOr<Schema>],
        discriminator: Option<&'a Discriminator>,
    ) {
        if !branches.is_empty() {
            self.groups.push(Group {
                kind,
                branches: branches.iter().map(SRef::Plain).collect(),
                discriminator,
            });
        }
    }

    fn fill_type(&mut self, t: &'a Type) {
        match t {
            Type::String(s) => {
                self.types = Some(TypeSet::STRING);
                match &s.format {
                    VariantOrUnknownOrEmpty::Item(f) => self.formats.push(match f {
                        StringFormat::Date => "date",
                        StringFormat::DateTime => "date-time",
                        StringFormat::Password => "password",
                        StringFormat::Byte => "byte",
                        StringFormat::Binary => "binary",
                    }),
                    VariantOrUnknownOrEmpty::Unknown(f) => self.formats.push(f),
                    VariantOrUnknownOrEmpty::Empty => {}
                }
                if let Some(p) = &s.pattern {
                    self.patterns.push(p);
                }
                self.set_enum(
                    s.enumeration
                        .iter()
                        .map(|v| v.as_ref().map_or(Value::Null, |s| Value::String(s.clone())))
                        .collect(),
                );
                self.min_length = s.min_length;
                self.max_length = s.max_length;
            }
            Type::Number(n) => {
                self.types = Some(TypeSet::NUMBER);
                match &n.format {
                    VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => {
                        self.formats.push("float")
                    }
                    VariantOrUnknownOrEmpty::Item(NumberFormat::Double) => {
                        self.formats.push("double")
                    }
                    VariantOrUnknownOrEmpty::Unknown(f) => self.formats.push(f),
                    VariantOrUnknownOrEmpty::Empty => {}
                }
                self.minimum = n.minimum.map(|value| Bound {
                    value,
                    exclusive: n.exclusive_minimum,
                });
                self.maximum = n.maximum.map(|value| Bound {
                    value,
                    exclusive: n.exclusive_maximum,
                });
                self.multiple_of.extend(n.multiple_of);
                self.set_enum(
                    n.enumeration
                        .iter()
                        .map(|v| v.map_or(Value::Null, Value::from))
                        .collect(),
                );
            }
            Type::Integer(i) => {
                self.types = Some(TypeSet::INT);
                match &i.format {
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => {
                        self.formats.push("int32")
                    }
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int64) => {
                        self.formats.push("int64")
                    }
                    VariantOrUnknownOrEmpty::Unknown(f) => self.formats.push(f),
                    VariantOrUnknownOrEmpty::Empty => {}
                }
                self.minimum = i.minimum.map(|value| Bound {
                    value: value as f64,
                    exclusive: i.exclusive_minimum,
                });
                self.maximum = i.maximum.map(|value| Bound {
                    value: value as f64,
                    exclusive: i.exclusive_maximum,
                });
                self.multiple_of.extend(i.multiple_of.map(|m| m as f64));
                self.set_enum(
                    i.enumeration
                        .iter()
                        .map(|v| v.map_or(Value::Null, Value::from))
                        .collect(),
                );
            }
            Type::Boolean(b) => {
                self.types = Some(TypeSet::BOOL);
                self.set_enum(
                    b.enumeration
                        .iter()
                        .map(|v| v.map_or(Value::Null, Value::Bool))
                        .collect(),
                );
            }
            Type::Object(o) => {
                self.types = Some(TypeSet::OBJECT);
                self.fill_object(o);
            }
            Type::Array(a) => {
                self.types = Some(TypeSet::ARRAY);
                self.fill_array(a);
            }
        }
    }

    fn fill_object(&mut self, o: &'a ObjectType) {
        self.properties = o
            .properties
            .iter()
            .map(|(k, v)| (k.as_str(), vec![SRef::Boxed(v)]))
            .collect();
        self.required = o.required.iter().map(String::as_str).collect();
        self.additional = additional(o.additional_properties.as_ref());
        self.min_properties = o.min_properties;
        self.max_properties = o.max_properties;
    }

    fn fill_array(&mut self, a: &'a ArrayType) {
        self.items = a.items.iter().map(SRef::Boxed).collect();
        self.min_items = a.min_items;
        self.max_items = a.max_items;
        self.unique_items = a.unique_items;
    }

    fn fill_any(&mut self, a: &'a AnySchema) -> Result<(), String> {
        self.types = match &a.typ {
            Some(t) => {
                Some(TypeSet::from_type_name(t).ok_or_else(|| format!("unsupported type {t:?}"))?)
            }
            None => {
                if !a.properties.is_empty()
                    || !a.required.is_empty()
                    || a.additional_properties.is_some()
                    || a.min_properties.is_some()
                    || a.max_properties.is_some()
                {
                    Some(TypeSet::OBJECT)
                } else if a.items.is_some()
                    || a.min_items.is_some()
                    || a.max_items.is_some()
                    || a.unique_items.is_some()
                {
                    Some(TypeSet::ARRAY)
                } else if a.pattern.is_some()
                    || a.min_length.is_some()
                    || a.max_length.is_some()
                    || a.format
                        .as_deref()
                        .is_some_and(|f| KNOWN_STRING_FORMATS.contains(&f))
                {
                    Some(TypeSet::STRING)
                } else if a.format.as_deref().and_then(integer_format_range).is_some() {
                    Some(TypeSet::INT)
                } else if a.minimum.is_some() || a.maximum.is_some() || a.multiple_of.is_some() {
                    Some(TypeSet::NUMBER)
                } else {
                    None
                }
            }
        };
        if let Some(p) = &a.pattern {
            self.patterns.push(p);
        }
        if let Some(f) = &a.format {
            self.formats.push(f);
        }
        self.min_length = a.min_length;
        self.max_length = a.max_length;
        self.minimum = a.minimum.map(|value| Bound {
            value,
            exclusive: a.exclusive_minimum.unwrap_or(false),
        });
        self.maximum = a.maximum.map(|value| Bound {
            value,
            exclusive: a.exclusive_maximum.unwrap_or(false),
        });
        self.multiple_of.extend(a.multiple_of);
        self.properties = a
            .properties
            .iter()
            .map(|(k, v)| (k.as_str(), vec![SRef::Boxed(v)]))
            .collect();
        self.required = a.required.iter().map(String::as_str).collect();
        self.additional = additional(a.additional_properties.as_ref());
        self.min_properties = a.min_properties;
        self.max_properties = a.max_properties;
        self.items = a.items.iter().map(SRef::Boxed).collect();
        self.min_items = a.min_items;
        self.max_items = a.max_items;
        self.unique_items = a.unique_items.unwrap_or(false);
        self.set_enum(a.enumeration.clone());
        Ok(())
    }

    fn set_enum(&mut self, values: Vec<Value>) {
        if !values.is_empty() {
            self.enumeration = Some(values);
        }
    }
}

fn additional(a: Option<&AdditionalProperties>) -> Additional<'_> {
    match a {
        None => Additional::Absent,
        Some(AdditionalProperties::Any(true)) => Additional::Any,
        Some(AdditionalProperties::Any(false)) => Additional::Forbidden,
        Some(AdditionalProperties::Schema(s)) => Additional::Schemas(vec![SRef::Plain(s)]),
    }
}
