//! Where SCIM meets Dropbox: the user and group mappings and the lifecycle policy.
