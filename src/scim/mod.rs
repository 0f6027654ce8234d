//! The SCIM 2.0 protocol (RFC 7643/7644): resources, filters, PATCH, list parameters, errors. Knows nothing of Dropbox.
