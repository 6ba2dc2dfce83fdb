"""The assistant: plain language <-> RunSpec. No Gradio import here, so the CLI (`tunekit chat`),
the studio and the tests all talk to the same assistant."""

from .dialogue import Assistant, Reply
from .explain import explain_run

__all__ = ["Assistant", "Reply", "explain_run"]
