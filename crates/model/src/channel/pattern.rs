//! A small pattern language for channel segments, in which the catalogue of
//! documented channels is written: literal segments, a choice of literals, a
//! uid (any one segment) and optional groups, matched with backtracking.

/// One token of a documented channel pattern.
#[derive(Clone, Copy)]
pub(super) enum Tok {
    /// Exactly this segment.
    Lit(&'static str),
    /// One of these segments.
    OneOf(&'static [&'static str]),
    /// Any segment (a uid).
    Uid,
    /// The inner tokens, or nothing.
    Opt(&'static [Tok]),
}

/// What remains to match after an optional group (a linked list on the stack).
struct Cont<'a> {
    pattern: &'a [Tok],
    next: Option<&'a Cont<'a>>,
}

/// Whether `segs` is exactly a sequence that `pattern` describes.
pub(super) fn matches(pattern: &[Tok], segs: &[&str]) -> bool {
    matches_pattern(pattern, None, segs)
}

/// Backtracking match of `segs` against `pattern` followed by `next`. Recursion
/// depth is bounded by the (static, short) patterns, not by the input.
fn matches_pattern(pattern: &[Tok], next: Option<&Cont<'_>>, segs: &[&str]) -> bool {
    let Some((tok, rest)) = pattern.split_first() else {
        return match next {
            Some(cont) => matches_pattern(cont.pattern, cont.next, segs),
            None => segs.is_empty(),
        };
    };
    let one = |accept: &dyn Fn(&str) -> bool| matches!(segs.split_first(), Some((seg, tail)) if accept(seg) && matches_pattern(rest, next, tail));
    match *tok {
        Tok::Lit(lit) => one(&|seg| seg == lit),
        Tok::OneOf(set) => one(&|seg| set.contains(&seg)),
        Tok::Uid => one(&|_| true),
        Tok::Opt(inner) => {
            let after = Cont {
                pattern: rest,
                next,
            };
            matches_pattern(inner, Some(&after), segs) || matches_pattern(rest, next, segs)
        }
    }
}

/// One segment of a pattern with its choices and options resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Seg {
    /// Exactly this segment.
    Lit(&'static str),
    /// Any segment.
    Uid,
}

/// Every segment sequence `pattern` describes that is `len` segments long,
/// with uids left open: the candidates a typo is compared with.
pub(super) fn expansions(pattern: &[Tok], len: usize) -> Vec<Vec<Seg>> {
    let mut out = Vec::new();
    expand(pattern, &mut Vec::new(), len, &mut out);
    out
}

fn expand(pattern: &[Tok], prefix: &mut Vec<Seg>, len: usize, out: &mut Vec<Vec<Seg>>) {
    if prefix.len() > len {
        return;
    }
    let Some((tok, rest)) = pattern.split_first() else {
        if prefix.len() == len {
            out.push(prefix.clone());
        }
        return;
    };
    let mut with = |segs: &[Seg], prefix: &mut Vec<Seg>| {
        let mark = prefix.len();
        prefix.extend_from_slice(segs);
        expand(rest, prefix, len, out);
        prefix.truncate(mark);
    };
    match *tok {
        Tok::Lit(lit) => with(&[Seg::Lit(lit)], prefix),
        Tok::OneOf(set) => {
            for lit in set {
                with(&[Seg::Lit(lit)], prefix);
            }
        }
        Tok::Uid => with(&[Seg::Uid], prefix),
        Tok::Opt(inner) => {
            // Expand the group on its own, then each of its forms before the rest.
            let mut forms = vec![Vec::new()];
            for inner_len in 1..=len.saturating_sub(prefix.len()) {
                forms.extend(expansions(inner, inner_len));
            }
            for form in forms {
                with(&form, prefix);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Tok::{Lit, OneOf, Opt, Uid};
    use super::*;

    fn segs(s: &str) -> Vec<&str> {
        s.split('.').collect()
    }

    #[test]
    fn tokens_match_one_segment_each() {
        let pattern = [Lit("a"), OneOf(&["b", "c"]), Uid];
        assert!(matches(&pattern, &segs("a.b.x")));
        assert!(matches(&pattern, &segs("a.c.y")));
        assert!(!matches(&pattern, &segs("a.d.x")));
        assert!(!matches(&pattern, &segs("z.b.x")));
        assert!(!matches(&pattern, &segs("a.b")));
        assert!(!matches(&pattern, &segs("a.b.x.y")));
        assert!(matches(&[], &[]));
        assert!(!matches(&[], &segs("a")));
    }

    #[test]
    fn expansions_resolve_choices_and_options() {
        let pattern = [Lit("a"), Opt(&[Uid]), OneOf(&["b", "c"])];
        assert_eq!(
            expansions(&pattern, 2),
            [
                vec![Seg::Lit("a"), Seg::Lit("b")],
                vec![Seg::Lit("a"), Seg::Lit("c")]
            ]
        );
        assert_eq!(expansions(&pattern, 3).len(), 2);
        assert!(expansions(&pattern, 4).is_empty());
    }

    #[test]
    fn optional_groups_backtrack() {
        // A greedy match would give the only segment to the optional uid and
        // then fail on the mandatory one.
        let pattern = [Opt(&[Uid]), Uid];
        assert!(matches(&pattern, &segs("x")));
        assert!(matches(&pattern, &segs("x.y")));
        assert!(!matches(&pattern, &segs("x.y.z")));

        let nested = [Lit("a"), Opt(&[Uid, Opt(&[Lit("e"), Uid])]), Lit("end")];
        for ok in ["a.end", "a.x.end", "a.x.e.y.end", "a.e.end"] {
            assert!(matches(&nested, &segs(ok)), "{ok}");
        }
        for bad in ["a.e.y.end", "a.x.e.end", "a.x.y.end", "a.x.e.y"] {
            assert!(!matches(&nested, &segs(bad)), "{bad}");
        }
    }
}
