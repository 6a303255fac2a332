"""HTTPS for a pilot on an office PC, with phones on the same Wi-Fi: a certificate
authority made on this machine (kept in .data/tls/, ten years) signs a server certificate
for the machine's LAN addresses and name. Phones install the CA's root once (the /trust
page says how); the server certificate is renewed when the addresses change or it nears
its end (397 days, the most Apple devices accept). The CA is name-constrained to private
networks and local names, so trusting it exposes a phone to nothing on the internet."""

from __future__ import annotations

import ipaddress
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gis_service.core.private_files import write_private

CA_DAYS = 3650
SERVER_DAYS = 397
RENEW_BEFORE = timedelta(days=30)
# The CA may sign only for these: a phone that trusts it trusts nothing on the internet.
# Private and link-local networks (an office's addresses change with DHCP), loopback, and
# local names; the machine's own addresses and name are added when the CA is made.
PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8")
LOCAL_DOMAINS = ("localhost", "local", "lan", "home.arpa")


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses on its networks (loopback excepted), from `ip`."""
    try:
        out = subprocess.run(
            ["ip", "-4", "-o", "addr", "show", "scope", "global"], capture_output=True, text=True, timeout=5
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.split()[3].split("/")[0] for line in out.splitlines() if len(line.split()) > 3]


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(path: Path, key) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_private(path, pem.decode())


def _constraints(names: list[str]) -> x509.NameConstraints:
    permitted: list[x509.GeneralName] = [x509.IPAddress(ipaddress.ip_network(n)) for n in PRIVATE_NETWORKS]
    permitted += [x509.DNSName(d) for d in LOCAL_DOMAINS]
    for name in names:
        try:
            network = ipaddress.ip_network(name)  # a single address: /32
        except ValueError:
            permitted.append(x509.DNSName(name))
            continue
        if not any(network.subnet_of(ipaddress.ip_network(n)) for n in PRIVATE_NETWORKS):
            permitted.append(x509.IPAddress(network))
    return x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None)


def _permits(cert: x509.Certificate, names: list[str]) -> bool:
    try:
        allowed = cert.extensions.get_extension_for_class(x509.NameConstraints).value.permitted_subtrees or []
    except x509.ExtensionNotFound:
        return False  # an unconstrained CA from an earlier release: made again
    networks = [g.value for g in allowed if isinstance(g, x509.IPAddress)]
    domains = [g.value for g in allowed if isinstance(g, x509.DNSName)]
    for name in names:
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            if not any(name == d or name.endswith("." + d) for d in domains):
                return False
            continue
        if not any(address in n for n in networks):
            return False
    return True


def _ca(folder: Path, names: list[str]):
    key_path, cert_path = folder / "ca.key", folder / "ca.crt"
    if key_path.exists() and cert_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if _permits(cert, names):
            return serialization.load_pem_private_key(key_path.read_bytes(), None), cert
        # the machine moved outside what the CA may sign for: a new CA, installed again
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    name = _name(f"GIS service local CA ({socket.gethostname()})")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_constraints(names), critical=True)
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _current(cert_path: Path, names: list[str], ca: x509.Certificate) -> bool:
    if not cert_path.exists():
        return False
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    try:
        cert.verify_directly_issued_by(ca)  # raises unless this CA signed it
    except (ValueError, TypeError, InvalidSignature):
        return False
    if cert.not_valid_after_utc - datetime.now(UTC) < RENEW_BEFORE:
        return False
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    have = {str(v) for v in san.get_values_for_type(x509.IPAddress)} | set(
        san.get_values_for_type(x509.DNSName)
    )
    return set(names) <= have


def certificates(folder: Path, names: list[str]) -> tuple[Path, Path, Path]:
    """(CA root, server certificate, server key) for these addresses and host names."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = _ca(folder, names)
    cert_path, key_path = folder / "server.crt", folder / "server.key"
    if not _current(cert_path, names, ca_cert):
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        alt: list[x509.GeneralName] = []
        for name in names:
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alt.append(x509.DNSName(name))
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(names[0]))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=SERVER_DAYS))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        _write_key(key_path, key)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return folder / "ca.crt", cert_path, key_path
