"""HTTP front end (FastAPI) over one :class:`~medcite.service.Medcite`, and the page it serves.

* :mod:`.app` — :func:`create_app`, :class:`ServerSettings`, the routes and the SSE answer stream;
* :mod:`.models` — the request and response models (the OpenAPI schema);
* :mod:`.guard` — bearer tokens, rate limits and request-size limits;
* ``static/`` — the single-page client (``index.html``, ``app.js``, ``style.css``).
"""

from __future__ import annotations

from .app import ServerSettings, create_app

__all__ = ["ServerSettings", "create_app"]
