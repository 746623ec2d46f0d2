//! The `$`-key escaping Contentstack applies to delivered webhook payloads.
//!
//! Keys beginning with `$` anywhere in a delivered payload arrive prefixed with
//! `cs` (`$success` becomes `cs$success`), presumably so receivers that store
//! payloads in MongoDB-like databases do not read them as operators. The
//! emulator escapes before delivery; receivers may unescape to get the
//! stack's original keys back.
//!
//! See [`escape_dollar_keys`] for the round-trip caveat and collisions.

use serde_json::{Map, Value};

/// The prefix Contentstack puts in front of `$`-keys.
pub const DOLLAR_KEY_PREFIX: &str = "cs";

/// Renames every object key starting with `$` to `cs$...`, recursively, inside
/// nested objects and arrays. Other keys and all values are left untouched.
///
/// # Round-trip caveat
///
/// The mapping is not injective: a key that is *already* spelled `cs$x` in the
/// original document is left alone here and then turned into `$x` by
/// [`unescape_dollar_keys`]. So `unescape(escape(doc)) == doc` holds exactly
/// when `doc` has no key starting with `cs$`.
///
/// When renaming would make two keys of one object equal (`{"$a": 1, "cs$a": 2}`
/// here, or `{"cs$a": 1, "$a": 2}` when unescaping) the **renamed** entry wins
/// and the other is dropped: after escaping, `cs$a` must hold what the stack
/// sent as `$a`, because that is what the escaping promises receivers.
pub fn escape_dollar_keys(value: &mut Value) {
    rename_keys(value, is_dollar_key, |key| {
        format!("{DOLLAR_KEY_PREFIX}{key}")
    });
}

/// Reverses [`escape_dollar_keys`]: renames every object key starting with
/// `cs$` to the part after `cs`, recursively.
///
/// A key that was `cs$...` before escaping cannot be told apart and is renamed
/// too; on a collision the renamed entry wins (see [`escape_dollar_keys`]).
pub fn unescape_dollar_keys(value: &mut Value) {
    rename_keys(value, is_escaped_key, |key| {
        key.get(DOLLAR_KEY_PREFIX.len()..).unwrap_or(key).to_owned()
    });
}

/// Whether [`escape_dollar_keys`] renames `key`.
fn is_dollar_key(key: &str) -> bool {
    key.starts_with('$')
}

/// Whether [`unescape_dollar_keys`] renames `key`.
fn is_escaped_key(key: &str) -> bool {
    key.strip_prefix(DOLLAR_KEY_PREFIX)
        .is_some_and(is_dollar_key)
}

/// Applies `rename` to every key of every object in `value` for which
/// `selected` holds.
///
/// Walks with an explicit stack rather than recursion so a deeply nested
/// document built in memory (the `serde_json` parser limits depth, `json!` and
/// hand-built values do not) cannot overflow the thread's stack.
fn rename_keys(value: &mut Value, selected: fn(&str) -> bool, rename: impl Fn(&str) -> String) {
    let mut stack: Vec<&mut Value> = vec![value];
    while let Some(current) = stack.pop() {
        match current {
            Value::Object(map) => {
                // Fast path: most objects have no key to rename, so leave them
                // exactly as they are, without allocating a new map.
                if map.keys().any(|k| selected(k)) {
                    *map = renamed_map(std::mem::take(map), selected, &rename);
                }
                stack.extend(map.values_mut());
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// Rebuilds `map` with renamed keys, keeping entry order (when `serde_json`'s
/// `preserve_order` is on) and letting renamed entries win collisions.
fn renamed_map(
    map: Map<String, Value>,
    selected: fn(&str) -> bool,
    rename: &impl Fn(&str) -> String,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, val) in map {
        if selected(&key) {
            // `insert` replaces an unrenamed entry seen earlier.
            out.insert(rename(&key), val);
        } else if !out.contains_key(&key) {
            // An unrenamed entry never replaces a renamed one seen earlier.
            out.insert(key, val);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_nested_keys_in_objects_and_arrays() {
        let mut v = json!({
            "$success": true,
            "plain": {"$in": [1, 2], "x": "$not_a_key"},
            "list": [{"$a": {"$b": null}}, "$str", 3],
            "mid$dle": 1
        });
        escape_dollar_keys(&mut v);
        assert_eq!(
            v,
            json!({
                "cs$success": true,
                "plain": {"cs$in": [1, 2], "x": "$not_a_key"},
                "list": [{"cs$a": {"cs$b": null}}, "$str", 3],
                "mid$dle": 1
            })
        );
        unescape_dollar_keys(&mut v);
        assert_eq!(
            v,
            json!({
                "$success": true,
                "plain": {"$in": [1, 2], "x": "$not_a_key"},
                "list": [{"$a": {"$b": null}}, "$str", 3],
                "mid$dle": 1
            })
        );
    }

    #[test]
    fn scalars_and_empty_containers_are_untouched() {
        for original in [json!(null), json!("$x"), json!(1.5), json!({}), json!([])] {
            let mut v = original.clone();
            escape_dollar_keys(&mut v);
            assert_eq!(v, original);
            unescape_dollar_keys(&mut v);
            assert_eq!(v, original);
        }
    }

    #[test]
    fn lone_dollar_and_prefix_only_keys() {
        let mut v = json!({"$": 1, "cs": 2, "cs$": 3});
        unescape_dollar_keys(&mut v);
        // "cs$" unescapes to "$", which then wins over the original "$".
        assert_eq!(v, json!({"$": 3, "cs": 2}));

        let mut v = json!({"$": 1, "cs": 2});
        escape_dollar_keys(&mut v);
        assert_eq!(v, json!({"cs$": 1, "cs": 2}));
    }

    #[test]
    fn renamed_key_wins_a_collision() {
        let mut v = json!({"$a": "renamed", "cs$a": "original"});
        escape_dollar_keys(&mut v);
        assert_eq!(v, json!({"cs$a": "renamed"}));

        let mut v = json!({"cs$a": "renamed", "$a": "original"});
        unescape_dollar_keys(&mut v);
        assert_eq!(v, json!({"$a": "renamed"}));
    }

    #[test]
    fn existing_cs_dollar_key_is_the_documented_ambiguity() {
        let original = json!({"cs$x": 1});
        let mut v = original.clone();
        escape_dollar_keys(&mut v);
        assert_eq!(v, original, "escaping leaves cs$ keys alone");
        unescape_dollar_keys(&mut v);
        assert_eq!(v, json!({"$x": 1}), "unescaping cannot tell it apart");
    }

    #[test]
    fn very_deep_documents_do_not_overflow_the_stack() {
        let depth = 100_000;
        let mut v = json!(0);
        for _ in 0..depth {
            let mut m = Map::new();
            m.insert("$k".to_owned(), v);
            v = Value::Array(vec![Value::Object(m)]);
        }
        escape_dollar_keys(&mut v);
        // Check the innermost levels, then dismantle iteratively because
        // serde_json's own Drop is recursive.
        let mut cur = v;
        let mut levels = 0;
        loop {
            match cur {
                Value::Array(mut items) => {
                    let Some(Value::Object(mut m)) = items.pop() else {
                        panic!("unexpected shape")
                    };
                    assert!(m.contains_key("cs$k"));
                    cur = m.remove("cs$k").unwrap();
                    levels += 1;
                }
                other => {
                    assert_eq!(other, json!(0));
                    break;
                }
            }
        }
        assert_eq!(levels, depth);
    }
}
