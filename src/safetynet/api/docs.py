"""The API docs page (Swagger UI) served with the Swagger assets ninja ships, so the page works
without reaching a CDN and without adding `ninja` to INSTALLED_APPS."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.html import escape
from ninja import Router
from ninja.openapi.docs import Swagger

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
# Swagger UI sets inline styles of its own (swagger-api/swagger-ui#10655), so its page relaxes the
# site's policy for styles only; it shows the API's schema, no stored data. Scripts stay 'self'.
DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png", "favicon.svg"}

router = Router()


@router.get("/docs/assets/{name}", auth=None, include_in_schema=False, url_name="docs-asset")
def docs_asset(request, name: str):
    if name not in ASSETS or not (ASSET_DIR / name).is_file():
        raise Http404(name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse((ASSET_DIR / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


class LocalSwagger(Swagger):
    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)

        def asset(name: str) -> str:
            return escape(reverse(f"{api.urls_namespace}:docs-asset", kwargs={"name": name}))

        settings_json = json.dumps(self.settings, ensure_ascii=False).replace("<", "\\u003c")
        html = f"""<!DOCTYPE html>
<html lang="zh-hans">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(api.title)}</title>
<link rel="stylesheet" href="{asset("swagger-ui.css")}">
<link rel="icon" type="image/png" href="{asset("favicon.png")}">
</head>
<body data-csrf-token="" data-api-csrf="">
<script type="application/json" id="swagger-settings">{settings_json}</script>
<div id="swagger-ui"></div>
<script src="{asset("swagger-ui-bundle.js")}"></script>
<script src="{asset("swagger-ui-init.js")}"></script>
</body>
</html>
"""
        response = HttpResponse(html)
        response["Content-Security-Policy"] = DOCS_POLICY
        return response
