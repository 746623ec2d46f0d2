//! Property tests for the hand-written helpers of `cs_webhooks_model`:
//! channel parsing and match lists, `$`-key escaping, execution filters.

use cs_webhooks_model::{
    Channel, ChannelError, EventScope, ExecutionFilter, FiredEvent, escape_dollar_keys,
    unescape_dollar_keys,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

// ---------------------------------------------------------------------------
// Channel grammar
// ---------------------------------------------------------------------------

/// The grammar, written independently of the library as the test oracle.
fn oracle_valid(s: &str) -> bool {
    s.split('.').all(|seg| {
        !seg.is_empty()
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    })
}

fn valid_channel() -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Za-z0-9_-]{1,8}", 1..8).prop_map(|segs| segs.join("."))
}

/// Strings close to the grammar: dots, `$`, spaces, unicode, empty segments.
fn near_channel() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z._$ -]{0,16}",
        "[A-Za-z0-9_.-]{0,16}",
        "\\PC{0,16}",
        (
            valid_channel(),
            any::<prop::sample::Index>(),
            "[^A-Za-z0-9_-]"
        )
            .prop_map(|(s, at, bad)| {
                let i = at.index(s.len() + 1);
                format!("{}{}{}", &s[..i], bad, &s[i..])
            }),
    ]
}

proptest! {
    #[test]
    fn channel_parse_display_is_identity(s in valid_channel()) {
        let c = Channel::custom(s.clone()).unwrap();
        prop_assert_eq!(c.to_string(), s.clone());
        prop_assert_eq!(c.as_str(), s.as_str());
        prop_assert_eq!(c.segments().collect::<Vec<_>>().join("."), s.clone());
        let reparsed = Channel::custom(c.to_string()).unwrap();
        prop_assert_eq!(&reparsed, &c);
        let json = serde_json::to_string(&c).unwrap();
        prop_assert_eq!(serde_json::from_str::<Channel>(&json).unwrap(), c);
        // Classification is total: it never panics, whatever the channel.
        let _ = reparsed.kind();
    }

    #[test]
    fn channel_parse_agrees_with_grammar(s in near_channel()) {
        match Channel::custom(s.clone()) {
            Ok(c) => {
                prop_assert!(oracle_valid(&s), "accepted invalid {:?}", s);
                prop_assert_eq!(c.as_str(), s.as_str());
            }
            Err(err) => {
                prop_assert!(!oracle_valid(&s), "rejected valid {:?}: {}", s, err);
                // The error points at a real problem in the input.
                match err {
                    ChannelError::Empty => prop_assert!(s.is_empty()),
                    ChannelError::EmptySegment { position } => {
                        prop_assert_eq!(s.split('.').nth(position), Some(""));
                    }
                    ChannelError::InvalidChar { ch, byte } => {
                        prop_assert!(s[byte..].starts_with(ch));
                        prop_assert!(ch != '.' && !ch.is_ascii_alphanumeric() && ch != '_' && ch != '-');
                    }
                    other => prop_assert!(false, "unexpected error {:?}", other),
                }
                prop_assert!(serde_json::from_value::<Channel>(Value::String(s)).is_err());
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Fired events and match lists
// ---------------------------------------------------------------------------

/// Generated events keep uids recognisable: uids start with an upper-case `U`,
/// collections and actions are lower case, so a channel's uid count is the
/// number of segments starting with `U`.
#[derive(Clone, Debug)]
struct GenScope {
    collection: String,
    uid: Option<String>,
    nested: bool,
    needs_uid: bool,
}

fn gen_scope() -> impl Strategy<Value = GenScope> {
    (
        "[a-z_]{1,6}",
        prop::option::weighted(0.7, "U[A-Z0-9]{0,5}"),
        any::<bool>(),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(collection, uid, nested, needs_uid)| GenScope {
            collection,
            uid,
            nested,
            needs_uid,
        })
}

fn gen_event() -> impl Strategy<Value = (Vec<GenScope>, Vec<String>)> {
    (
        prop::collection::vec(gen_scope(), 0..6),
        prop::collection::vec("[a-z]{1,6}", 0..3),
    )
}

fn build(scopes: &[GenScope], action: &[String]) -> Result<FiredEvent, ChannelError> {
    let scopes = scopes.iter().map(|g| {
        let mut s = EventScope::new(g.collection.clone()).with_opt_uid(g.uid.clone());
        if g.nested {
            s = s.nested();
        }
        if g.needs_uid {
            s = s.collection_needs_uid();
        }
        s
    });
    FiredEvent::new(scopes, action.iter().cloned())
}

fn uid_segments(c: &Channel) -> usize {
    c.segments().filter(|s| s.starts_with('U')).count()
}

proptest! {
    #[test]
    fn channels_lists_general_before_specific((scopes, action) in gen_event()) {
        let event = match build(&scopes, &action) {
            Ok(event) => event,
            Err(err) => {
                // Only an event with nothing fixed to say may be refused.
                prop_assert_eq!(err, ChannelError::EmptyEvent);
                prop_assert!(action.is_empty());
                prop_assert!(scopes.iter().all(|s| s.needs_uid));
                return Ok(());
            }
        };
        let n = event.uid_count();
        let list = event.channels();
        prop_assert!(!list.is_empty());
        prop_assert!(list.len() <= 1 << n);
        prop_assert_eq!(uid_segments(&list[0]), 0, "first must be the fully general one");
        prop_assert_eq!(uid_segments(list.last().unwrap()), n, "last must be the fully specific one");
        for pair in list.windows(2) {
            prop_assert!(uid_segments(&pair[0]) <= uid_segments(&pair[1]), "{} before {}", pair[0], pair[1]);
        }
        let mut unique = list.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), list.len(), "duplicates in {:?}", list);
        for c in &list {
            let reparsed = Channel::custom(c.as_str()).unwrap();
            prop_assert_eq!(&reparsed, c);
            prop_assert!(reparsed.matches(&event), "{} listed but does not match", c);
        }
        // Without the two irregularity flags every subset of uids is a distinct channel.
        if scopes.iter().all(|s| !s.nested && !s.needs_uid) {
            prop_assert_eq!(list.len(), 1 << n);
        }
        // `matches` is membership: channels one step away match only if listed.
        for c in &list {
            let longer = Channel::custom(format!("{c}.zz")).unwrap();
            prop_assert_eq!(longer.matches(&event), list.contains(&longer));
            let segs: Vec<&str> = c.segments().collect();
            if segs.len() > 1 {
                let shorter = Channel::custom(segs[..segs.len() - 1].join(".")).unwrap();
                prop_assert_eq!(shorter.matches(&event), list.contains(&shorter));
                let swapped = Channel::custom(segs.iter().rev().copied().collect::<Vec<_>>().join(".")).unwrap();
                prop_assert_eq!(swapped.matches(&event), list.contains(&swapped));
            }
        }
    }

    #[test]
    fn entry_event_matches_sample_shape(ct in "[a-z_]{1,10}", entry in "blt[0-9a-f]{16}") {
        let event = FiredEvent::entry(&ct, &entry, cs_webhooks_model::ItemAction::Update).unwrap();
        let list: Vec<String> = event.channels().into_iter().map(Channel::into_string).collect();
        prop_assert_eq!(list, vec![
            "content_types.entries.update".to_owned(),
            format!("content_types.{ct}.entries.update"),
            format!("content_types.{ct}.entries.{entry}.update"),
        ]);
    }
}

// ---------------------------------------------------------------------------
// `$`-key escaping
// ---------------------------------------------------------------------------

/// Keys mixing plain, `$`-prefixed and `cs`-prefixed (but not `cs$`) names.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z$]{0,5}",
        "\\$[a-z$]{0,4}",
        "cs[a-z]{0,3}",
        "c[a-z$]{0,3}",
        "\\PC{0,4}",
    ]
    .prop_filter("no key may already start with cs$", |k| {
        !k.starts_with("cs$")
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z$]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Recursive oracle: what escaping should produce.
fn expected_escape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let k = if k.starts_with('$') {
                        format!("cs{k}")
                    } else {
                        k.clone()
                    };
                    (k, expected_escape(v))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(expected_escape).collect()),
        other => other.clone(),
    }
}

/// Puts `k` in front of every key, recursively.
fn prefix_keys(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (format!("k{k}"), prefix_keys(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(prefix_keys).collect()),
        other => other.clone(),
    }
}

fn any_key(v: &Value, pred: &dyn Fn(&str) -> bool) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, v)| pred(k) || any_key(v, pred)),
        Value::Array(a) => a.iter().any(|v| any_key(v, pred)),
        _ => false,
    }
}

proptest! {
    #[test]
    fn dollar_escaping_round_trips(original in json_value()) {
        let mut v = original.clone();
        escape_dollar_keys(&mut v);
        // Only `$` keys change, each to `cs$...`; values and other keys stay.
        prop_assert_eq!(&v, &expected_escape(&original));
        prop_assert!(!any_key(&v, &|k| k.starts_with('$')));
        unescape_dollar_keys(&mut v);
        prop_assert_eq!(v, original);
    }

    #[test]
    fn unescape_leaves_keys_without_the_prefix_alone(generated in json_value()) {
        // Prefixing every key with `k` keeps inner `$`s but removes any leading `$` or `cs$`.
        let original = prefix_keys(&generated);
        let mut v = original.clone();
        unescape_dollar_keys(&mut v);
        prop_assert_eq!(&v, &original);
        escape_dollar_keys(&mut v);
        prop_assert_eq!(v, original);
    }
}

// ---------------------------------------------------------------------------
// Execution filters
// ---------------------------------------------------------------------------

/// A builder-made filter and the predicate it should implement.
fn built_filter() -> impl Strategy<Value = (ExecutionFilter, String)> {
    prop_oneof![
        Just((ExecutionFilter::any(), "any".to_owned())),
        Just((ExecutionFilter::success(), "200..=399".to_owned())),
        Just((ExecutionFilter::http_error(), "400..=599".to_owned())),
        any::<u16>().prop_map(|c| (ExecutionFilter::status(c), format!("{c}..={c}"))),
        (any::<u16>(), any::<u16>())
            .prop_map(|(a, b)| (ExecutionFilter::status_range(a..=b), format!("{a}..={b}"))),
        (100u16..600, 100u16..600)
            .prop_map(|(a, b)| (ExecutionFilter::status_range(a..=b), format!("{a}..={b}"))),
        any::<u16>().prop_map(|a| (ExecutionFilter::at_least(a), format!("{a}..=65535"))),
        any::<u16>().prop_map(|b| (ExecutionFilter::at_most(b), format!("0..={b}"))),
    ]
}

/// Evaluates the textual predicate produced by [`built_filter`].
fn expected(pred: &str, status: Option<u16>) -> bool {
    if pred == "any" {
        return true;
    }
    let Some(s) = status else { return false };
    let (lo, hi) = pred.split_once("..=").unwrap();
    let (lo, hi): (u16, u16) = (lo.parse().unwrap(), hi.parse().unwrap());
    lo <= s && s <= hi
}

/// A bound rendered as the API may send it: string or number.
fn bound_json(v: u16, as_string: bool) -> String {
    if as_string {
        format!("\"{v}\"")
    } else {
        v.to_string()
    }
}

/// Any filter the crate can hold: builder-made ones, plus parsed operator
/// documents, which also bring the exclusive `$gt`/`$lt` bounds.
fn any_filter() -> impl Strategy<Value = ExecutionFilter> {
    let bound = || prop::option::of((any::<bool>(), any::<u16>(), any::<bool>()));
    prop_oneof![
        built_filter().prop_map(|(filter, _)| filter),
        (bound(), bound()).prop_filter_map(
            "an operator object needs at least one operator",
            |(lower, upper)| {
                let lower = lower.map(|(inclusive, v, as_string)| {
                    let op = if inclusive { "$gte" } else { "$gt" };
                    format!("\"{op}\":{}", bound_json(v, as_string))
                });
                let upper = upper.map(|(inclusive, v, as_string)| {
                    let op = if inclusive { "$lte" } else { "$lt" };
                    format!("\"{op}\":{}", bound_json(v, as_string))
                });
                let ops: Vec<String> = lower.into_iter().chain(upper).collect();
                ExecutionFilter::from_json(&format!("{{\"status\":{{{}}}}}", ops.join(","))).ok()
            }
        ),
    ]
}

proptest! {
    #[test]
    fn filter_renderings_agree(filter in any_filter()) {
        let value = filter.to_value();
        let json = filter.to_json();
        prop_assert_eq!(&json, &value.to_string());
        prop_assert_eq!(&filter.to_string(), &json);
        prop_assert_eq!(&format!("{filter:#}"), &json);
        prop_assert_eq!(&serde_json::to_string(&filter).unwrap(), &json);
        prop_assert_eq!(&serde_json::to_value(filter).unwrap(), &value);
        prop_assert_eq!(ExecutionFilter::from_value(&value).unwrap(), filter);
        prop_assert_eq!(ExecutionFilter::from_json(&json).unwrap(), filter);
    }

    #[test]
    fn filter_json_round_trips_and_matches_its_range(
        (filter, pred) in built_filter(),
        statuses in prop::collection::vec(any::<u16>(), 0..20),
        near in 0u16..700,
    ) {
        let json = filter.to_json();
        prop_assert_eq!(&serde_json::to_string(&filter).unwrap(), &json);
        let back = ExecutionFilter::from_json(&json).unwrap();
        prop_assert_eq!(back, filter);
        prop_assert_eq!(serde_json::from_str::<ExecutionFilter>(&json).unwrap(), filter);
        prop_assert_eq!(filter.matches(None), expected(&pred, None));
        for s in statuses.into_iter().chain([0, near, 199, 200, 399, 400, 599, 600, u16::MAX]) {
            prop_assert_eq!(filter.matches(Some(s)), expected(&pred, Some(s)), "status {}", s);
            prop_assert_eq!(back.matches(Some(s)), filter.matches(Some(s)));
        }
    }

    #[test]
    fn parsed_operator_filters_match_their_bounds(
        lower in prop::option::of((any::<bool>(), 0u16..700, any::<bool>())),
        upper_bound in (any::<bool>(), 0u16..700, any::<bool>()),
        upper_present in any::<bool>(),
        statuses in prop::collection::vec(0u16..700, 1..30),
    ) {
        // At least one bound: an empty operator object is an error, tested elsewhere.
        let upper = (upper_present || lower.is_none()).then_some(upper_bound);
        let mut ops = Vec::new();
        if let Some((inclusive, v, as_string)) = lower {
            ops.push(format!("\"{}\":{}", if inclusive { "$gte" } else { "$gt" }, bound_json(v, as_string)));
        }
        if let Some((inclusive, v, as_string)) = upper {
            ops.push(format!("\"{}\":{}", if inclusive { "$lte" } else { "$lt" }, bound_json(v, as_string)));
        }
        let doc = format!("{{ \"status\": {{ {} }} }}", ops.join(", "));
        let filter = ExecutionFilter::from_json(&doc).unwrap();
        prop_assert!(!filter.matches(None));
        for s in statuses {
            let lo_ok = lower.is_none_or(|(inc, v, _)| if inc { s >= v } else { s > v });
            let hi_ok = upper.is_none_or(|(inc, v, _)| if inc { s <= v } else { s < v });
            prop_assert_eq!(filter.matches(Some(s)), lo_ok && hi_ok, "{} on {}", s, doc);
        }
        let again = ExecutionFilter::from_json(&filter.to_json()).unwrap();
        prop_assert_eq!(again, filter);
        prop_assert_eq!(again.to_json(), filter.to_json());
    }

    #[test]
    fn filter_parser_never_panics(s in "\\PC{0,40}", obj in json_value()) {
        let _ = ExecutionFilter::from_json(&s);
        let _ = ExecutionFilter::from_value(&obj);
        let wrapped = serde_json::json!({ "status": obj });
        if let Ok(f) = ExecutionFilter::from_value(&wrapped) {
            prop_assert_eq!(ExecutionFilter::from_json(&f.to_json()).unwrap(), f);
        }
    }
}
