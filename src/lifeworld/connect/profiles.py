"""The home CA as phones install it: DER `.crt` (Android) and a configuration profile (iOS)."""

from __future__ import annotations

import plistlib
import uuid

from lifeworld.tls.authority import CaCertificate

PROFILE_NAMESPACE = uuid.UUID("5a8d3c1e-2f0b-4c55-9e61-1b7f4f0c2d18")  # this app's profiles


def mobileconfig(authority: CaCertificate) -> bytes:
    """An iOS/macOS configuration profile holding the CA certificate (a "root" payload).

    Its identifiers come from the certificate, so downloading it again replaces the installed
    profile instead of adding a second one. Unsigned: iOS shows it as "Not Verified".
    """
    fingerprint = authority.fingerprint().replace(":", "").lower()
    certificate_payload = {
        "PayloadCertificateFileName": "lifeworld-home-ca.cer",
        "PayloadContent": authority.der(),
        "PayloadDescription": "Lets this device trust the Life World OS server at home.",
        "PayloadDisplayName": authority.name,
        "PayloadIdentifier": f"lifeworld.home-ca.{fingerprint[:16]}.certificate",
        "PayloadType": "com.apple.security.root",
        "PayloadUUID": str(uuid.uuid5(PROFILE_NAMESPACE, f"certificate {fingerprint}")).upper(),
        "PayloadVersion": 1,
    }
    profile = {
        "PayloadContent": [certificate_payload],
        "PayloadDescription": (
            "Installs your home's certificate authority so this device trusts your Life World OS "
            "server. After installing: Settings > General > About > Certificate Trust "
            "Settings, and turn on full trust for it."
        ),
        "PayloadDisplayName": "Life World OS at home",
        "PayloadIdentifier": f"lifeworld.home-ca.{fingerprint[:16]}",
        "PayloadOrganization": "Life World OS",
        "PayloadRemovalDisallowed": False,
        "PayloadType": "Configuration",
        "PayloadUUID": str(uuid.uuid5(PROFILE_NAMESPACE, f"profile {fingerprint}")).upper(),
        "PayloadVersion": 1,
    }
    return plistlib.dumps(profile, fmt=plistlib.FMT_XML)
