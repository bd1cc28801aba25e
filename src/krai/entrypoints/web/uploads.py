"""Upload pages (ADR 0035): a form for a file, then a preview of what will be signed, then —
in the browser, by ``/static/sign.js`` — the signature and the submission. The server reads
the file and renders the preview; it never sees a private key.

A kind of file plugs in with ``upload_pages(router, path, kind, template, title)``: ``GET path``
is the form (with the keys that may sign and what ``kind.about`` shows of where the file
goes — a 404 when it goes nowhere), ``POST path`` the preview rendered by ``template`` or, for
a bad file, a 400 page listing what is wrong. Both have JSON twins. The path's parameters
(``/energy/{market_id}/upload``) reach the reader as form fields, over any the form sends.
"""

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from krai.app.uploads import UploadError, UploadKind, chosen_signing, signing_keys
from krai.entrypoints.web.render import not_found, page, respond, services_of

MAX_FIELDS = 8
SIGNING_FIELD = "signing_key"
"""The form's choice of key: ``<key id> <signer>`` (a key id has no space)."""


def upload_pages(router: APIRouter, path: str, kind: UploadKind, template: str, title: str) -> None:
    """Register the form at ``GET path`` and the preview at ``POST path`` (and ``.json``)."""

    def form(request: Request) -> Response:
        storage = services_of(request).storage
        about = kind.about(storage, request.path_params)
        if about is None:
            return not_found(request, request.url.path)
        keys = signing_keys(storage, kind.role)
        data = {"signing_keys": keys, "about": about}
        return respond(request, template, data, title, signing_keys=keys, about=about)

    async def preview(request: Request) -> Response:
        return await _preview(request, kind, template, title)

    form.__doc__ = f"The upload form for {title}."
    page(router, path)(form)
    for route in (path, f"{path}.json"):
        router.add_api_route(route, preview, methods=["POST"], include_in_schema=False)


async def _preview(request: Request, kind: UploadKind, template: str, title: str) -> Response:
    services = services_of(request)
    about = kind.about(services.storage, request.path_params)
    if about is None:
        return not_found(request, request.url.path)
    keys = signing_keys(services.storage, kind.role)
    async with request.form(max_files=len(kind.files), max_fields=MAX_FIELDS) as submitted:
        fields = {k: v for k, v in submitted.items() if isinstance(v, str)}
        files = {name: await _read(submitted.get(name)) for name in kind.files}
    fields |= request.path_params
    given = {name: data for name, data in files.items() if data}
    try:
        if kind.files[0] not in given:
            raise UploadError([f"{kind.files[0]}: no file was chosen, or it is empty"])
        key_id, _, signer = fields.get(SIGNING_FIELD, "").partition(" ")
        signing = chosen_signing(services.storage, kind.role, signer, key_id)
        document = kind.read(services.storage, services.origin, given, fields, signing)
    except UploadError as error:
        refused = {"errors": error.problems, "form": fields}
        return respond(request, template, refused, title, 400, signing_keys=keys, about=about)
    return respond(request, template, document, title, signing_keys=keys, about=about)


async def _read(upload: object) -> bytes:
    """The bytes of an uploaded file; none for a field that is no file."""
    return await upload.read() if isinstance(upload, UploadFile) else b""
