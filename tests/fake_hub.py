"""A Hugging Face Hub on 127.0.0.1 for the push tests: a real HTTP server (http.server in a
thread) that answers the requests huggingface_hub's ``create_repo`` and ``upload_folder`` make
as the Hub does, and records every one of them.

It answers: ``POST /api/repos/create`` (``{"url": ...}``; 409 with the url when the repo
exists), ``POST /api/{type}s/{repo}/preupload/{rev}`` (every file "regular": its bytes travel
base64 in the commit), ``POST /api/{type}s/{repo}/commit/{rev}`` (NDJSON; the files are kept
decoded) and ``POST /api/validate-yaml`` (the path without hf_xet checks README front matter).
A request without ``Authorization: Bearer ...`` gets 401; ``refuse_all`` makes every request
get one status (401, 403, 404...), ``refuse`` only those of one route.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USER = "ana"  # whose token it is: a repo id without a namespace is created under this user
PREFIX = {"model": "", "space": "spaces/", "dataset": "datasets/"}
ROUTE = re.compile(r"^/api/(?P<type>models|spaces|datasets)/(?P<repo>[^/]+/[^/]+)/"
                   r"(?P<route>preupload|commit)/(?P<rev>[^/?]+)")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeHub:
    """The server's state: what was asked, what exists, what each commit brought."""

    url: str = ""
    requests: list[Request] = field(default_factory=list)
    repos: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (type, id)
    files: dict[tuple[str, str], dict[str, bytes]] = field(default_factory=dict)
    refuse_all: tuple[int, str] | None = None
    refuse: dict[str, tuple[int, str]] = field(default_factory=dict)  # route -> (status, words)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.repos.clear()
            self.files.clear()
            self.refuse_all = None
            self.refuse.clear()

    def repo_url(self, kind: str, repo_id: str) -> str:
        return f"{self.url}/{PREFIX[kind]}{repo_id}"

    def answer(self, request: Request) -> tuple[int, dict[str, Any]]:
        """(status, JSON body) for ``request``, as the Hub would answer it."""
        with self.lock:
            self.requests.append(request)
        if self.refuse_all:
            status, words = self.refuse_all
            return status, {"error": words}
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return 401, {"error": "Invalid credentials in Authorization header"}
        path = request.path.split("?")[0]
        if request.method == "POST" and path == "/api/repos/create":
            return self._create(request.json())
        if request.method == "POST" and path == "/api/validate-yaml":
            return 200, {"errors": [], "warnings": []}
        match = ROUTE.match(path)
        if request.method == "POST" and match:
            kind, repo_id, route = match["type"][:-1], match["repo"], match["route"]
            if route in self.refuse:
                status, words = self.refuse[route]
                return status, {"error": words}
            if (kind, repo_id) not in self.repos:
                return 404, {"error": "Repository not found"}
            if route == "preupload":
                return 200, {"files": [{"path": f["path"], "uploadMode": "regular",
                                        "shouldIgnore": False, "oid": None}
                                       for f in request.json()["files"]]}
            return self._commit(kind, repo_id, request.body)
        return 404, {"error": f"no route {request.method} {path}"}

    def _create(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        kind = payload.get("type") or "model"
        repo_id = f"{payload.get('organization') or USER}/{payload['name']}"
        url = self.repo_url(kind, repo_id)
        if "create" in self.refuse:
            status, words = self.refuse["create"]
            return status, {"error": words}
        if (kind, repo_id) in self.repos:
            return 409, {"error": f"You already created this {kind} repo", "url": url}
        self.repos[(kind, repo_id)] = payload
        self.files[(kind, repo_id)] = {}
        return 200, {"url": url}

    def _commit(self, kind: str, repo_id: str, body: bytes) -> tuple[int, dict[str, Any]]:
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        assert lines[0]["key"] == "header", lines[0]
        for line in lines[1:]:
            assert line["key"] == "file" and line["value"]["encoding"] == "base64", line["key"]
            self.files[(kind, repo_id)][line["value"]["path"]] = base64.b64decode(
                line["value"]["content"])
        oid = hashlib.sha1(body).hexdigest()
        return 200, {"commitUrl": f"{self.repo_url(kind, repo_id)}/commit/{oid}",
                     "commitOid": oid}

    def made(self, route: str) -> list[Request]:
        """The requests that went to ``route`` ("create", "preupload", "commit")."""
        if route == "create":
            return [r for r in self.requests if r.path.startswith("/api/repos/create")]
        return [r for r in self.requests if (m := ROUTE.match(r.path)) and m["route"] == route]


def serve_hub() -> tuple[FakeHub, ThreadingHTTPServer]:
    """The fake Hub, listening on a free port of 127.0.0.1 in a daemon thread."""
    hub = FakeHub()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(self.command, self.path,
                              {k.lower(): v for k, v in self.headers.items()}, body)
            status, answer = hub.answer(request)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status >= 400:
                self.send_header("X-Error-Message", answer.get("error", ""))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, *args: Any) -> None:  # quiet: the test reads hub.requests
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return hub, server
