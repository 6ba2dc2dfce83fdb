"""What a turn asks for that nothing in tunekit does is said, never dropped silently.

No table of such requests can be complete (scope_words.OUT_OF_SCOPE keeps the known ones, with
advice), so what no reader took is judged by its shape (leftover_words.py): a clause added by
a connector ("then", "afterwards", "also", "plus", ", and give me", "can it also") or an
imperative of its own ("Translate the predictions into French."), with words left that are
neither filler nor the domain's nor the data's. It is quoted as written, and the rest of the
turn is still taken. Words that describe the data ("a classifier that routes new emails",
"my customer reviews") are not requests and get no note.

The phrasings are new ones, not the request sets'; the files are written by each test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tunekit import load_plugins
from tunekit.ui.assistant import Assistant

NOTE = "nothing in tunekit does that here"


@pytest.fixture(scope="module")
def plugins():
    return load_plugins(disabled=())


def write_files(folder: Path) -> None:
    """A table of support tickets, tagged sentences and graded essays."""
    teams = ("billing", "it", "hr")
    (folder / "tickets.csv").write_text("message,category\n" + "".join(
        f"ticket {i} about {teams[i % 3]} things,{teams[i % 3]}\n" for i in range(30)))
    (folder / "tags.jsonl").write_text("".join(json.dumps(
        {"tokens": ["Ann", "lives", "in", f"Town{i}"], "tags": ["B-PER", "O", "O", "B-LOC"]})
        + "\n" for i in range(30)))
    (folder / "essays.jsonl").write_text("".join(json.dumps(
        {"essay": f"essay {i} argues about topic {i % 7}", "grade": 3 + (i % 9) * 0.5})
        + "\n" for i in range(40)))


def talk(plugins, folder: Path, *turns: str):
    write_files(folder)
    assistant = Assistant(plugins, base_dir=folder)
    return assistant, [assistant.respond(turn).text for turn in turns]


# (turns, the words the note quotes, as written): things tunekit cannot do, unlisted anywhere
UNAVAILABLE = [
    (["train on tickets.csv, then email me when it's done"], "email me when it's done"),
    (["i want a tagger from tags.jsonl, plus a weekly report sent to slack"],
     "a weekly report sent to slack"),
    (["Train on tickets.csv. Translate the predictions into French."],
     "Translate the predictions into French"),
    (["use tickets.csv, 5 epochs, after that convert the model to CoreML for my iPhone app"],
     "convert the model to CoreML for my iPhone app"),
    (["fine-tune distilbert on tickets.csv; I also want a weekly PDF report for my manager"],
     "I also want a weekly PDF report for my manager"),
    (["please train on tickets.csv and after that make summary of each ticket in one sentence"],
     "make summary of each ticket in one sentence"),
    (["trian on tickets.csv and text me when it finishes"], "text me when it finishes"),
    (["Label every entity in tags.jsonl. Then draw a knowledge graph of them"],
     "draw a knowledge graph of them"),
    (["train on tickets.csv and give me the carbon footprint of the run"],
     "give me the carbon footprint of the run"),
    (["lora r 16 on tickets.csv, then prune 30% of the weights"], "prune 30% of the weights"),
    (["train a tagger on tags.jsonl that spots people, then look each one up on wikipedia"],
     "look each one up on wikipedia"),
    # a later turn, and a question that adds to the run
    (["train on tickets.csv. Also a dashboard with live predictions please."],
     "a dashboard with live predictions"),
    (["fine-tune bert on tickets.csv. after training, i need the model running on my "
      "raspberry pi"], "i need the model running on my raspberry pi"),
    (["train on tickets.csv and when it's done, send the report to my boss"],
     "send the report to my boss"),
    # ("anonymize all names in the texts" describes a tagger: task_words reads it so)
    (["train tickets.csv lora, next step translate all the texts to french before training"],
     "translate all the texts to french before training"),
    (["train on tickets.csv. Also, I'd like to A/B test it against our current model."],
     "A/B test it against our current model"),
    (["tags.jsonl ner model, and also visualise the attention heads"],
     "visualise the attention heads"),
    (["train on tickets.csv", "could you also track the CO2 emissions?"], "CO2 emissions"),
]


@pytest.mark.parametrize("turns, quoted", UNAVAILABLE)
def test_what_nothing_here_does_is_said_in_the_users_words(plugins, tmp_path, turns, quoted):
    assistant, replies = talk(plugins, tmp_path, *turns)
    said = replies[-1]
    note = said[said.index("\""):said.index(NOTE)] if NOTE in said else ""
    assert quoted in note, said  # the quote, as written, before the note
    assert assistant.draft["dataset"]["path"].endswith((".csv", ".jsonl"))  # the rest taken


# what a known limit names (ui/assistant/scope_words.py) is said once, with its advice, and
# not quoted again
# (explanations, intervals, calibration, active learning and schedules: each a known limit
# now, tests/test_assistant_questions.py)
KNOWN = [
    (["classify tickets.csv and also ensemble it with an xgboost model"], "XGBoost"),
    (["train on tickets.csv for 3 epochs and then quantize it to GGUF for llama.cpp"],
     "convert_hf_to_gguf"),
    (["train on tickets.csv, then distill it into a smaller student model"], "distillation"),
    (["fine-tune on tickets.csv with lora. Afterwards explain each prediction with SHAP values"],
     "captum"),
    (["essays.jsonl, regress the grade, and give me a 90% interval around each grade"],
     "one number"),
    (["train on tickets.csv", "then schedule it to retrain every night"], "cron"),
    (["train on tickets.csv", "Can it give confidence scores too?"], "softmax score"),
    (["train on tickets.csv then also do active learning on the unlabeled ones"],
     "tunekit predict"),
    (["essays.jsonl regress grade then calibrate the outputs with isotonic regression"],
     "1.645"),
]


@pytest.mark.parametrize(("turns", "advice"), KNOWN)
def test_a_known_limit_is_said_once_with_its_advice(plugins, tmp_path, turns, advice):
    assistant, replies = talk(plugins, tmp_path, *turns)
    said = replies[-1]
    assert advice in said and NOTE not in said, said
    # once: "Not taken: ..." beside what was taken, the answer itself to a turn of nothing else
    assert said.count(advice) == 1 and said.count("Not taken:") <= 1, said
    assert assistant.draft["dataset"]["path"].endswith((".csv", ".jsonl"))


# the data described, settings said in words, and turns read in full: no note
HARMLESS = [
    ["train a classifier that routes new emails to the right team, data in tickets.csv"],
    ["fine-tune on my customer reviews in tickets.csv"],
    ["tickets.csv holds support emails from our customers, classify them by department"],
    ["train on tickets.csv. The texts are emails our agents wrote, and the labels are teams."],
    ["use our helpdesk tickets (tickets.csv) and keep the pretrained layers fixed"],
    ["i need a model that tells billing from hr messages, tickets.csv"],
    ["essays.jsonl: predict the grade teachers gave each essay, 4 epochs"],
    ["train a model on tags.jsonl that finds people, places and companies in news articles"],
    ["Could you fine-tune distilbert on tickets.csv? Then show me the plan."],
    ["train on tickets.csv with lora r 8 for 3 epochs, then export onnx"],
    ["fine-tune on tickets.csv and then start training"],
    ["sort my support tickets by team, they are in tickets.csv, and use 5 epochs"],
    ["I'd like to detect sarcasm in tweets, my data is tickets.csv"],
    ["train on tickets.csv, it also contains emails from customers"],
    ["train on tickets.csv", "also use 4 epochs", "and then lower the learning rate a bit"],
    ["train on tickets.csv", "can you explain what lora does?"],
    # settings and tools said after a connector: read by their readers, or nothing asked
    ["train on tickets.csv, then use 5 epochs instead"],
    ["train on tickets.csv and also freeze the embeddings"],
    ["train on tickets.csv plus f1 and precision"],
    ["train on tickets.csv, after that, export it as onnx and safetensors"],
    ["train on tickets.csv and then let me know what you think"],
    ["train on tickets.csv, then tell me how long it will take"],
    ["train on tickets.csv, also keep 10% for validation"],
    ["train on tickets.csv and make it quick"],
    ["train on tickets.csv then evaluate on the test set"],
    ["train on tickets.csv, also save a checkpoint every 100 steps"],
    ["train on tickets.csv and give me the best checkpoint at the end"],
    ["train on tickets.csv, also log everything to wandb"],
    ["train on tickets.csv and then show me the config"],
    ["train on tickets.csv, then find a good learning rate"],
    ["fine-tune bert on tickets.csv. Make sure it doesn't overfit."],
    ["fine-tune bert on tickets.csv. Keep it small and cheap."],
    ["Train a sentiment model on tickets.csv. Use the message column as input and category as "
     "the target."],
    ["I have 3 teams. Classify tickets.csv into them."],
    ["Please fine-tune roberta-base on tickets.csv, and stop when it stops improving"],
    ["train on tickets.csv with a warmup of 10% and then cosine decay"],
    ["train on tickets.csv. Use gradient checkpointing to save memory."],
    ["train on tickets.csv, plus label smoothing 0.1"],
    ["fine-tune on tickets.csv; also balance the classes"],
    ["train on tickets.csv, then make a gradio demo"],
    ["train on tickets.csv and make the run reproducible with seed 7"],
    ["train on tickets.csv and also augment the text with typos"],
    ["train on tickets.csv, also limit each text to 256 tokens"],
    ["train on tickets.csv and then explain why you chose these settings"],
    ["train on tickets.csv, then make sure the classes are balanced"],
    ["train on tickets.csv. I'd like to see the loss curve while it trains."],
]


@pytest.mark.parametrize("turns", HARMLESS)
def test_data_descriptions_and_understood_turns_get_no_note(plugins, tmp_path, turns):
    _, replies = talk(plugins, tmp_path, *turns)
    assert not any(NOTE in reply for reply in replies), replies


def test_a_known_limit_keeps_its_advice_and_is_not_said_twice(plugins, tmp_path):
    _, (reply,) = talk(plugins, tmp_path, "train on tickets.csv for 2 epochs, then put it live "
                       "on an AWS SageMaker endpoint")
    assert "deploying is not done from here" in reply
    assert NOTE not in reply


def test_the_note_belongs_to_the_turn_that_asked(plugins, tmp_path):
    assistant, replies = talk(plugins, tmp_path, "train on tickets.csv",
                              "and then email me the results", "use 4 epochs")
    assert [NOTE in reply for reply in replies] == [False, True, False]
    assert assistant.draft["training"]["epochs"] == 4


def test_a_long_request_is_shortened(plugins, tmp_path):
    _, (reply,) = talk(plugins, tmp_path, "train on tickets.csv, then write a long blog post "
                       "about the results with charts, a table of every mistake it made and a "
                       "poem for the team")
    quote = reply.split("Not taken: \"", 1)[1].split("\" —", 1)[0]
    assert quote.startswith("write a long blog post") and quote.endswith("…")
    assert len(quote) <= 90
