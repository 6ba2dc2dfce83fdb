"""The studio: a Gradio app where a person configures, launches, watches and compares runs,
talking to the same assistant as ``tunekit chat``.

    tunekit studio [--host H] [--port P] [--share] [--auth USER:PASS | --auth-file F]
                   [--data-dir DIR] [--max-rows N] [--max-upload-mb MB]
                   [--max-concurrent-runs N] [--demo]

A studio reachable by others keeps the rules of ``sharing.py`` (login, data folder, sessions
kept apart, limits).

``build_app()`` returns the ``gr.Blocks`` (for tests and embedding); ``serve(args)`` is what
the CLI calls.
"""

from tunekit.ui.studio.app import build_app
from tunekit.ui.studio.serve import read_auth, serve
from tunekit.ui.studio.sharing import Safety

__all__ = ["Safety", "build_app", "read_auth", "serve"]
