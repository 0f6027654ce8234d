"""Checks, through a reverse proxy, that every URL the bridge hands out names the public SCIM base.

Usage: python3 .ci/public_urls.py PUBLIC_SCIM_BASE TOKEN (SSL_CERT_FILE names the proxy's CA).
Creates a user and a group whose member she is, sending forwarded headers of its own that the proxy must
replace or drop, then reads every listing and discovery document: each Location, meta.location and $ref
must start with PUBLIC_SCIM_BASE, and a Location must lead back to the resource through the proxy.
"""

import json
import random
import ssl
import sys
import urllib.request

BASE, TOKEN = sys.argv[1].rstrip("/"), sys.argv[2]
CTX = ssl.create_default_context()  # honours SSL_CERT_FILE
HOSTILE = {"X-Forwarded-Prefix": "/evil", "X-Forwarded-Host": "evil.example"}


def call(method, url, body=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None)
    req.add_header("Authorization", f"Bearer {TOKEN}")
    req.add_header("Content-Type", "application/scim+json")
    for k, v in HOSTILE.items():
        req.add_header(k, v)
    with urllib.request.urlopen(req, context=CTX, timeout=30) as resp:
        text = resp.read()
        return resp.status, resp.headers.get("Location"), json.loads(text) if text else None


def urls(value, found):
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("location", "$ref") and isinstance(v, str):
                found.append(v)
            urls(v, found)
    elif isinstance(value, list):
        for v in value:
            urls(v, found)
    return found


def created(path, body):
    status, location, doc = call("POST", f"{BASE}/{path}", body)
    assert status == 201, (path, status, doc)
    assert location == doc["meta"]["location"], (location, doc["meta"])
    assert location == f"{BASE}/{path}/{doc['id']}", location
    status, _, again = call("GET", location)
    assert status == 200 and again["id"] == doc["id"], (location, status)
    return doc


def main():
    email = f"proxy-check-{random.randrange(10**9)}@example.com"
    user = created("Users", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": "Pat", "familyName": "Proxy"},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "active": True,
    })
    group = created("Groups", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": f"proxy-check-{random.randrange(10**9)}",
        "members": [{"value": user["id"]}],
    })
    found = urls([user, group], [])
    for path in ["Users?count=500", "Groups?count=500", "ResourceTypes", "Schemas",
                 "ServiceProviderConfig", f"Users/{user['id']}", f"Groups/{group['id']}"]:
        _, _, doc = call("GET", f"{BASE}/{path}")
        found = urls(doc, found)
    wrong = [u for u in found if not u.startswith(BASE + "/")]
    assert not wrong, f"URLs that do not name {BASE}: {wrong[:5]}"
    assert any("/Groups/" in u for u in found) and any("/Users/" in u for u in found), found
    call("DELETE", f"{BASE}/Groups/{group['id']}")
    call("DELETE", f"{BASE}/Users/{user['id']}")
    print(f"public URLs: {len(found)} Location/meta.location/$ref values, all under {BASE}")


main()
