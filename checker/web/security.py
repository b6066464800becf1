"""Security headers on every response, and a CSP that fits the generated report.

Our own pages use only /static files, so their policy allows no inline code at all.
The report page embeds the CLI's self-contained HTML report with its inline <style>
(and possibly inline <script>); instead of 'unsafe-inline', its policy lists the
sha256 hash of exactly those inline blocks, computed per response.
"""
from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

BASE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

STATIC_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def csp_string(extra: dict[str, list[str]] | None = None) -> str:
    parts = []
    for key, vals in BASE_CSP.items():
        vals = vals + (extra or {}).get(key, [])
        parts.append(f"{key} {' '.join(dict.fromkeys(vals))}")
    return "; ".join(parts)


DEFAULT_CSP = csp_string()


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


class _InlineCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self.style_attrs: list[str] = []
        self.handler_attrs: list[str] = []
        self._open: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self.style_attrs.append(value)
            elif name.startswith("on"):
                self.handler_attrs.append(value)
        if tag == "style" or (tag == "script" and not dict(attrs).get("src")):
            self._open, self._buf = tag, []

    def handle_data(self, data):
        if self._open:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if self._open == tag:
            (self.styles if tag == "style" else self.scripts).append("".join(self._buf))
            self._open = None


def csp_for_html(html: str) -> str:
    """A CSP allowing exactly the inline styles/scripts present in `html`, by hash."""
    c = _InlineCollector()
    c.feed(html)
    c.close()
    extra: dict[str, list[str]] = {"style-src": [], "script-src": []}
    extra["style-src"] += [_hash(s) for s in c.styles]
    extra["script-src"] += [_hash(s) for s in c.scripts]
    if c.style_attrs:
        # style="..." attributes are only covered by hashes together with 'unsafe-hashes'.
        extra["style-src"] += ["'unsafe-hashes'"] + [_hash(s) for s in c.style_attrs]
    if c.handler_attrs:
        extra["script-src"] += ["'unsafe-hashes'"] + [_hash(s) for s in c.handler_attrs]
    return csp_string(extra)


class SecurityHeadersMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware), so streaming responses stay streaming.

    A route may set its own Content-Security-Policy (the report page); every other
    header here is forced on every response, errors and static files included.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode("latin-1").lower() not in STATIC_HEADERS]
                names = {k.decode("latin-1").lower() for k, _ in headers}
                for k, v in STATIC_HEADERS.items():
                    headers.append((k.encode("latin-1"), v.encode("latin-1")))
                if "content-security-policy" not in names:
                    headers.append((b"content-security-policy", DEFAULT_CSP.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)
