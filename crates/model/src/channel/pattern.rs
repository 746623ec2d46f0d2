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
