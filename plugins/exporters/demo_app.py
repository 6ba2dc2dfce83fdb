"""A demo of a fine-tuned model: type (or drop) an input, see what the model answers.

Written by tunekit's gradio-demo exporter; it needs only gradio, transformers and torch
(requirements.txt). Run it with ``python app.py`` (GRADIO_SERVER_PORT and GRADIO_SERVER_NAME
choose where it listens), or push the folder to a Hugging Face Space as it is. Set DEMO_AUTH
to ``user:password`` lines to require a login (``tunekit demo --share`` does).
"""

import json
import os
from pathlib import Path

import gradio as gr
from transformers import pipeline

HERE = Path(__file__).resolve().parent
SETTINGS = json.loads((HERE / "demo.json").read_text(encoding="utf-8"))
MODEL = str(HERE / "model")
TASK = SETTINGS["task"]


def classify_text():
    predict = pipeline("text-classification", model=MODEL, top_k=None)

    def answer(text):
        # a list in, a list out: every label's score for the one text
        return {item["label"]: float(item["score"]) for item in predict([text])[0]}

    return answer, gr.Textbox(label="Text", lines=3), gr.Label(label="Prediction")


def regress_text():
    # one output, taken as it is: no softmax or sigmoid over a single number
    predict = pipeline("text-classification", model=MODEL, function_to_apply="none")

    def answer(text):
        return float(predict([text])[0]["score"])

    return answer, gr.Textbox(label="Text", lines=3), gr.Number(label="Prediction")


def tag_tokens():
    # a word takes its first sub-token's tag, as in training (the other sub-tokens of a word
    # were never scored, so their own tags mean nothing)
    predict = pipeline("token-classification", model=MODEL, aggregation_strategy="first")

    def answer(text):
        entities = [{"entity": item["entity_group"], "start": int(item["start"]),
                     "end": int(item["end"]), "score": float(item["score"])}
                    for item in predict(text)]
        return {"text": text, "entities": entities}

    return answer, gr.Textbox(label="Text", lines=3), gr.HighlightedText(label="Entities")


def classify_image():
    predict = pipeline("image-classification", model=MODEL,
                       top_k=max(1, len(SETTINGS.get("labels") or [])))

    def answer(image):
        return {item["label"]: float(item["score"]) for item in predict(image)}

    return answer, gr.Image(type="pil", label="Image"), gr.Label(label="Prediction")


def generate_text():
    predict = pipeline("text-generation", model=MODEL)
    # the prompt as the model saw prompts in training (its template, the start token first),
    # and no special tokens added around it: an end-of-sequence token after the prompt would
    # tell the model its answer is over before it begins
    before, after = SETTINGS.get("prompt_template") or ("", "")

    def answer(prompt):
        out = predict(before + prompt + after, add_special_tokens=False,
                      max_new_tokens=SETTINGS.get("max_new_tokens", 64), do_sample=False,
                      return_full_text=False)
        return out[0]["generated_text"].strip()

    return answer, gr.Textbox(label="Prompt", lines=3), gr.Textbox(label="Continuation")


TASKS = {"text-classification": classify_text, "text-regression": regress_text,
         "token-classification": tag_tokens, "image-classification": classify_image,
         "causal-lm": generate_text}


def build():
    answer, given, shown = TASKS[TASK]()
    return gr.Interface(fn=answer, inputs=given, outputs=shown, title=SETTINGS["title"],
                        description=SETTINGS.get("description", ""),
                        examples=SETTINGS.get("examples") or None, flagging_mode="never",
                        api_name="predict")


def logins():
    """The user:password pairs of DEMO_AUTH (None: no login)."""
    pairs = [tuple(line.split(":", 1)) for line in os.environ.get("DEMO_AUTH", "").splitlines()
             if ":" in line]
    return pairs or None


if __name__ == "__main__":
    auth = logins()
    build().launch(auth=auth, auth_message="Log in to try the model" if auth else None)
