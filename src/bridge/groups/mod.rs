//! SCIM Groups over Dropbox groups.
