"""The record shapes the language-model datasets read, and how each becomes a row of
``causal-lm`` (``{instruction, input, response}``, ``{messages}`` or ``{text}``).

People's first instruction files come from other tools, each with its own field names:

    {"instruction", "input", "output"}                 alpaca (the input may be "")
    {"conversations": [{"from": "human", "value"}]}     ShareGPT (human / gpt / system)
    {"prompt", "completion"}                            OpenAI's legacy fine-tuning files
    {"question", "answer"}, {"input", "output"}         question answering, seq2seq exports
    {"instruction", "context", "response"}              Dolly

Each is read as the instruction (or chat) it is; the task then scores only the response (or
the assistant's turns), as for tunekit's own forms. This module imports nothing heavy: the
assistant's quick look at a file (``looks.instruction_file``) uses it too.
"""

from __future__ import annotations

from typing import Any

import tunekit

# the field that holds what the model is asked, and the one with what it should answer, in
# the order they are tried (the first field present wins)
PROMPT_FIELDS = ("instruction", "prompt", "question", "query", "input")
ANSWER_FIELDS = ("response", "output", "completion", "answer")
# extra text appended to the instruction (alpaca's input, Dolly's context)
CONTEXT_FIELDS = ("input", "context")
CHAT_FIELDS = ("messages", "conversations", "conversation", "dialogue", "turns")
# who speaks in a chat, as the tools write it, and the role causal-lm reads
SPEAKERS = {"system": "system", "user": "user", "human": "user", "person": "user",
            "customer": "user", "assistant": "assistant", "gpt": "assistant",
            "chatgpt": "assistant", "bard": "assistant", "bing": "assistant",
            "model": "assistant", "bot": "assistant", "ai": "assistant", "agent": "assistant"}
FORMS_READ = ("{instruction, response} (or alpaca's output, prompt/completion, "
              "question/answer, input/output), {messages: [{role, content}]} (or ShareGPT's "
              "conversations: [{from, value}]) or {text}")


def form(record: Any) -> str | None:
    """Which form a record would be read as ("instruction", "chat", "text"), by its fields
    alone; None when it has none the language-model datasets read."""
    if not isinstance(record, dict):
        return None
    if any(isinstance(record.get(f), list) for f in CHAT_FIELDS):
        return "chat"
    if _prompt_field(record) and _answer_field(record):
        return "instruction"
    if isinstance(record.get("text"), str):
        return "text"
    return None


def _prompt_field(record: dict[str, Any]) -> str | None:
    return next((f for f in PROMPT_FIELDS if f in record), None)


def _answer_field(record: dict[str, Any]) -> str | None:
    return next((f for f in ANSWER_FIELDS if f in record), None)


def explain(record: Any) -> str:
    """How a record in another tool's shape is read, in words ("" for tunekit's own forms)."""
    shape = form(record)
    if shape == "chat":
        field = next(f for f in CHAT_FIELDS if isinstance(record.get(f), list))
        turns = [t for t in record[field] if isinstance(t, dict)]
        if field == "messages" and all("role" in t and "content" in t for t in turns):
            return ""
        keys = ", ".join(dict.fromkeys(k for t in turns[:1] for k in t))
        return (f"chats in '{field}' [{keys}], read as messages (role, content): human/user "
                "is the user, gpt/assistant the assistant, system the system; the assistant's "
                "turns are the response trained on")
    if shape != "instruction" or {"instruction", "response"} <= set(record):
        return ""
    asked, answer = _prompt_field(record), _answer_field(record)
    extra = next((f for f in CONTEXT_FIELDS if f != asked and f in record), None)
    prompt = f"'{asked}'" + (f" (its '{extra}' appended)" if extra else "")
    return (f"records of {', '.join(map(str, record))}: {prompt} is the prompt, "
            f"'{answer}' the response trained on")


def labelled(records: list[Any]) -> bool:
    """Whether records read as instructions look rather like texts and their labels: an
    answer field other than tunekit's own (``output``, ``answer``) whose values are a word or
    two, repeating ({"input": "great film", "output": "positive"})."""
    fields = {_answer_field(r) for r in records if form(r) == "instruction"}
    if len(records) < 4 or len(fields) != 1 or fields & {None, "response", "completion"}:
        return False
    field = fields.pop()
    answers = [str(r.get(field)) for r in records]
    return (all(len(a.split()) <= 2 for a in answers)
            and len(set(answers)) <= len(answers) / 2)


def standard_row(record: Any, where: str) -> Any:
    """``record`` as a row of causal-lm: tunekit's own forms unchanged, the others renamed
    (alpaca's output is the response, its input appended to the instruction; ShareGPT's
    from/value are roles and contents). A DataError naming the fields found for a record
    that is none of them; a record that is no object is returned as it is (the task says
    what it expects)."""
    shape = form(record)
    if shape == "chat":
        return _chat(record, where)
    if shape == "instruction":
        return _instruction(record, where)
    if shape == "text" or not isinstance(record, dict) or {"instruction", "response"} & set(
            record):
        return record  # the task says what its own form lacks ("'response' must be ...")
    fields = ", ".join(map(str, record)) or "none"
    raise tunekit.DataError(
        f"expected {{instruction, response}}, {{messages: [...]}} or {{text}}: this record's "
        f"fields are {fields}", where=where,
        hint=f"give each line one of the forms read: {FORMS_READ}; rename the fields (a few "
             "lines of Python or jq) if yours are named otherwise")


def _instruction(record: dict[str, Any], where: str) -> dict[str, Any]:
    if "instruction" in record and "response" in record:
        return record  # tunekit's own form
    asked, answer = _prompt_field(record), _answer_field(record)
    row = {"instruction": _text(record, asked, where), "response": _text(record, answer, where)}
    extra = next((f for f in CONTEXT_FIELDS if f != asked and record.get(f)), None)
    if extra:
        if not isinstance(record[extra], str):
            raise tunekit.DataError(f"'{extra}' must be a text", where=where)
        row["input"] = record[extra]
    return row


def _text(record: dict[str, Any], field: str | None, where: str) -> str:
    value = record.get(field) if field else None
    if not isinstance(value, str) or not value.strip():
        raise tunekit.DataError(f"'{field}' must be a non-empty text", where=where)
    return value


def _chat(record: dict[str, Any], where: str) -> dict[str, Any]:
    field = next(f for f in CHAT_FIELDS if isinstance(record.get(f), list))
    turns = record[field]
    if field == "messages" and all(isinstance(t, dict) and set(t) >= {"role", "content"}
                                   and t["role"] in ("system", "user", "assistant")
                                   for t in turns):
        return record  # tunekit's own form
    return {"messages": [_turn(turn, field, index, where)
                         for index, turn in enumerate(turns, start=1)]}


def _turn(turn: Any, field: str, index: int, where: str) -> dict[str, str]:
    """One turn of a chat as ``{role, content}``: ShareGPT's ``from``/``value`` or the usual
    ``role``/``content``, the speaker's name mapped to its role."""
    if not isinstance(turn, dict):
        raise tunekit.DataError(f"turn {index} of '{field}' is not an object", where=where,
                                hint="each turn is {role, content} or {from, value}")
    speaker = next((turn[k] for k in ("role", "from", "speaker", "author") if k in turn), None)
    content = next((turn[k] for k in ("content", "value", "text") if k in turn), None)
    role = SPEAKERS.get(str(speaker).strip().lower()) if speaker is not None else None
    if role is None:
        raise tunekit.DataError(
            f"turn {index} of '{field}' has the speaker {speaker!r}, which is none of "
            f"{', '.join(sorted(SPEAKERS))}", where=where,
            hint="name each turn's speaker user, assistant or system (ShareGPT's human / gpt "
                 "are read as user / assistant)")
    if not isinstance(content, str):
        raise tunekit.DataError(f"turn {index} of '{field}' has no text (content or value)",
                                where=where)
    return {"role": role, "content": content}
