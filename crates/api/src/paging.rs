//! Pagination: walks `skip`/`limit` pages (at most 100 records each) until a
//! short page says the list is exhausted, or the reported `count` is reached.
//! The walk itself is pure ([`PageWalker`]); the clients give it an
//! `Iterator` and a `Stream`, and both handle a page the same way
//! ([`PageWalker::take`], [`PageWalker::recover`]).

use std::collections::VecDeque;
use std::hash::{Hash as _, Hasher as _};

use futures_core::Stream;

use crate::client::Call;
use crate::{AsyncClient, AsyncTransport, BlockingClient, BlockingTransport, Error, Paginated};

/// A response's `count`, whatever integer type the spec gave it, as a
/// record count (negative or absent: unknown).
pub(crate) fn count_to_u64<N: TryInto<u64>>(count: Option<N>) -> Option<u64> {
    count.and_then(|n| n.try_into().ok())
}

/// The state of a walk over pages.
#[derive(Debug, Clone)]
pub struct PageWalker<O: Paginated> {
    operation: O,
    page_size: u32,
    next_skip: u32,
    done: bool,
    /// How many records the list has, once a page said so.
    total: Option<u64>,
    /// The hash of the last full page's body, to notice a server that
    /// ignores `skip` and would make the walk endless.
    previous_page: Option<u64>,
}

impl<O: Paginated> PageWalker<O> {
    /// Starts at the operation's `skip` with pages of its `limit` (at most
    /// [`Paginated::MAX_PAGE_SIZE`]).
    pub fn new(operation: O) -> Self {
        let page_size = operation
            .limit()
            .unwrap_or(O::MAX_PAGE_SIZE)
            .clamp(1, O::MAX_PAGE_SIZE);
        let next_skip = operation.skip().unwrap_or(0);
        PageWalker {
            operation,
            page_size,
            next_skip,
            done: false,
            total: None,
            previous_page: None,
        }
    }

    /// The request for the next page, or None when the walk is over.
    pub fn next_request(&self) -> Option<O> {
        if self.done
            || self
                .total
                .is_some_and(|total| u64::from(self.next_skip) >= total)
        {
            return None;
        }
        let mut operation = self.operation.clone();
        operation.set_skip(self.next_skip);
        operation.set_limit(self.page_size);
        Some(operation)
    }

    /// The page size asked for.
    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// Takes a page's records; a page shorter than asked ends the walk.
    pub fn accept(&mut self, items: &[O::Item]) {
        let count = u32::try_from(items.len()).unwrap_or(u32::MAX);
        if count < self.page_size {
            self.done = true;
        }
        self.next_skip = self.next_skip.saturating_add(count);
    }

    /// Decodes a page's response and takes its records. A full page whose
    /// body is the previous page's again ends the walk with
    /// [`Error::RepeatedPage`].
    pub fn take(&mut self, response: http::Response<Vec<u8>>) -> Result<Vec<O::Item>, Error> {
        let fingerprint = {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            response.body().hash(&mut hasher);
            hasher.finish()
        };
        let output = O::decode(response)?;
        if let Some(total) = O::total_count(&output) {
            self.total = Some(total);
        }
        let items = O::page_items(output);
        let full = !items.is_empty() && items.len() >= self.page_size as usize;
        if full && self.previous_page == Some(fingerprint) {
            self.done = true;
            return Err(Error::RepeatedPage {
                skip: self.next_skip,
            });
        }
        self.previous_page = full.then_some(fingerprint);
        let mut items = items;
        // Records past the reported total belong to no list: drop them.
        if let Some(total) = self.total {
            let room = total.saturating_sub(u64::from(self.next_skip));
            items.truncate(usize::try_from(room).unwrap_or(usize::MAX));
        }
        self.accept(&items);
        Ok(items)
    }

    /// After a failed page: true when asking again for a smaller page may
    /// succeed (the page exceeded the response-size limit; its size is
    /// halved), false when the walk ends with the error.
    pub fn recover(&mut self, error: &Error) -> bool {
        if let Error::ResponseTooLarge { limit, .. } = error
            && self.page_size > 1
        {
            let from = self.page_size;
            self.page_size /= 2;
            tracing::warn!(
                operation = O::ID,
                skip = self.next_skip,
                from,
                to = self.page_size,
                limit,
                "page over the response-size limit; asking for smaller pages"
            );
            return true;
        }
        self.done = true;
        false
    }

    /// Ends the walk (after an error).
    pub fn stop(&mut self) {
        self.done = true;
    }
}

/// The records of every page, fetched lazily (blocking).
pub struct Items<'c, T, O: Paginated> {
    client: &'c BlockingClient<T>,
    walker: PageWalker<O>,
    buffer: VecDeque<O::Item>,
}

impl<T: BlockingTransport, O: Paginated> Iterator for Items<'_, T, O> {
    type Item = Result<O::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            let request = self.walker.next_request()?;
            match self
                .client
                .respond(&request)
                .and_then(|response| self.walker.take(response))
            {
                Ok(items) => self.buffer.extend(items),
                Err(error) if self.walker.recover(&error) => {}
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

impl<'c, T: BlockingTransport, O: Paginated> Call<'c, BlockingClient<T>, O> {
    /// Every record of every page, as an iterator. `limit` sets the page size
    /// (at most 100), `skip` where to start; a page over the response-size
    /// limit is asked for again in halves; an error ends the iteration.
    pub fn items(self) -> Items<'c, T, O> {
        Items {
            client: self.client,
            walker: PageWalker::new(self.operation),
            buffer: VecDeque::new(),
        }
    }
}

impl<'c, T, O> Call<'c, AsyncClient<T>, O>
where
    T: AsyncTransport,
    O: Paginated + Send + Sync + 'c,
    O::Item: Send,
    O::Output: Send,
{
    /// Every record of every page, as a stream. `limit` sets the page size
    /// (at most 100), `skip` where to start; a page over the response-size
    /// limit is asked for again in halves; an error ends the stream.
    pub fn items(self) -> impl Stream<Item = Result<O::Item, Error>> + Send + 'c {
        let state = (
            self.client,
            PageWalker::new(self.operation),
            VecDeque::new(),
        );
        futures_util::stream::unfold(state, |(client, mut walker, mut buffer)| async move {
            loop {
                if let Some(item) = buffer.pop_front() {
                    return Some((Ok(item), (client, walker, buffer)));
                }
                let request = walker.next_request()?;
                let page = match client.respond(&request).await {
                    Ok(response) => walker.take(response),
                    Err(error) => Err(error),
                };
                match page {
                    Ok(items) => buffer.extend(items),
                    Err(error) if walker.recover(&error) => {}
                    Err(error) => return Some((Err(error), (client, walker, buffer))),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::ListExecutions;
    use cs_webhooks_model::Execution;

    fn executions(n: usize) -> Vec<Execution> {
        (0..n)
            .map(|i| serde_json::from_value(serde_json::json!({ "uid": format!("e{i}") })).unwrap())
            .collect()
    }

    #[test]
    fn walks_from_the_given_skip_in_pages_of_the_given_limit() {
        let mut walker = PageWalker::new(ListExecutions::new("hook").skip(5).limit(30));
        let first = walker.next_request().unwrap();
        assert_eq!((first.skip, first.limit), (Some(5), Some(30)));
        walker.accept(&executions(30));
        let second = walker.next_request().unwrap();
        assert_eq!((second.skip, second.limit), (Some(35), Some(30)));
        walker.accept(&executions(10));
        assert!(
            walker.next_request().is_none(),
            "a short page ends the walk"
        );
    }

    #[test]
    fn pages_are_at_most_the_api_maximum() {
        let walker = PageWalker::new(ListExecutions::new("hook").limit(500));
        assert_eq!(walker.next_request().unwrap().limit, Some(100));
        let walker = PageWalker::new(ListExecutions::new("hook"));
        assert_eq!(walker.next_request().unwrap().limit, Some(100));
    }

    #[test]
    fn an_empty_page_or_an_error_ends_the_walk() {
        let mut walker = PageWalker::new(ListExecutions::new("hook"));
        walker.accept(&[]);
        assert!(walker.next_request().is_none());
        let mut walker = PageWalker::new(ListExecutions::new("hook"));
        walker.stop();
        assert!(walker.next_request().is_none());
    }
    fn page(items: &[Execution]) -> http::Response<Vec<u8>> {
        http::Response::new(serde_json::to_vec(&serde_json::json!({ "webhooks": items })).unwrap())
    }

    #[test]
    fn a_full_page_repeated_ends_the_walk_with_an_error() {
        let mut walker = PageWalker::new(ListExecutions::new("hook").limit(2));
        assert_eq!(walker.take(page(&executions(2))).unwrap().len(), 2);
        let error = walker.take(page(&executions(2))).unwrap_err();
        assert!(matches!(error, Error::RepeatedPage { skip: 2 }), "{error}");
        assert!(walker.next_request().is_none());
    }

    #[test]
    fn a_page_over_the_size_limit_is_asked_for_in_halves_down_to_one() {
        let mut walker = PageWalker::new(ListExecutions::new("hook").limit(5));
        let too_large = Error::ResponseTooLarge {
            limit: 10,
            attempts: 1,
        };
        let mut sizes = Vec::new();
        while walker.recover(&too_large) {
            sizes.push(walker.next_request().unwrap().limit.unwrap());
        }
        assert_eq!(sizes, [2, 1]);
        assert!(
            walker.next_request().is_none(),
            "a single record too large ends it"
        );
        let mut walker = PageWalker::new(ListExecutions::new("hook"));
        assert!(!walker.recover(&Error::invalid_request("x")));
        assert!(walker.next_request().is_none());
    }
}
