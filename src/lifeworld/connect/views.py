"""GET /connect: the QR, the home CA to install, the steps per phone, and a live trust check."""

from __future__ import annotations

from cryptography import x509
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from lifeworld.connect.profiles import mobileconfig
from lifeworld.settings import Settings, TlsMode
from lifeworld.tls.authority import CaCertificate
from lifeworld.tls.files import TlsPaths
from lifeworld.web.qr import qr_svg
from lifeworld.web.templating import render

router = APIRouter(include_in_schema=False)

CA_CRT = "/connect/lifeworld-home-ca.crt"
CA_PROFILE = "/connect/lifeworld-home-ca.mobileconfig"
CHECK = "/connect/check"
NO_STORE = {"Cache-Control": "no-store"}


def home_ca(settings: Settings) -> CaCertificate | None:
    """The certificate of the CA that signs this server's, when the app made it (its key is
    never read here)."""
    if settings.tls is TlsMode.OFF or settings.tls_cert_file is not None:
        return None
    path = TlsPaths.under(settings.data_dir).ca_cert
    try:
        return CaCertificate(x509.load_pem_x509_certificate(path.read_bytes()))
    except (OSError, ValueError):
        return None  # not made yet: `lifeworld serve` makes it


def _authority(request: Request) -> CaCertificate | None:
    return home_ca(request.app.state.settings)


def _addresses(request: Request) -> tuple[str, str]:
    """The https address of the app and the plain address of this page, for the host typed."""
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return f"https://{host}/", f"http://{host}/connect"


@router.get("/connect")
async def connect_page(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    authority = _authority(request)
    https_url, page_url = _addresses(request)
    qr = qr_svg(page_url, title="QR code of this page")
    return render(
        request,
        "connect/index.html",
        plain=True,
        secure=request.url.scheme == "https",
        tls_on=settings.tls is TlsMode.AUTO,
        authority=authority,
        https_url=https_url,
        page_url=page_url,
        check_url=https_url.rstrip("/") + CHECK,
        qr=qr,
        ca_crt=CA_CRT,
        ca_profile=CA_PROFILE,
    )


@router.get(CA_CRT)
async def ca_certificate(request: Request) -> Response:
    authority = _authority(request)
    if authority is None:
        return Response("No home certificate authority is in use.", 404, media_type="text/plain")
    return Response(
        authority.der(),
        media_type="application/x-x509-ca-cert",
        headers={"Content-Disposition": 'attachment; filename="lifeworld-home-ca.crt"'},
    )


@router.get(CA_PROFILE)
async def ca_profile(request: Request) -> Response:
    authority = _authority(request)
    if authority is None:
        return Response("No home certificate authority is in use.", 404, media_type="text/plain")
    return Response(
        mobileconfig(authority),
        media_type="application/x-apple-aspen-config",
        headers={"Content-Disposition": 'attachment; filename="lifeworld-home.mobileconfig"'},
    )


@router.get(CHECK)
async def trust_check(request: Request) -> Response:
    """Reached over HTTPS only when the phone trusts the certificate: the page asks from its
    plain address, so the answer allows that origin (and only it) to read it."""
    headers = dict(NO_STORE)
    if request.url.scheme == "https":
        host = request.headers.get("host", "")
        headers["Access-Control-Allow-Origin"] = f"http://{host}"
        headers["Vary"] = "Origin"
    return JSONResponse({"trusted": request.url.scheme == "https"}, headers=headers)
