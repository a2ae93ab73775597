//! Outgoing HTTP for components (`wasi:http/outgoing-handler`), only to the
//! hosts their `allowed_outbound_hosts` grants. A request anywhere else is
//! refused before a connection is made (`HTTP-request-denied`), so a host
//! the component was not granted never sees a packet from it.

use std::future::Future;

use http_body_util::BodyExt;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use crate::manifest::{OutboundHost, check_url_granted};

type Sent = Box<dyn Future<Output = Result<(), Error>> + Send>;
type Answered = Box<dyn Future<Output = Result<(http::Response<WasiBody>, Sent), Error>> + Send>;

/// The grants one job's requests are checked against.
pub struct OutboundHooks {
    grants: Vec<OutboundHost>,
}

impl OutboundHooks {
    pub fn new(grants: Vec<OutboundHost>) -> Self {
        Self { grants }
    }

    fn allows(&self, uri: &http::Uri) -> bool {
        reqwest::Url::parse(&uri.to_string()).is_ok_and(|url| check_url_granted(&self.grants, &url).is_ok())
    }
}

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Sent,
    ) -> Answered {
        drop(fut);
        if !self.allows(request.uri()) {
            tracing::info!(uri = %request.uri(), "outbound request refused: not in allowed_outbound_hosts");
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        Box::new(async move {
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((response.map(BodyExt::boxed_unsync), Box::new(io) as Sent))
        })
    }
}
