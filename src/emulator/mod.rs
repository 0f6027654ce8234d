//! A faithful local emulator of the Dropbox Team API, with fault injection, latency and rate-limit models.
