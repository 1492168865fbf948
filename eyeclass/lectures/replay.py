"""A kept recording, played back to its owner beside the charts: HTTP range requests, so the player seeks.

The Range header is parsed by Werkzeug's parser. The file is read in pieces by an asynchronous iterator:
under ASGI, Django reads a synchronous one whole into memory before sending it.
"""

from __future__ import annotations

from pathlib import Path

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET
from werkzeug.http import parse_range_header

from .views import own_session

PIECE = 256 * 1024
TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
}


async def pieces(path: Path, start: int, length: int):
    with open(path, "rb") as f:
        f.seek(start)
        while length > 0:
            data = await sync_to_async(f.read, thread_sensitive=False)(min(PIECE, length))
            if not data:
                return
            length -= len(data)
            yield data


@login_required
@require_GET
def session_video(request, pk: int):
    session = own_session(request, pk)
    path = session.video_path
    if not session.keep_video or path is None or not path.is_file():
        raise Http404("This session's recording was not kept.")
    size = path.stat().st_size
    kind = TYPES.get(path.suffix.lower(), "application/octet-stream")
    header = request.headers.get("Range")
    wanted = parse_range_header(header) if header else None
    if wanted is not None and len(wanted.ranges) == 1:  # several ranges at once: the whole file instead
        span = wanted.range_for_length(size)
        if span is None:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        start, stop = span
        response = StreamingHttpResponse(pieces(path, start, stop - start), status=206, content_type=kind)
        response["Content-Range"] = wanted.to_content_range_header(size)
    else:
        start, stop = 0, size
        response = StreamingHttpResponse(pieces(path, 0, size), content_type=kind)
    response["Content-Length"] = str(stop - start)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-transform"
    return response
