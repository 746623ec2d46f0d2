//! Every delivery of a webhook that did not succeed, including those that
//! got no HTTP answer: the API's `query` cannot select them (a `null` status
//! matches no status condition), so the list is filtered here.

use futures_core::Stream;
use futures_util::StreamExt as _;

use crate::model::Execution;
use crate::operations::ListExecutions;
use crate::{AsyncClient, AsyncTransport, BlockingClient, BlockingTransport, Call, Error};

impl<'c, T: BlockingTransport> Call<'c, BlockingClient<T>, ListExecutions> {
    /// Every execution that did not succeed ([`Execution::unsuccessful`]: an
    /// answer outside 200–399, or none at all), across all pages. Replaces
    /// any `query`, which could only exclude the executions without a status;
    /// `from`, `to` and the branch still apply.
    pub fn unsuccessful_items(mut self) -> impl Iterator<Item = Result<Execution, Error>> + 'c {
        self.operation.query = None;
        self.items()
            .filter(|item| item.as_ref().map_or(true, Execution::unsuccessful))
    }
}

impl<'c, T: AsyncTransport> Call<'c, AsyncClient<T>, ListExecutions> {
    /// Every execution that did not succeed ([`Execution::unsuccessful`]: an
    /// answer outside 200–399, or none at all), across all pages, as a
    /// stream. Replaces any `query`, which could only exclude the executions
    /// without a status; `from`, `to` and the branch still apply.
    pub fn unsuccessful_items(
        mut self,
    ) -> impl Stream<Item = Result<Execution, Error>> + Send + 'c {
        self.operation.query = None;
        self.items().filter(|item| {
            futures_util::future::ready(item.as_ref().map_or(true, Execution::unsuccessful))
        })
    }
}
