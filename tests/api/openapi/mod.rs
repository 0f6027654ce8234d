//! `openapi/scim.yaml` against the server: the document and the router's route table agree, every
//! documented operation answers over loopback (not the router's 404/405 fallback), and endpoint names
//! match case-insensitively with or without a trailing slash; plus a regression test per fuzzer finding.

mod case_and_slash;
mod document;
mod fuzz_findings;
mod routes;
