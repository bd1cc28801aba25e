"""Upload pages (ADR 0035): a form for a file, then a preview of what will be signed, then —
in the browser, by ``/static/sign.js`` — the signature and the submission. The server reads
the file and renders the preview; it never sees a private key.

A kind of file plugs in with ``upload_pages(router, path, kind, template, title)``: ``GET path``
is the form (with the keys that may sign), ``POST path`` the preview rendered by
``template`` or, for a bad file, a 400 page listing what is wrong. Both have JSON twins.
"""

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from krai.app.uploads import UploadError, UploadKind, chosen_signing, signing_keys
from krai.entrypoints.web.render import page, respond, services_of

MAX_FIELDS = 8
SIGNING_FIELD = "signing_key"
"""The form's choice of key: ``<key id> <signer>`` (a key id has no space)."""


def upload_pages(router: APIRouter, path: str, kind: UploadKind, template: str, title: str) -> None:
    """Register the form at ``GET path`` and the preview at ``POST path`` (and ``.json``)."""

    def form(request: Request) -> Response:
        storage = services_of(request).storage
        keys = signing_keys(storage, kind.role)
        return respond(request, template, {"signing_keys": keys}, title, signing_keys=keys)

    async def preview(request: Request) -> Response:
        return await _preview(request, kind, template, title)

    form.__doc__ = f"The upload form for {title}."
    page(router, path)(form)
    for route in (path, f"{path}.json"):
        router.add_api_route(route, preview, methods=["POST"], include_in_schema=False)


async def _preview(request: Request, kind: UploadKind, template: str, title: str) -> Response:
    services = services_of(request)
    keys = signing_keys(services.storage, kind.role)
    async with request.form(max_files=1, max_fields=MAX_FIELDS) as submitted:
        fields = {k: v for k, v in submitted.items() if isinstance(v, str)}
        upload = submitted.get("file")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
    try:
        if not data:
            raise UploadError(["file: no file was chosen, or it is empty"])
        key_id, _, signer = fields.get(SIGNING_FIELD, "").partition(" ")
        signing = chosen_signing(services.storage, kind.role, signer, key_id)
        document = kind.read(services.storage, services.origin, data, fields, signing)
    except UploadError as error:
        refused = {"errors": error.problems, "form": fields}
        return respond(request, template, refused, title, 400, signing_keys=keys)
    return respond(request, template, document, title, signing_keys=keys)
