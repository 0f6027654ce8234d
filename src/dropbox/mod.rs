//! The Dropbox Team API client: the official SDK types over our own reqwest HttpClient, with retries and token refresh.
