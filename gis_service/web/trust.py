"""/trust: the page a phone opens once to trust this service's certificate authority (an
intranet deployment with Caddy's internal CA, or the LAN pilot's own CA), with the root
certificate to download, its fingerprint to compare, and the steps for Android, iOS/iPadOS
and HarmonyOS in Chinese and English. A QR code leads other phones to it."""

from __future__ import annotations

import hashlib
from html import escape

import segno
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gis_service.core.errors import NotFound
from gis_service.core.public_url import app_root, public_base

router = APIRouter(include_in_schema=False)

STEPS = {
    "Android": [
        ("下载上面的根证书文件。", "Download the root certificate above."),
        (
            "打开 设置 → 安全 → 更多安全设置 → 加密与凭据 → 安装证书 → CA 证书，选择下载的文件。",
            "Open Settings → Security → More security settings → Encryption & credentials → "
            "Install a certificate → CA certificate, and choose the downloaded file.",
        ),
        ("重新打开本系统的地址。", "Open the service's address again."),
    ],
    "iOS / iPadOS": [
        (
            "用 Safari 下载上面的根证书文件，点“允许”。",
            "Download the root certificate above in Safari and tap Allow.",
        ),
        ("打开 设置 → 已下载描述文件 → 安装。", "Open Settings → Profile Downloaded → Install."),
        (
            "打开 设置 → 通用 → 关于本机 → 证书信任设置，为该证书打开“完全信任”。",
            "Open Settings → General → About → Certificate Trust Settings and turn on full trust for it.",
        ),
    ],
    "HarmonyOS": [
        ("下载上面的根证书文件。", "Download the root certificate above."),
        (
            "打开 设置 → 安全 → 更多安全设置 → 加密和凭据 → 从存储设备安装 → CA 证书，选择下载的文件。",
            "Open Settings → Security → More security settings → Encryption and credentials → "
            "Install from storage → CA certificate, and choose the downloaded file.",
        ),
        ("重新打开本系统的地址。", "Open the service's address again."),
    ],
}


def _root(request: Request) -> x509.Certificate | None:
    path = request.app.state.settings.trust_cert_file
    if path is None or not path.exists():
        return None
    return x509.load_pem_x509_certificate(path.read_bytes())


@router.get("/trust/root.crt")
async def root_certificate(request: Request) -> Response:
    cert = _root(request)
    if cert is None:
        raise NotFound(
            "This deployment has no certificate authority of its own to install.",
            "本系统未使用需要安装的自有证书颁发机构。",
        )
    return Response(
        cert.public_bytes(serialization.Encoding.DER),
        media_type="application/x-x509-ca-cert",
        headers={"Content-Disposition": 'attachment; filename="gis-root-ca.crt"'},
    )


@router.get("/trust")
async def trust_page(request: Request) -> HTMLResponse:
    here = public_base(request) + "/trust"
    qr = segno.make(here, error="m").svg_inline(scale=4, dark="#222")
    cert = _root(request)
    if cert is None:
        body = (
            "<p>本系统的证书由公共证书颁发机构签发，手机无需安装任何证书。</p>"
            "<p>This service's certificate comes from a public certificate authority: phones need nothing installed.</p>"
        )
    else:
        fingerprint = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
        pairs = ":".join(fingerprint[i : i + 2] for i in range(0, len(fingerprint), 2))
        steps = "".join(
            f"<h2>{escape(system)}</h2><ol>"
            + "".join(f"<li>{escape(zh)}<br><small>{escape(en)}</small></li>" for zh, en in items)
            + "</ol>"
            for system, items in STEPS.items()
        )
        body = (
            "<p>手机第一次使用本系统前，请安装并信任本单位的根证书；之后浏览器才会把本系统当作安全网站，"
            "离线使用、定位和拍照才能工作。</p>"
            "<p>Before a phone first uses this service, install and trust the bureau's root certificate: only "
            "then does the browser treat the service as secure, so that offline use, location and the camera work.</p>"
            f'<p><a class="button" href="{app_root(request)}/trust/root.crt">下载根证书 · Download the root certificate</a></p>'
            f"<p><small>SHA-256: <code>{escape(pairs)}</code><br>{escape(cert.subject.rfc4514_string())}</small></p>"
            f"{steps}"
        )
    page = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>信任本系统的证书 · Trust this service's certificate</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em;line-height:1.5}}
code{{word-break:break-all}} .button{{display:inline-block;padding:.6em 1em;background:#7b3294;color:#fff;
border-radius:6px;text-decoration:none}} small{{color:#555}}</style></head><body>
<h1>信任本系统的证书<br><small>Trust this service's certificate</small></h1>
{body}
<h2>其他手机 · Other phones</h2><p>扫码打开本页 · Scan to open this page: <code>{escape(here)}</code></p>{qr}
</body></html>"""
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})
