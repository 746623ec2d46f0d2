//! Pagination: walks `skip`/`limit` pages (at most 100 records each) until a
//! short page says the list is exhausted. The walk itself is pure
//! ([`PageWalker`]); the clients give it an `Iterator` and a `Stream`.

use std::collections::VecDeque;

use futures_core::Stream;

use crate::client::Call;
use crate::{AsyncClient, AsyncTransport, BlockingClient, BlockingTransport, Error, Paginated};

/// The state of a walk over pages.
#[derive(Debug, Clone)]
pub struct PageWalker<O: Paginated> {
    operation: O,
    page_size: u32,
    next_skip: u32,
    done: bool,
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
        }
    }

    /// The request for the next page, or None when the walk is over.
    pub fn next_request(&self) -> Option<O> {
        if self.done {
            return None;
        }
        let mut operation = self.operation.clone();
        operation.set_skip(self.next_skip);
        operation.set_limit(self.page_size);
        Some(operation)
    }

    /// Takes a page's records; a page shorter than asked ends the walk.
    pub fn accept(&mut self, items: &[O::Item]) {
        let count = u32::try_from(items.len()).unwrap_or(u32::MAX);
        if count < self.page_size {
            self.done = true;
        }
        self.next_skip = self.next_skip.saturating_add(count);
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
            match self.client.execute(&request) {
                Ok(output) => {
                    let items = O::page_items(output);
                    self.walker.accept(&items);
                    self.buffer.extend(items);
                }
                Err(error) => {
                    self.walker.stop();
                    return Some(Err(error));
                }
            }
        }
    }
}

impl<'c, T: BlockingTransport, O: Paginated> Call<'c, BlockingClient<T>, O> {
    /// Every record of every page, as an iterator. `limit` sets the page size
    /// (at most 100), `skip` where to start; an error ends the iteration.
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
    /// (at most 100), `skip` where to start; an error ends the stream.
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
                match client.execute(&request).await {
                    Ok(output) => {
                        let items = O::page_items(output);
                        walker.accept(&items);
                        buffer.extend(items);
                    }
                    Err(error) => {
                        walker.stop();
                        return Some((Err(error), (client, walker, buffer)));
                    }
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
}
