//! Core User attributes Dropbox cannot hold, which the bridge stores and returns as sent (RFC 7643
//! section 4.1): an IdP that reads back what it wrote then sees no drift.

use super::{AttrType, AttributeDef as A};

const TYPES: &[&str] = &["work", "home", "other"];

const ADDRESS_SUBS: &[A] = &[
    A::string("formatted", "The full mailing address."),
    A::string("streetAddress", "The street address."),
    A::string("locality", "The city or locality."),
    A::string("region", "The state or region."),
    A::string("postalCode", "The zip or postal code."),
    A::string("country", "The country (ISO 3166-1 alpha-2)."),
    A::string("type", "work, home or other.").canonical(TYPES),
    A::new("primary", AttrType::Boolean, "The primary address."),
];

const IM_SUBS: &[A] = &[
    A::string("value", "The instant messaging address."),
    A::string("display", "A human-readable name."),
    A::string("type", "aim, gtalk, icq, xmpp, msn, skype, qq or yahoo.")
        .canonical(&["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
    A::new("primary", AttrType::Boolean, "The primary address."),
];

const PHOTO_SUBS: &[A] = &[
    A::new("value", AttrType::Reference, "The URL of the image.")
        .refs(&["external"])
        .case_exact(),
    A::string("display", "A human-readable name."),
    A::string("type", "photo or thumbnail.").canonical(&["photo", "thumbnail"]),
    A::new("primary", AttrType::Boolean, "The primary photo."),
];

const LABELLED_SUBS: &[A] = &[
    A::string("value", "The value."),
    A::string("display", "A human-readable name."),
    A::string("type", "A label for the value's function."),
    A::new("primary", AttrType::Boolean, "The primary value."),
];

const CERT_SUBS: &[A] = &[
    A::new(
        "value",
        AttrType::Binary,
        "The DER certificate, base64-encoded.",
    ),
    A::string("display", "A human-readable name."),
    A::string("type", "A label for the certificate's function."),
    A::new("primary", AttrType::Boolean, "The primary certificate."),
];

/// The stored-only attributes, in the order `/Schemas` lists them.
pub(crate) const STORED_ATTRS: [A; 12] = [
    A::string("nickName", "The casual way to address the user."),
    A::new(
        "profileUrl",
        AttrType::Reference,
        "The user's online profile.",
    )
    .refs(&["external"]),
    A::string(
        "userType",
        "The relationship to the organization (Employee, Contractor...).",
    ),
    A::string(
        "preferredLanguage",
        "The preferred written or spoken language (RFC 7231 Accept-Language).",
    ),
    A::string(
        "locale",
        "The default location for localization (e.g. en-US).",
    ),
    A::string(
        "timezone",
        "The time zone in IANA format (e.g. America/Los_Angeles).",
    ),
    A::complex("addresses", ADDRESS_SUBS, "Physical mailing addresses.").multi(),
    A::complex("ims", IM_SUBS, "Instant messaging addresses.").multi(),
    A::complex("photos", PHOTO_SUBS, "URLs of images of the user.").multi(),
    A::complex("entitlements", LABELLED_SUBS, "Entitlements of the user.").multi(),
    A::complex("roles", LABELLED_SUBS, "Roles of the user.").multi(),
    A::complex(
        "x509Certificates",
        CERT_SUBS,
        "X.509 certificates of the user.",
    )
    .multi(),
];
