"""The assistant on a broad table of phrasings, through its Python API and `tunekit chat --json`.

Each case is a conversation of one to three turns and the run it must end with. The expected
run is written as changes to the bundled default and resolved like any spec, so every field is
compared: task, data and columns, backbone, strategy and its options, every training number,
early stopping, metrics and exporters. Nothing may launch unless the last turn confirms a run
that was shown. The held-out phrasings at the end were written after the rest passed and
measured before any change was made for them (see HELD_OUT).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from studio_harness import TINY_PLUGIN
from tunekit import load_plugins
from tunekit.spec import DEFAULT_SPEC, parse_spec
from tunekit.ui.assistant import Assistant

SLOTS = ("task", "dataset", "backbone", "strategy", "metrics", "exporters", "augmentations")


@dataclass
class Case:
    turns: list[str]
    expect: dict[str, Any]
    launch: bool = False  # the last turn launches
    question: bool = False  # the last turn is a question: answered, nothing changed by it
    files: bool = False  # the data files of `data_files` exist in the working folder
    id: str = ""
    notes: list[str] = field(default_factory=list)


def case(turns: str | list[str], *, launch: bool = False, question: bool = False,
         files: bool = False, **expect: Any) -> Any:
    turns = [turns] if isinstance(turns, str) else turns
    name = " / ".join(turns)
    return pytest.param(Case(turns, expect, launch, question, files, name), id=name[:80])


def hf(model: str, **options: Any) -> dict[str, Any]:
    return {"name": "hf", "model": model, **options}


def csv(path: str, text: str | None = None, label: str | None = None,
        **options: Any) -> dict[str, Any]:
    data = {"name": "csv", "path": path, **options}
    if text:
        data["text_column"] = text
    if label:
        data["label_column"] = label
    return data


def jsonl(path: str, text: str | None = None, label: str | None = None) -> dict[str, Any]:
    return {**csv(path, text, label), "name": "jsonl"}


def lora(**options: Any) -> dict[str, Any]:
    return {"name": "lora", **options}


def freeze(layers: int) -> dict[str, Any]:
    return {"name": "freeze-bottom", "layers": layers}


DEFAULT_STOPPING = {"metric": None, "patience": 3, "min_delta": 0.0, "restore_best": True}

# ------------------------------------------------------------------------------- the table

STRATEGIES = [
    case("train only the classifier on top", strategy="head-only"),
    case("keep the pretrained layers fixed", strategy="head-only"),
    case("use it as a frozen feature extractor", strategy="head-only"),
    case("just do a linear probe", strategy="head-only"),
    case("freeze the backbone and train a new head", strategy="head-only"),
    case("only train the head", strategy="head-only"),
    case("I want the encoder frozen, only the classification layer should learn",
         strategy="head-only"),
    case("don't touch the pretrained weights, just fit the classifier", strategy="head-only"),
    case("train the classifier head only for 10 epochs", strategy="head-only", epochs=10),
    case("linear probing on distilbert-base-uncased", strategy="head-only",
         backbone=hf("distilbert-base-uncased")),
    case("freeze the bert layers and train only the classifier", strategy="head-only"),
    case("slowly unfreeze the layers", strategy="gradual"),
    case("ULMFiT-style fine-tuning please", strategy="gradual"),
    case("unfreeze one layer per epoch, starting from the top", strategy="gradual"),
    case("gradual unfreezing with discriminative learning rates", strategy="gradual"),
    case("unfreeze a layer every 2 epochs", strategy={"name": "gradual", "every": 2}),
    case("gradual unfreezing, divide the learning rate by 3 per layer",
         strategy={"name": "gradual", "factor": 3.0}),
    case("unfreeze everything gradually", strategy="gradual"),
    case("fine-tune with an adapter", strategy="lora"),
    case("LoRA r=16 alpha 32", strategy=lora(r=16, alpha=32)),
    case("parameter-efficient fine-tuning please", strategy="lora"),
    case("use low-rank adaptation with rank 4", strategy=lora(r=4)),
    case("peft with lora dropout 0.05", strategy=lora(dropout=0.05)),
    case("lora, rank 32, alpha twice the rank", strategy=lora(r=32, alpha=64)),
    case(["use full fine-tuning", "LoRA with rank 16 please"], strategy=lora(r=16)),
    case("fine-tune all the weights", strategy="full"),
    case("full fine-tuning", strategy="full"),
    case("update every parameter of the model", strategy="full"),
    case("train the whole network end to end", strategy="full"),
    case("don't freeze anything", strategy="full"),
    case("no freezing at all, train everything", strategy="full"),
    case("freeze the bottom 3 layers", strategy=freeze(3)),
    case("freeze embeddings and first two blocks", strategy=freeze(2)),
    case("keep the first four layers frozen and fine-tune the rest", strategy=freeze(4)),
    case("freeze only the embeddings", strategy=freeze(0)),
    case("freeze layers 0-3", strategy=freeze(4)),
    case("train only the top 2 layers", strategy=freeze(4)),
    case("freeze the lower layers", strategy=freeze(None)),
    case("freeze half of the layers", strategy=freeze(3)),
    case("partial fine-tuning: freeze 2 layers", strategy=freeze(2)),
    case("use bert-base-uncased and train only the last 4 layers",
         backbone=hf("bert-base-uncased"), strategy=freeze(8)),
    case("not LoRA, full fine-tuning", strategy="full"),
    case("no adapters please, fine-tune everything", strategy="full"),
    case("use full fine-tuning instead of lora", strategy="full"),
    case("head only, not gradual", strategy="head-only"),
    case("I don't want adapters", strategy="full"),
    case("avoid full fine-tuning, use lora", strategy="lora"),
    case("can you use LoRA?", strategy="lora"),
]

NUMBERS = [
    case("five epochs", epochs=5),
    case("train for 10 epochs", epochs=10),
    case("epochs: 4", epochs=4),
    case("just a single epoch", epochs=1),
    case("twenty epochs with a batch size of sixteen", epochs=20, batch_size=16),
    case("lr 3e-5", learning_rate=3e-5),
    case("learning rate of 0.0001", learning_rate=1e-4),
    case("set the learning rate to 2e-4", learning_rate=2e-4),
    case("LR=5e-5", learning_rate=5e-5),
    case("use a learning rate around 1 x 10^-4", learning_rate=1e-4),
    case("3 epochs at 2e-5", epochs=3, learning_rate=2e-5),
    case("batches of 32", batch_size=32),
    case("batch size: 8", batch_size=8),
    case("bs=64", batch_size=64),
    case("32 examples per batch", batch_size=32),
    case("a batch size of thirty-two", batch_size=32),
    case("weight decay .05", weight_decay=0.05),
    case("wd 0.1", weight_decay=0.1),
    case("no weight decay", weight_decay=0.0),
    case("no dropout", dropout=0.0),
    case("dropout 0.2", dropout=0.2),
    case("10% dropout", dropout=0.1),
    case("seed 1234", seed=1234),
    case("random seed of 7", seed=7),
    case("truncate to 64 tokens", max_length=64),
    case("max length 256", max_length=256),
    case("max_seq_len=512", max_length=512),
    case("texts up to 200 tokens", max_length=200),
    case("warmup ratio 0.06", warmup_ratio=0.06),
    case("clip gradients at 0.5", max_grad_norm=0.5),
    case("cosine decay please", scheduler="cosine"),
    case("a slanted triangular schedule", scheduler="slanted-triangular"),
    case("constant learning rate of 2e-5", scheduler="constant", learning_rate=2e-5),
    case("accumulate gradients over 4 batches", gradient_accumulation_steps=4),
    case("gradient accumulation steps = 8", gradient_accumulation_steps=8),
    case("label smoothing 0.1", label_smoothing=0.1),
    case("use balanced class weights", class_weights="balanced"),
    case("handle the class imbalance", class_weights="balanced"),
    case(["use balanced class weights", "actually no class weights"], class_weights=None),
    case("double the batch size", batch_size=32),
    case("halve the learning rate", learning_rate=5e-4),
    case("change the batch size from 16 to 32", batch_size=32),
    case("six epochs, lr 1e-4, batch size 16, weight decay 0.01, seed 42, max length 128",
         epochs=6, learning_rate=1e-4),
    case("lora for 3 epochs, lr 2e-4, batch size 8 and seed 7",
         strategy="lora", epochs=3, learning_rate=2e-4, batch_size=8, seed=7),
    case("how about 5 epochs?", epochs=5),
]

STOPPING = [
    case("without early stopping", early_stopping=None),
    case("turn off early stopping", early_stopping=None),
    case("don't stop early, run all the epochs", early_stopping=None),
    case("early stopping with patience 2", early_stopping={"patience": 2}),
    case("stop if validation accuracy doesn't improve for 4 epochs",
         early_stopping={"patience": 4, "metric": "accuracy"}),
    case("early stopping on f1", early_stopping={"metric": "f1"}),
    case("early stopping on precision", early_stopping={"metric": "precision"},
         metrics=["accuracy", "f1", "confusion-matrix", "precision"]),
    case(["no early stopping", "actually use early stopping"], early_stopping={}),
    case(["without early stopping", "on second thought, keep early stopping with patience 3"],
         early_stopping={"patience": 3}),
]

DATA = [
    case(["train on data/tickets.csv", "actually use the sample data instead"],
         dataset={"name": "sample-reviews"}),
    case(["train on data/tickets.csv", "switch back to the bundled reviews dataset"],
         dataset={"name": "sample-reviews"}),
    case("train on data/tickets.csv", dataset=csv("data/tickets.csv")),
    case("fine-tune on ./data/support.jsonl", dataset=jsonl("./data/support.jsonl")),
    case("use /home/ana/datasets/reviews.tsv", dataset=csv("/home/ana/datasets/reviews.tsv")),
    case("train on 'my data/chat logs.csv'", dataset=csv("my data/chat logs.csv")),
    case('my file is "Customer Feedback.csv"', dataset=csv("Customer Feedback.csv")),
    case("data: tickets.json", dataset=jsonl("tickets.json")),
    case(r"train on C:\data\tickets.csv", dataset=csv(r"C:\data\tickets.csv")),
    case("train on data/tickets.csv, text column is message, labels are in category",
         dataset=csv("data/tickets.csv", "message", "category")),
    case("use data/news.csv; the text is in the body column and the label in topic",
         dataset=csv("data/news.csv", "body", "topic")),
    case("predict sentiment from review_text in data/amazon.csv",
         dataset=csv("data/amazon.csv", "review_text", "sentiment")),
    case("file news.csv, use headline as the text and section as the label",
         dataset=csv("news.csv", "headline", "section")),
    case("intents.jsonl with columns text=utterance, label=intent",
         dataset=jsonl("intents.jsonl", "utterance", "intent")),
    case("data/x.csv text_column=body label_column=tag", dataset=csv("data/x.csv", "body", "tag")),
    case("train on emails.csv; the subject field holds the text and folder is the target",
         dataset=csv("emails.csv", "subject", "folder")),
    case("predict intent from utterance in \"my data/chat logs.csv\"",
         dataset=csv("my data/chat logs.csv", "utterance", "intent")),
    case(["train on data/tickets.csv", "the labels are in the priority column"],
         dataset=csv("data/tickets.csv", label="priority")),
    case(["use data/reviews.csv", "the text column is called 'review body'"],
         dataset=csv("data/reviews.csv", text="review body")),
    case("train on data/tickets.csv and hold out 20% for validation",
         dataset=csv("data/tickets.csv", validation_split=0.2)),
    case("train on train.csv, validate on dev.csv",
         dataset=csv("train.csv", validation_path="dev.csv")),
    case("train on data/train.csv and use data/test.csv as the test set",
         dataset=csv("data/train.csv", test_path="data/test.csv")),
    case(["train on a.csv", "sorry, the file is b.csv"], dataset=csv("b.csv")),
    case(["train on data/a.csv, the text column is body", "actually use data/b.csv"],
         dataset=csv("data/b.csv", text="body")),
    case("train on data/tickets.csv", files=True,
         dataset=csv("data/tickets.csv", "message", "category")),
    case(["train on data/raw.csv", "intent_code", "body_text"], files=True,
         dataset=csv("data/raw.csv", "body_text", "intent_code")),
    case("train on data/raw.csv; predict intent_code from body_text", files=True,
         dataset=csv("data/raw.csv", "body_text", "intent_code")),
    case("use data/reviews.jsonl", files=True, dataset=jsonl("data/reviews.jsonl", "text",
                                                             "label")),
]

BACKBONES = [
    case(["use bert-base-uncased", "switch to the bundled MiniLM"],
         backbone={"name": "minilm-l6"}),
    case(["use roberta-base", "go back to the small default model"],
         backbone={"name": "minilm-l6"}),
    case(["use roberta-base", "all-MiniLM-L6-v2 please"], backbone={"name": "minilm-l6"}),
    case(["use roberta-base", "use sentence-transformers/all-MiniLM-L6-v2"],
         backbone={"name": "minilm-l6"}),
    case("use distilbert-base-uncased", backbone=hf("distilbert-base-uncased")),
    case("fine-tune bert-base-uncased", backbone=hf("bert-base-uncased")),
    case("roberta-base with LoRA", backbone=hf("roberta-base"), strategy="lora"),
    case("use sentence-transformers/all-mpnet-base-v2",
         backbone=hf("sentence-transformers/all-mpnet-base-v2")),
    case("use BERT", backbone=hf("bert-base-uncased")),
    case("RoBERTa large please", backbone=hf("roberta-large")),
    case("try DistilBERT", backbone=hf("distilbert-base-uncased")),
    case("start from my checkpoint in ./checkpoints/bert-ft", backbone=hf("./checkpoints/bert-ft")),
    case("use the model at /models/roberta-sentiment", backbone=hf("/models/roberta-sentiment")),
    case("backbone: microsoft/deberta-v3-small", backbone=hf("microsoft/deberta-v3-small")),
    case("fine-tune cardiffnlp/twitter-roberta-base-sentiment on data/tweets.csv",
         backbone=hf("cardiffnlp/twitter-roberta-base-sentiment"), dataset=csv("data/tweets.csv")),
    case("use distilbert instead of bert", backbone=hf("distilbert-base-uncased")),
    case("not bert, use roberta-base", backbone=hf("roberta-base")),
    case("train bert-base-uncased from scratch", backbone=hf("bert-base-uncased",
                                                             pretrained=False)),
    case("https://huggingface.co/distilroberta-base", backbone=hf("distilroberta-base")),
    case("load the model from models/my-classifier", backbone=hf("models/my-classifier")),
]

CORRECTIONS = [
    case(["fine-tune on data/tickets.csv with lora", "actually use full fine-tuning"],
         dataset=csv("data/tickets.csv"), strategy="full"),
    case(["train for 5 epochs", "make it 2 epochs"], epochs=2),
    case(["3 epochs", "no, 4 epochs"], epochs=4),
    case(["use lora", "switch to full fine-tuning"], strategy="full"),
    case(["batch size 16", "use a batch size of 64 instead"], batch_size=64),
    case(["use lora with r 16", "undo that"]),
    case(["use lora with r 16", "head only", "undo"], strategy=lora(r=16)),
    case(["lora r 16", "make the rank 8"], strategy=lora(r=8)),
    case(["head only", "hmm, actually LoRA"], strategy="lora"),
    case(["train with roberta-base", "no wait, use distilbert-base-uncased"],
         backbone=hf("distilbert-base-uncased")),
    case(["use full fine-tuning", "actually not full, gradual"], strategy="gradual"),
    case(["lr 3e-5", "lower the learning rate to 1e-5"], learning_rate=1e-5),
    case(["no dropout", "actually dropout 0.1"], dropout=0.1),
    case(["head only for 3 epochs", "start over"]),
    case(["epochs 3", "lr 1e-4", "undo"], epochs=3),
    case(["use roberta-base and lora", "make it 2 epochs", "actually 3"], epochs=3,
         backbone=hf("roberta-base"), strategy="lora"),
    case(["use full fine-tuning with lr 2e-5", "go back to lora"], strategy="lora",
         learning_rate=2e-5),
]

LISTS = [
    case("report accuracy only", metrics=["accuracy"]),
    case("also track precision and recall",
         metrics=["accuracy", "f1", "confusion-matrix", "precision", "recall"]),
    case("metrics: accuracy and f1", metrics=["accuracy", "f1"]),
    case("no confusion matrix", metrics=["accuracy", "f1"]),
    case("export only the model card", exporters=["model-card"]),
    case("don't write a model card", exporters=["huggingface"]),
    case("no exports", exporters=[]),
    case("save just the lora adapter", exporters=["adapter"]),  # the adapter exporter alone
    case("compute macro f1 and precision",
         metrics=["accuracy", "f1", "confusion-matrix", "precision"]),
]

AUGMENTATIONS = [
    case("train with random deletion augmentation", augmentations=["random-deletion"]),
    case("augment the data with typos", augmentations=["char-noise"]),
    case("use data augmentation", augmentations=["random-deletion"]),
    case("random deletion at 20%",
         augmentations=[{"name": "random-deletion", "probability": 0.2}]),
    case("10% word dropout and a dropout of 0.2",
         augmentations=[{"name": "random-deletion", "probability": 0.1}], dropout=0.2),
    case("swap words with probability 0.2 and add typos",
         augmentations=[{"name": "random-swap", "probability": 0.2}, "char-noise"]),
    case("lora for 3 epochs with random crop, 2 augmented copies", strategy="lora", epochs=3,
         augmentations=[{"name": "random-crop", "copies": 2}]),
    case("random deletion at 15% and 3 copies of typos",
         augmentations=[{"name": "random-deletion", "probability": 0.15},
                        {"name": "char-noise", "copies": 3}]),
    case(["with random deletion and random swap", "no random swap"],
         augmentations=["random-deletion"]),
    case(["augment the data with typos", "no augmentation"]),
    case(["use random deletion", "augment with typos instead of random deletion"],
         augmentations=["char-noise"]),
    case(["use random deletion", "yes"], launch=True, augmentations=["random-deletion"]),
    case("no dropout", dropout=0.0),
    case("what augmentations are there?", question=True),
    case("what does random crop do?", question=True),
]

QUESTIONS = [
    case("what is gradual unfreezing?", question=True),
    case("which strategy should I use?", question=True),
    case("why a lower learning rate?", question=True),
    case("what does LoRA do?", question=True),
    case("what's the difference between head-only and full fine-tuning?", question=True),
    case("how many epochs should I train for?", question=True),
    case("what is weight decay?", question=True),
    case("explain early stopping", question=True),
    case("is LoRA faster than full fine-tuning?", question=True),
    case("what does the r parameter mean?", question=True),
    case("should I freeze the bottom layers?", question=True),
    case("what's a linear probe?", question=True),
    case("can you explain dropout?", question=True),
    case("what models can I use?", question=True),
    case(["use lora with r 16", "why that learning rate?"], question=True, strategy=lora(r=16)),
    case(["train on data/tickets.csv for 3 epochs", "how long will it take on a cpu?"],
         question=True, dataset=csv("data/tickets.csv"), epochs=3),
    case("Use LoRA with r 16. What does alpha do?", strategy=lora(r=16)),
]

CONFIRMATIONS = [
    case(["fine-tune on data/tickets.csv with lora for 3 epochs", "yes"], launch=True,
         dataset=csv("data/tickets.csv"), strategy="lora", epochs=3),
    case(["train head only on the sample data", "go ahead"], launch=True, strategy="head-only"),
    case(["full fine-tuning, 2 epochs", "start training"], launch=True, strategy="full",
         epochs=2),
    case(["use lora", "sounds good, launch it"], launch=True, strategy="lora"),
    case(["use lora", "yes please"], launch=True, strategy="lora"),
    case(["head only", "let's go"], launch=True, strategy="head-only"),
    case(["start training", "yes"], launch=True),
    case(["use lora", "what is lora?", "start training"], launch=True, strategy="lora"),
    case("train distilbert-base-uncased on data/x.csv and start it",
         backbone=hf("distilbert-base-uncased"), dataset=csv("data/x.csv")),
    case("lora for 3 epochs and kick it off right away", strategy="lora", epochs=3),
    case(["use lora", "yes, but 3 epochs"], strategy="lora", epochs=3),
    case(["use lora", "no"], strategy="lora"),
    case(["use lora", "not yet"], strategy="lora"),
    case(["use lora", "what is lora?", "ok"], strategy="lora"),
    case("yes"),
    case("start training"),
    case(["train on data/raw.csv", "yes"], files=True, dataset=csv("data/raw.csv")),
]

TABLE = STRATEGIES + NUMBERS + STOPPING + DATA + BACKBONES + CORRECTIONS + LISTS + QUESTIONS \
    + CONFIRMATIONS + AUGMENTATIONS

# Held-out phrasings, in rounds of 30. Each round was written after everything before it
# passed and run once before any change was made for it; then the general rule behind each
# miss was added. Resolved exactly at first run: A 28, B 27, C 27, D 26, E 27, F 26, G 26,
# H 28, I 26, J 27, K 21, L 25, M 29, N 29 of 30 -- 372 of 420 (89%); the last two rounds,
# after the rules had grown, 58 of 60 (97%). Rounds A-L were written to be varied and odd on
# purpose; M keeps to the everyday phrasings of the issue's own examples. All pass now.
ROUND_A = [
    case("I only have a few hundred examples in labels.csv, so just train a small classifier "
         "on top of the frozen model", dataset=csv("labels.csv"), strategy="head-only"),
    case("fine-tune roberta-base on support_tickets.jsonl for four epochs with a learning rate "
         "of 2e-5", backbone=hf("roberta-base"), dataset=jsonl("support_tickets.jsonl"),
         epochs=4, learning_rate=2e-5),
    case("let's do low rank adapters, rank sixteen", strategy=lora(r=16)),
    case(["train on reviews_2024.csv", "the review text is in column comment and the stars "
          "column is the label"], dataset=csv("reviews_2024.csv", "comment", "stars")),
    case("progressively unfreeze from the top, one block every other epoch",
         strategy={"name": "gradual", "every": 2}),
    case("freeze the first 5 transformer blocks", strategy=freeze(5)),
    case("keep everything frozen except the classification head", strategy="head-only"),
    case("train every layer, nothing frozen, 8 epochs", strategy="full", epochs=8),
    case("use a lr of 5e-5 and a batch of 24", learning_rate=5e-5, batch_size=24),
    case("set dropout to 0.3 and weight decay to 0.02", dropout=0.3, weight_decay=0.02),
    case("max sequence length of 96 tokens", max_length=96),
    case(["use lora", "bump the rank to 32"], strategy=lora(r=32)),
    case(["full fine-tuning", "hmm no, let's not update all the weights, use an adapter"],
         strategy="lora"),
    case(["lora for 6 epochs", "make that three"], strategy="lora", epochs=3),
    case("what's the point of a warmup?", question=True),
    case("explain the difference between LoRA and gradual unfreezing", question=True),
    case(["head-only on the demo dataset", "great, run it"], launch=True, strategy="head-only"),
    case(["gradual unfreezing for 10 epochs", "hold on, don't start yet"], strategy="gradual",
         epochs=10),
    case("use xlm-roberta-base for multilingual tickets in data/multi.csv",
         backbone=hf("xlm-roberta-base"), dataset=csv("data/multi.csv")),
    case("train on data/tickets.csv using the model in ../shared/models/ticket-bert",
         dataset=csv("data/tickets.csv"), backbone=hf("../shared/models/ticket-bert")),
    case("classify the complaint column into product", dataset={"name": "sample-reviews"}),
    case(["use data/complaints.csv", "classify the complaint column into product"],
         dataset=csv("data/complaints.csv", "complaint", "product")),
    case("seed=2024, no warmup", seed=2024, warmup_ratio=0.0),
    case("train with patience of 5 on validation loss",
         early_stopping={"patience": 5, "metric": "loss"}),
    case("don't use lora, freeze the bottom four layers instead", strategy=freeze(4)),
    case("adapter fine-tuning with alpha 8 and r 4", strategy=lora(r=4, alpha=8)),
    case(["train on data/a.csv", "text is in the 'Ticket Body' column"],
         dataset=csv("data/a.csv", text="Ticket Body")),
    case("please limit the input to 32 tokens and use batches of 128", max_length=32,
         batch_size=128),
    case(["use lora", "undo", "use gradual unfreezing"], strategy="gradual"),
    case("start with the bundled sample, head only, 2 epochs", strategy="head-only", epochs=2),
]



ROUND_B = [
    case("Hi! I'd like to build a sentiment classifier on the built-in reviews. Keep the "
         "transformer frozen and only learn the output layer.", strategy="head-only"),
    case("fine tune distilroberta-base on ./tickets/train.csv (text in 'description', label in "
         "'team') for 3 epochs", backbone=hf("distilroberta-base"),
         dataset=csv("./tickets/train.csv", "description", "team"), epochs=3),
    case("Use LoRA (rank 8, alpha 16, dropout 0.05) and a learning rate of 3e-4",
         strategy=lora(r=8, alpha=16, dropout=0.05), learning_rate=3e-4),
    case("epochs=12 lr=2e-5 batch_size=16 weight_decay=0.01", epochs=12, learning_rate=2e-5,
         batch_size=16, weight_decay=0.01),
    case("I want to fine-tune the entire model, all layers trainable", strategy="full"),
    case("Can we try the gradual thing where layers get unfrozen one at a time?",
         strategy="gradual"),
    case("freeze the first 6 layers of bert-base-cased", backbone=hf("bert-base-cased"),
         strategy=freeze(6)),
    case(["use my csv at data/feedback.csv", "label column: sentiment", "text column: comment"],
         dataset=csv("data/feedback.csv", "comment", "sentiment")),
    case(["lora please", "set r to 64"], strategy=lora(r=64)),
    case(["train head-only", "on second thought, do full fine-tuning with a small learning "
          "rate of 1e-5"], strategy="full", learning_rate=1e-5),
    case(["use 4 epochs", "4 is too many, use 2"], epochs=2),
    case("batch size sixty four and seed 0", batch_size=64, seed=0),
    case("I'd rather not use early stopping", early_stopping=None),
    case("train it with the demo data and a dropout of 0.15", dropout=0.15),
    case("cut reviews off at 100 tokens", max_length=100),
    case("what does freezing the bottom layers buy me?", question=True),
    case("is it better to use lora or full fine-tuning for 500 examples?", question=True),
    case(["fine-tune google/electra-small-discriminator on data/spam.csv", "looks good, go"],
         launch=True, backbone=hf("google/electra-small-discriminator"),
         dataset=csv("data/spam.csv")),
    case(["use full fine-tuning", "never mind that"]),
    case("use a feature-extraction setup with roberta-base", strategy="head-only",
         backbone=hf("roberta-base")),
    case("Please use the jsonl file at /data/intents/train.jsonl; the utterance field holds "
         "the text and intent is the label", dataset=jsonl("/data/intents/train.jsonl",
                                                           "utterance", "intent")),
    case("unfreeze the top 3 layers only", strategy=freeze(3)),
    case("no early stopping, 15 epochs, and learning rate 1e-3", early_stopping=None,
         epochs=15, learning_rate=1e-3),
    case(["set up lora with r 4", "and alpha 8"], strategy=lora(r=4, alpha=8)),
    case("train on data/tickets.csv but hold out 10 percent for testing",
         dataset=csv("data/tickets.csv", test_split=0.1)),
    case("use the bundled model with full finetuning, lr 5e-5", strategy="full",
         learning_rate=5e-5),
    case(["use lora", "why is lora's learning rate so high?"], question=True, strategy="lora"),
    case("don't use the bundled model; use bert-base-multilingual-cased",
         backbone=hf("bert-base-multilingual-cased")),
    case("go with a linear classifier on frozen embeddings", strategy="head-only"),
    case(["train gradual", "start it now"], launch=True, strategy="gradual"),
]

ROUND_C = [
    case("Fine-tune MiniLM on data/reviews.csv with LoRA for 5 epochs",
         dataset=csv("data/reviews.csv"), strategy="lora", epochs=5),
    case("Train a classifier on tickets.csv using the 'body' column as text and 'queue' as label",
         dataset=csv("tickets.csv", "body", "queue")),
    case("Use distilbert-base-uncased, train only the classification head, lr 1e-3, 4 epochs",
         backbone=hf("distilbert-base-uncased"), strategy="head-only", learning_rate=1e-3,
         epochs=4),
    case("I have support emails in emails.jsonl: text field is 'content', label field is "
         "'department'. Use roberta-base with full fine-tuning.",
         dataset=jsonl("emails.jsonl", "content", "department"), backbone=hf("roberta-base"),
         strategy="full"),
    case("freeze all but the last two layers", strategy=freeze(4)),
    case("LoRA with r=8 and alpha=16, batch size 32, learning rate 2e-4",
         strategy=lora(r=8, alpha=16), batch_size=32, learning_rate=2e-4),
    case("gradual unfreezing for 8 epochs", strategy="gradual", epochs=8),
    case(["train on data/news.csv", "label column is category",
          "use full fine-tuning for 3 epochs"],
         dataset=csv("data/news.csv", label="category"), strategy="full", epochs=3),
    case("Use the sample dataset and the bundled model, but freeze the bottom 4 layers",
         strategy=freeze(4)),
    case("batch size of 8, 10 epochs, weight decay 0.1, seed 7", batch_size=8, epochs=10,
         weight_decay=0.1, seed=7),
    case("max length 64, dropout 0.2", max_length=64, dropout=0.2),
    case(["use LoRA", "actually, full fine-tuning", "undo that"], strategy="lora"),
    case(["train for 3 epochs with lr 5e-5", "use 1e-4 instead"], epochs=3, learning_rate=1e-4),
    case("fine-tune bert-base-uncased on ./data/spam.tsv; text is in 'message', label in "
         "'is_spam'", backbone=hf("bert-base-uncased"),
         dataset=csv("./data/spam.tsv", "message", "is_spam")),
    case("keep the embeddings and the lower 3 blocks frozen", strategy=freeze(3)),
    case("I want to adapt the model with LoRA but keep everything else frozen", strategy="lora"),
    case("Only fine-tune the top layer", strategy="head-only"),
    case("train on the sample data for two epochs with a learning rate of 5e-4 and no warmup",
         epochs=2, learning_rate=5e-4, warmup_ratio=0.0),
    case("Which is better for a small dataset, head-only or LoRA?", question=True),
    case("what batch size do you recommend?", question=True),
    case(["lora", "rank 12"], strategy=lora(r=12)),
    case(["full fine-tune with batch size 8", "yes, start"], launch=True, strategy="full",
         batch_size=8),
    case(["full fine-tune with batch size 8", "hmm, what's the default learning rate?"],
         question=True, strategy="full", batch_size=8),
    case("please don't use LoRA here; train all weights with lr 2e-5 for 3 epochs",
         strategy="full", learning_rate=2e-5, epochs=3),
    case("use the model saved at ~/models/distilbert-tickets with head-only training",
         backbone=hf("~/models/distilbert-tickets"), strategy="head-only"),
    case("data is in /srv/data/train.jsonl with dev set /srv/data/dev.jsonl",
         dataset=jsonl("/srv/data/train.jsonl") | {"validation_path": "/srv/data/dev.jsonl"}),
    case("sequence length 256 and batch size 4 please", max_length=256, batch_size=4),
    case("patience 2, monitor f1", early_stopping={"patience": 2, "metric": "f1"}),
    case("go for ulmfit style gradual unfreezing, 12 epochs, factor 2",
         strategy={"name": "gradual", "factor": 2.0}, epochs=12),
    case(["train with lora", "and also report precision"], strategy="lora",
         metrics=["accuracy", "f1", "confusion-matrix", "precision"]),
]

ROUND_D = [
    case("fine-tune bert-base-cased on data/ner_free.csv, 2 epochs, batch 8, lr 3e-5",
         backbone=hf("bert-base-cased"), dataset=csv("data/ner_free.csv"), epochs=2,
         batch_size=8, learning_rate=3e-5),
    case("Train a topic classifier on news.jsonl — text field 'headline', label field 'topic' — "
         "using LoRA with r=4", dataset=jsonl("news.jsonl", "headline", "topic"),
         strategy=lora(r=4)),
    case("I'd like to freeze the whole encoder and just train a linear layer on top",
         strategy="head-only"),
    case("please unfreeze layers progressively, one every 2 epochs",
         strategy={"name": "gradual", "every": 2}),
    case("freeze the lowest two layers", strategy=freeze(2)),
    case("update all of the model's weights", strategy="full"),
    case(["fine-tune on reviews.csv", "the label is stored in the 'score' column"],
         dataset=csv("reviews.csv", label="score")),
    case(["fine-tune on reviews.csv", "text comes from the 'summary' column"],
         dataset=csv("reviews.csv", text="summary")),
    case(["use roberta-base", "hmm, too big. go back to minilm"], backbone={"name": "minilm-l6"}),
    case(["use LoRA with rank 8", "rank 8 is too small, use 32"], strategy=lora(r=32)),
    case(["train for 8 epochs", "that's too long, 3 is enough"], epochs=3),
    case("learning rate 5e-4, weight decay 0, warmup 0.1", learning_rate=5e-4, weight_decay=0.0,
         warmup_ratio=0.1),
    case("use a max length of 512 tokens and a batch size of 4", max_length=512, batch_size=4),
    case("seed it with 31337", seed=31337),
    case("turn dropout off", dropout=0.0),
    case("disable weight decay and early stopping", weight_decay=0.0, early_stopping=None),
    case("use early stopping with a patience of 1", early_stopping={"patience": 1}),
    case("what's the difference between freeze-bottom and head-only?", question=True),
    case("why would I use gradual unfreezing instead of full fine-tuning?", question=True),
    case(["lora with 4 epochs", "what does r do?"], question=True, strategy="lora", epochs=4),
    case(["train head-only on the sample reviews for 2 epochs", "yep"], launch=True,
         strategy="head-only", epochs=2),
    case(["train head-only on the sample reviews for 2 epochs", "cancel"], strategy="head-only",
         epochs=2),
    case("launch a LoRA run on data/faq.csv right now", strategy="lora",
         dataset=csv("data/faq.csv")),
    case("train on /tmp/data/complaints.tsv with distilbert-base-uncased, text column "
         "'narrative', label column 'product'",
         dataset=csv("/tmp/data/complaints.tsv", "narrative", "product"),
         backbone=hf("distilbert-base-uncased")),
    case("let's try nlptown/bert-base-multilingual-uncased-sentiment with head-only training",
         backbone=hf("nlptown/bert-base-multilingual-uncased-sentiment"), strategy="head-only"),
    case("use the local model in ./my_model with full fine-tuning",
         backbone=hf("./my_model"), strategy="full"),
    case("I don't want to train the whole thing, just the last layer", strategy="head-only"),
    case("no lora, no full fine-tuning, do gradual unfreezing", strategy="gradual"),
    case(["head only", "and also 20 epochs with early stopping patience 4"],
         strategy="head-only", epochs=20, early_stopping={"patience": 4}),
    case("train on data/tickets.csv with 30% held out for validation and 10% for test",
         dataset=csv("data/tickets.csv", validation_split=0.3, test_split=0.1)),
]

ROUND_E = [
    case("Fine-tune a sentiment model on data/movies.csv. Use roberta-base, LoRA with rank 16, "
         "3 epochs, batch size 16 and a learning rate of 2e-4.",
         dataset=csv("data/movies.csv"), backbone=hf("roberta-base"), strategy=lora(r=16),
         epochs=3, batch_size=16, learning_rate=2e-4),
    case("train just the classification head of distilbert-base-uncased on the sample data",
         backbone=hf("distilbert-base-uncased"), strategy="head-only"),
    case("let's freeze everything below the top 3 layers", strategy=freeze(3)),
    case("do gradual unfreezing, dividing the lr by 2.0 for each lower layer",
         strategy={"name": "gradual", "factor": 2.0}),
    case("keep the base model frozen but add LoRA adapters with r=8", strategy=lora(r=8)),
    case(["train on intents.csv", "the intent column holds the labels and utterance has the text"],
         dataset=csv("intents.csv", "utterance", "intent")),
    case(["train on intents.csv", "label = intent, text = utterance"],
         dataset=csv("intents.csv", "utterance", "intent")),
    case("data/faq.jsonl with question as the input and answer_type as the target",
         dataset=jsonl("data/faq.jsonl", "question", "answer_type")),
    case(["full fine-tuning for 5 epochs", "lower the lr to 2e-5 and add weight decay 0.05"],
         strategy="full", epochs=5, learning_rate=2e-5, weight_decay=0.05),
    case(["use lora r 8", "switch to r 16 and alpha 32"], strategy=lora(r=16, alpha=32)),
    case(["use head-only", "on reflection I'd rather fine-tune everything"], strategy="full"),
    case(["use gradual", "not that one, linear probe"], strategy="head-only"),
    case("an epoch or two is enough, say 2", epochs=2),
    case("learning rate: 0.00003", learning_rate=3e-5),
    case("batch size should be 24", batch_size=24),
    case("set weight_decay to 0.05 and dropout to 0.1", weight_decay=0.05, dropout=0.1),
    case("use seed 7 for reproducibility", seed=7),
    case("sequences longer than 200 tokens should be truncated", max_length=200),
    case("no warmup and no gradient clipping", warmup_ratio=0.0, max_grad_norm=None),
    case("early stopping: patience 3, watch accuracy", early_stopping={"patience": 3,
                                                                       "metric": "accuracy"}),
    case("how does LoRA compare to full fine-tuning?", question=True),
    case("what's the default number of epochs?", question=True),
    case(["use lora", "is that a good choice for 200 examples?"], question=True,
         strategy="lora"),
    case(["head-only with 3 epochs", "ok, go"], launch=True, strategy="head-only", epochs=3),
    case(["head-only with 3 epochs", "alright, launch"], launch=True, strategy="head-only",
         epochs=3),
    case(["head-only with 3 epochs", "wait, make it 4 epochs"], strategy="head-only", epochs=4),
    case("use sentence-transformers/paraphrase-MiniLM-L3-v2 with full fine-tuning",
         backbone=hf("sentence-transformers/paraphrase-MiniLM-L3-v2"), strategy="full"),
    case("use 'models/my roberta' as the backbone", backbone=hf("models/my roberta")),
    case("retrain with the same settings but 10 epochs", epochs=10),
    case("train on data/sms.csv and report precision, recall and f1",
         dataset=csv("data/sms.csv"),
         metrics=["accuracy", "f1", "confusion-matrix", "precision", "recall"]),
]

ROUND_F = [
    case(["I want to train a spam filter", "my data is in spam.csv", "the text column is "
          "'message' and the label column is 'is_spam'"],
         dataset=csv("spam.csv", "message", "is_spam")),
    case(["train on spam.csv", "what strategy do you recommend?", "ok, use that one"],
         dataset=csv("spam.csv"), strategy="lora"),
    case(["use distilbert-base-uncased with LoRA", "what is alpha?", "set alpha to 32"],
         backbone=hf("distilbert-base-uncased"), strategy=lora(alpha=32)),
    case(["5 epochs, lr 2e-5", "undo", "undo"]),
    case(["full fine-tuning", "freeze the bottom 2 layers instead"], strategy=freeze(2)),
    case(["freeze the bottom 2 layers", "make it 4 layers"], strategy=freeze(4)),
    case(["gradual unfreezing", "unfreeze every 2 epochs instead of every epoch"],
         strategy={"name": "gradual", "every": 2}),
    case("Please train MiniLM head-only on data/topics.csv; topics are in the 'label' column and "
         "the documents in 'text'", strategy="head-only",
         dataset=csv("data/topics.csv", "text", "label")),
    case("Fine-tune xlm-roberta-base on multilingual.jsonl for 2 epochs with a batch size of 8 "
         "and max length 256", backbone=hf("xlm-roberta-base"),
         dataset=jsonl("multilingual.jsonl"), epochs=2, batch_size=8, max_length=256),
    case("head-only, 15 epochs, lr 0.01", strategy="head-only", epochs=15, learning_rate=0.01),
    case("use lora rank 64 with alpha 128 on bert-large-uncased",
         strategy=lora(r=64, alpha=128), backbone=hf("bert-large-uncased")),
    case("no metrics except accuracy", metrics=["accuracy"]),
    case("track accuracy, precision, recall and f1",
         metrics=["accuracy", "f1", "confusion-matrix", "precision", "recall"]),
    case("export only the hugging face model, no model card", exporters=["huggingface"]),
    case("early stopping on validation f1 with patience 2",
         early_stopping={"metric": "f1", "patience": 2}),
    case("keep training even if the score stops improving", early_stopping=None),
    case("I want a quick run: 1 epoch, batch 64", epochs=1, batch_size=64),
    case("use a smaller learning rate of 1e-5 and a larger batch of 64",
         learning_rate=1e-5, batch_size=64),
    case("randomly initialised bert-base-uncased, full training", strategy="full",
         backbone=hf("bert-base-uncased", pretrained=False)),
    case("train from ../data/train.csv with validation from ../data/valid.csv",
         dataset=csv("../data/train.csv", validation_path="../data/valid.csv")),
    case(["train on data/a.jsonl", "field 'body' is the text, 'tag' is the label"],
         dataset=jsonl("data/a.jsonl", "body", "tag")),
    case("what are the trade-offs of freezing more layers?", question=True),
    case("How does the learning rate interact with LoRA?", question=True),
    case(["lora", "why is it the default?"], question=True, strategy="lora"),
    case(["lora, 3 epochs", "sure, start the training"], launch=True, strategy="lora",
         epochs=3),
    case(["lora, 3 epochs", "no, don't start yet. 4 epochs"], strategy="lora", epochs=4),
    case(["lora, 3 epochs", "start"], launch=True, strategy="lora", epochs=3),
    case("start a run with lora and 3 epochs", strategy="lora", epochs=3),
    case("use the HF model google-bert/bert-base-uncased", backbone=hf(
        "google-bert/bert-base-uncased")),
    case("train deberta with the top 4 layers unfrozen", backbone=hf("microsoft/deberta-v3-base"),
         strategy=freeze(8)),
]

ROUND_G = [
    case("Hello, I'm new to this. I have a spreadsheet of customer emails (emails.csv) with an "
         "'email' column and a 'department' column. Can you train something to route them?",
         dataset=csv("emails.csv", "email", "department")),
    case("I have very little data, maybe 50 examples, so keep the pretrained model as is and "
         "only train the top", strategy="head-only"),
    case("lr=3e-4; epochs=4; bs=32; lora r=8 alpha=16", learning_rate=3e-4, epochs=4,
         batch_size=32, strategy=lora(r=8, alpha=16)),
    case("strategy=head-only backbone=distilbert-base-uncased",
         strategy="head-only", backbone=hf("distilbert-base-uncased")),
    case("Please do ULMFiT style training with the bundled MiniLM for 6 epochs",
         strategy="gradual", epochs=6),
    case("freeze the encoder's first three layers", strategy=freeze(3)),
    case("train the last 2 transformer blocks and the head, freeze everything else",
         strategy=freeze(4)),
    case("apply low-rank adapters (r=2)", strategy=lora(r=2)),
    case(["train on data/x.csv", "columns are review_text and rating"],
         dataset=csv("data/x.csv", "review_text", "rating")),
    case(["use roberta-base", "actually use roberta-large"], backbone=hf("roberta-large")),
    case(["lora", "full fine-tuning", "no wait, go back to lora"], strategy="lora"),
    case(["set epochs to 5", "and the learning rate to 5e-5"], epochs=5, learning_rate=5e-5),
    case(["batch size 8", "increase it to 16"], batch_size=16),
    case(["learning rate 1e-4", "that's too high, try 3e-5"], learning_rate=3e-5),
    case("weight decay should be zero", weight_decay=0.0),
    case("use a dropout rate of 30%", dropout=0.3),
    case("fix the random seed to 123", seed=123),
    case("inputs can be up to 320 tokens", max_length=320),
    case("no early stopping; I want the full 10 epochs", early_stopping=None, epochs=10),
    case("also compute recall", metrics=["accuracy", "f1", "confusion-matrix", "recall"]),
    case("what is the bundled model?", question=True),
    case("what happens if I set the learning rate too high?", question=True),
    case(["use lora", "what are the other options?"], question=True, strategy="lora"),
    case(["use gradual unfreezing for 10 epochs", "that looks right, go ahead"], launch=True,
         strategy="gradual", epochs=10),
    case(["use gradual unfreezing for 10 epochs", "hmm, not sure yet"], strategy="gradual",
         epochs=10),
    case("use facebook/roberta-hate-speech-dynabench-r4-target",
         backbone=hf("facebook/roberta-hate-speech-dynabench-r4-target")),
    case("use my fine-tuned model from runs/run-12/model", backbone=hf("runs/run-12/model")),
    case("train with albert", backbone=hf("albert-base-v2")),
    case("train with the default model but freeze all of it except the classifier",
         strategy="head-only"),
    case("fine-tune with lora on data/train.tsv, validation file data/dev.tsv",
         strategy="lora", dataset=csv("data/train.tsv", validation_path="data/dev.tsv")),
]

ROUND_H = [
    case("hey, can you fine-tune bert-base-uncased on data/yelp.csv to predict the stars "
         "column from the review column? 3 epochs is fine",
         backbone=hf("bert-base-uncased"), dataset=csv("data/yelp.csv", "review", "stars"),
         epochs=3),
    case("I'd like LoRA with a rank of eight and an alpha of sixteen", strategy=lora(r=8,
                                                                                    alpha=16)),
    case("use the bundled sample, freeze the bottom 5 blocks, 4 epochs",
         strategy=freeze(5), epochs=4),
    case("only the classifier head should be trainable", strategy="head-only"),
    case("make every layer trainable", strategy="full"),
    case("let's unfreeze one block per epoch, ULMFiT style, for 7 epochs",
         strategy="gradual", epochs=7),
    case(["train on data/support.csv", "text column: 'body'; label column: 'queue'"],
         dataset=csv("data/support.csv", "body", "queue")),
    case(["train on data/support.csv", "actually the labels are in 'team', not 'queue'"],
         dataset=csv("data/support.csv", label="team")),
    case(["use roberta-base", "no no, distilroberta-base"], backbone=hf("distilroberta-base")),
    case(["lora", "r 4", "alpha 8"], strategy=lora(r=4, alpha=8)),
    case(["epochs 2", "oops I meant 20"], epochs=20),
    case(["learning rate 5e-5", "halve it"], learning_rate=2.5e-5),
    case("train for three epochs using a 1e-4 learning rate", epochs=3, learning_rate=1e-4),
    case("mini-batches of 16 examples", batch_size=16),
    case("apply 0.1 weight decay", weight_decay=0.1),
    case("set the dropout probability to 0.25", dropout=0.25),
    case("use 2024 as the seed", seed=2024),
    case("truncate inputs at 96 tokens", max_length=96),
    case("stop early if f1 hasn't improved in 2 epochs",
         early_stopping={"metric": "f1", "patience": 2}),
    case("skip the confusion matrix and the model card", metrics=["accuracy", "f1"],
         exporters=["huggingface"]),
    case("what's the difference between an epoch and a batch?", question=True),
    case("how do I pick the rank for LoRA?", question=True),
    case(["train with lora for 3 epochs", "yes, do it"], launch=True, strategy="lora",
         epochs=3),
    case(["train with lora for 3 epochs", "perfect"], launch=True, strategy="lora", epochs=3),
    case(["train with lora for 3 epochs", "hmm no, wait"], strategy="lora", epochs=3),
    case("use intfloat/e5-base-v2 with head-only training",
         backbone=hf("intfloat/e5-base-v2"), strategy="head-only"),
    case("load the backbone from /mnt/models/tiny-bert-sst2", backbone=hf(
        "/mnt/models/tiny-bert-sst2")),
    case("roberta large with lora r 16", backbone=hf("roberta-large"), strategy=lora(r=16)),
    case("fine-tune on the sample reviews with electra", backbone=hf(
        "google/electra-base-discriminator")),
    case("train on data/labels.jsonl, hold out 5% for validation",
         dataset=jsonl("data/labels.jsonl") | {"validation_split": 0.05}),
]

ROUND_I = [
    case(["I have a CSV of product reviews at data/products.csv", "the text is in 'review' and "
          "the rating in 'stars'", "use distilbert and train just the head"],
         dataset=csv("data/products.csv", "review", "stars"),
         backbone=hf("distilbert-base-uncased"), strategy="head-only"),
    case(["fine-tune minilm on my tickets (data/t.csv)", "use 3 epochs", "and lr 5e-4"],
         dataset=csv("data/t.csv"), epochs=3, learning_rate=5e-4),
    case(["what strategies are there?", "ok, let's use gradual unfreezing"], strategy="gradual"),
    case(["use LoRA", "what's a good rank?", "let's go with 16"], strategy=lora(r=16)),
    case(["train on data/a.csv with lora", "swap the data for data/b.csv"],
         dataset=csv("data/b.csv"), strategy="lora"),
    case(["head only, 10 epochs", "too many epochs, 5 please"], strategy="head-only", epochs=5),
    case(["head only", "add early stopping with patience 2"], strategy="head-only",
         early_stopping={"patience": 2}),
    case(["use bert-base-uncased", "and full fine-tuning", "go"], launch=True,
         backbone=hf("bert-base-uncased"), strategy="full"),
    case(["use bert-base-uncased", "and full fine-tuning", "what learning rate will it use?"],
         question=True, backbone=hf("bert-base-uncased"), strategy="full"),
    case(["batch size 64", "that won't fit in memory, use 16"], batch_size=16),
    case(["max length 512", "shorter, 128"], max_length=128),
    case(["seed 1", "seed 2 instead"], seed=2),
    case(["lora with dropout 0.2"], strategy=lora(dropout=0.2)),
    case("train the model with a 0.2 dropout and lora", strategy="lora", dropout=0.2),
    case("could you please use roberta-base instead of the default model?",
         backbone=hf("roberta-base")),
    case("I'd prefer not to freeze any layers", strategy="full"),
    case("freeze all layers except the last one", strategy="head-only"),
    case("leave the embeddings frozen and train everything above them", strategy=freeze(0)),
    case("Let the bottom 4 layers stay fixed", strategy=freeze(4)),
    case("use parameter efficient tuning with rank 8", strategy=lora(r=8)),
    case("train 4 epochs with early stopping off", epochs=4, early_stopping=None),
    case("validation loss should drive early stopping", early_stopping={"metric": "loss"}),
    case("report only f1", metrics=["f1"]),
    case("also export the model card", exporters=["huggingface", "model-card"]),
    case(["lora", "now run it"], launch=True, strategy="lora"),
    case(["lora", "launch!"], launch=True, strategy="lora"),
    case("go ahead and train with lora", strategy="lora"),
    case("explain the r parameter", question=True),
    case("Why does head-only use a higher learning rate?", question=True),
    case("compare gradual unfreezing and freeze-bottom", question=True),
]

ROUND_J = [
    case("Train a model to detect toxic comments in data/toxic.csv; comment_text is the input "
         "and toxic is the label", dataset=csv("data/toxic.csv", "comment_text", "toxic")),
    case("Fine-tune with LoRA: r=32, lora_alpha=64, lora_dropout=0.1",
         strategy=lora(r=32, alpha=64, dropout=0.1)),
    case("freeze the bottom 6 layers of roberta-base and train the rest for 4 epochs",
         backbone=hf("roberta-base"), strategy=freeze(6), epochs=4),
    case("the pretrained weights should not change; train a classifier over them",
         strategy="head-only"),
    case("I want all weights updated", strategy="full"),
    case("progressive unfreezing with a lr decay factor of 2.5",
         strategy={"name": "gradual", "factor": 2.5}),
    case("use sample data, LoRA rank 4, 2 epochs, seed 11", strategy=lora(r=4), epochs=2,
         seed=11),
    case(["train on data/train.csv", "also use data/val.csv as the validation set"],
         dataset=csv("data/train.csv", validation_path="data/val.csv")),
    case(["train on data/train.csv", "use 'headline' for the text"],
         dataset=csv("data/train.csv", text="headline")),
    case(["use bert-base-cased", "switch the model to roberta-base"], backbone=hf("roberta-base")),
    case(["full fine-tuning", "too slow, use lora instead"], strategy="lora"),
    case(["epochs 10", "reduce that to 6"], epochs=6),
    case(["batch size 16", "double it"], batch_size=32),
    case(["lr 1e-3", "a bit lower, 5e-4"], learning_rate=5e-4),
    case("lr 2e-5 for full fine-tuning of bert-base-uncased with batch size 32 and 3 epochs",
         learning_rate=2e-5, strategy="full", backbone=hf("bert-base-uncased"), batch_size=32,
         epochs=3),
    case("weight decay 1e-2 and no dropout", weight_decay=0.01, dropout=0.0),
    case("truncate everything to 256 tokens", max_length=256),
    case("turn early stopping off and train 12 epochs", early_stopping=None, epochs=12),
    case("I care about macro F1, please use it for early stopping",
         early_stopping={"metric": "f1"}),
    case("don't export anything, this is just a test", exporters=[]),
    case("what does weight decay do exactly?", question=True),
    case("is a batch size of 64 too big for a cpu?", question=True),
    case(["head only", "what's the downside?"], question=True, strategy="head-only"),
    case(["lora with 2 epochs", "great, let's train"], launch=True, strategy="lora", epochs=2),
    case(["lora with 2 epochs", "yes, start the run"], launch=True, strategy="lora", epochs=2),
    case(["lora with 2 epochs", "nope"], strategy="lora", epochs=2),
    case("use cardiffnlp/twitter-roberta-base-sentiment-latest with lora",
         backbone=hf("cardiffnlp/twitter-roberta-base-sentiment-latest"), strategy="lora"),
    case("train from the checkpoint at ./outputs/run3/final", backbone=hf("./outputs/run3/final")),
    case("deberta-v3-small with the default strategy", backbone=hf("microsoft/deberta-v3-small")),
    case("train on data/reviews.csv (text: review, label: rating) with MiniLM and lora",
         dataset=csv("data/reviews.csv", "review", "rating"), strategy="lora"),
]

ROUND_K = [
    case("sentiment classification on data/imdb_small.csv with distilbert-base-uncased, "
         "LoRA r=8, 2 epochs, lr 5e-4", dataset=csv("data/imdb_small.csv"),
         backbone=hf("distilbert-base-uncased"), strategy=lora(r=8), epochs=2,
         learning_rate=5e-4),
    case("Use the text in column 'tweet' to predict column 'label' from twitter.csv",
         dataset=csv("twitter.csv", "tweet", "label")),
    case("my jsonl file data/qa.jsonl has 'question' and 'category' keys",
         dataset=jsonl("data/qa.jsonl", "question", "category")),
    case("keep bert frozen, just train a logistic regression on top", strategy="head-only"),
    case("fine-tune the complete network", strategy="full"),
    case("unfreeze progressively, 1 layer group per 2 epochs",
         strategy={"name": "gradual", "every": 2}),
    case("freeze the embedding layer and the first 4 encoder layers", strategy=freeze(4)),
    case("freeze the first half of the network", strategy=freeze(3)),
    case("low-rank adaptation, rank 16, scaling factor 32, 10% dropout on the adapters",
         strategy=lora(r=16, alpha=32, dropout=0.1)),
    case(["use lora", "with r=2"], strategy=lora(r=2)),
    case(["3 epochs", "hmm, 6 might be better"], epochs=6),
    case(["lr 1e-4", "let's try 3e-4"], learning_rate=3e-4),
    case(["use roberta-base", "never mind, keep the default model"],
         backbone={"name": "minilm-l6"}),
    case(["train on data/a.csv", "oops, wrong file: data/c.csv"], dataset=csv("data/c.csv")),
    case("bs 8, lr 2e-5, 4 epochs, max len 384", batch_size=8, learning_rate=2e-5, epochs=4,
         max_length=384),
    case("weight decay 0.0", weight_decay=0.0),
    case("a dropout of zero point one", dropout=0.1),
    case("use seed number 5", seed=5),
    case("warmup for 5% of the steps", warmup_ratio=0.05),
    case("early stopping with patience three", early_stopping={"patience": 3}),
    case("train without early stopping and without weight decay", early_stopping=None,
         weight_decay=0.0),
    case("please list the metrics you compute", question=True),
    case("what would you use for 10k examples?", question=True),
    case(["gradual", "explain how it works"], question=True, strategy="gradual"),
    case(["freeze the bottom 2 layers", "start it please"], launch=True, strategy=freeze(2)),
    case(["freeze the bottom 2 layers", "begin"], launch=True, strategy=freeze(2)),
    case(["freeze the bottom 2 layers", "stop, not yet"], strategy=freeze(2)),
    case("train the model sentence-transformers/all-MiniLM-L12-v2 with head-only",
         backbone=hf("sentence-transformers/all-MiniLM-L12-v2"), strategy="head-only"),
    case("use \"./models/bert tuned\" as the model", backbone=hf("./models/bert tuned")),
    case("train on tickets.csv with the label column 'Category' and text column 'Body' "
         "using full fine-tuning", dataset=csv("tickets.csv", "Body", "Category"),
         strategy="full"),
]

ROUND_L = [
    case("Fine-tune on data/reviews.csv where the review text is in 'content' and the "
         "sentiment label is in 'polarity'", dataset=csv("data/reviews.csv", "content",
                                                           "polarity")),
    case("train a spam detector on sms.tsv (message -> label)",
         dataset=csv("sms.tsv", "message", "label")),
    case("use bert-base-uncased but keep its weights frozen; only the new head learns",
         backbone=hf("bert-base-uncased"), strategy="head-only"),
    case("use full-parameter fine-tuning", strategy="full"),
    case("adapter-based tuning please, nothing else trainable", strategy="lora"),
    case("freeze layers 1 through 3", strategy=freeze(3)),
    case("freeze all but the top three transformer layers", strategy=freeze(3)),
    case("gradually unfreeze the network, starting with the classifier", strategy="gradual"),
    case("go with peft/lora, rank 4", strategy=lora(r=4)),
    case(["train on data/x.csv", "label is 'y_true'"], dataset=csv("data/x.csv",
                                                                label="y_true")),
    case(["use lora for 3 epochs", "change lora to full fine-tuning"], strategy="full",
         epochs=3),
    case(["batch size 32", "no wait, make the batch 8"], batch_size=8),
    case(["dropout 0.3", "remove the dropout"], dropout=0.0),
    case(["patience 5", "less patience, 2"], early_stopping={"patience": 2}),
    case("two epochs, batch size of eight, learning rate of five e minus five", epochs=2,
         batch_size=8, learning_rate=5e-5),
    case("lr 0.0005 and wd 0.01", learning_rate=5e-4),
    case("max input length of 200 and seed 3", max_length=200, seed=3),
    case("no warm-up please", warmup_ratio=0.0),
    case("use gradient clipping of 2.0", max_grad_norm=2.0),
    case("evaluate with accuracy and f1 only", metrics=["accuracy", "f1"]),
    case("what's better for a tiny dataset: lora or head-only?", question=True),
    case("why would training diverge?", question=True),
    case(["use lora", "what does the adapter actually learn?"], question=True, strategy="lora"),
    case(["head-only for 4 epochs", "all good, start"], launch=True, strategy="head-only",
         epochs=4),
    case(["head-only for 4 epochs", "yes please go"], launch=True, strategy="head-only",
         epochs=4),
    case(["head-only for 4 epochs", "don't start, I'll come back later"], strategy="head-only",
         epochs=4),
    case("use huawei-noah/TinyBERT_General_4L_312D", backbone=hf(
        "huawei-noah/TinyBERT_General_4L_312D")),
    case("use distilbert multilingual", backbone=hf("distilbert-base-multilingual-cased")),
    case("fine-tune the bundled minilm on my_data.jsonl", dataset=jsonl("my_data.jsonl")),
    case(["train on data/z.csv", "the columns are 'utterance' and 'intent'"],
         dataset=csv("data/z.csv", "utterance", "intent")),
]

ROUND_M = [
    case("train just the top classifier and keep everything below it frozen",
         strategy="head-only"),
    case("keep the pre-trained encoder fixed", strategy="head-only"),
    case("treat the model as a fixed feature extractor", strategy="head-only"),
    case("do linear probing", strategy="head-only"),
    case("unfreeze slowly, layer by layer", strategy="gradual"),
    case("ULMFiT", strategy="gradual"),
    case("use an adapter with r 16 and alpha 32", strategy=lora(r=16, alpha=32)),
    case("LoRA, r=4, alpha=8", strategy=lora(r=4, alpha=8)),
    case("parameter efficient please", strategy="lora"),
    case("fine-tune every weight", strategy="full"),
    case("freeze the first three layers", strategy=freeze(3)),
    case("freeze the embeddings plus the first block", strategy=freeze(1)),
    case("eight epochs", epochs=8),
    case("learning-rate 4e-5", learning_rate=4e-5),
    case("learning rate should be 0.0002", learning_rate=2e-4),
    case("use batches of sixty-four", batch_size=64),
    case("batch size = 12", batch_size=12),
    case("weight decay 0.005", weight_decay=0.005),
    case("without dropout", dropout=0.0),
    case("seed 77", seed=77),
    case("cut texts to 48 tokens", max_length=48),
    case("use data/emails.csv; subject is the text, folder is the label",
         dataset=csv("data/emails.csv", "subject", "folder")),
    case("the sample dataset", dataset={"name": "sample-reviews"}),
    case("use microsoft/MiniLM-L12-H384-uncased", backbone=hf(
        "microsoft/MiniLM-L12-H384-uncased")),
    case(["use lora", "actually, full fine-tuning"], strategy="full"),
    case(["5 epochs", "make it 3"], epochs=3),
    case(["use gradual unfreezing", "undo that"]),
    case("not gradual; lora", strategy="lora"),
    case("fine-tune roberta-base and start training", backbone=hf("roberta-base")),
    case(["fine-tune roberta-base", "start training"], launch=True,
         backbone=hf("roberta-base")),
]

ROUND_N = [
    case("fine-tune distilbert-base-uncased on data/support.csv with LoRA (r=8) for 4 epochs",
         backbone=hf("distilbert-base-uncased"), dataset=csv("data/support.csv"),
         strategy=lora(r=8), epochs=4),
    case("only train the final classification layer", strategy="head-only"),
    case("freeze the pretrained model entirely and fit just the head", strategy="head-only"),
    case("train end to end with a learning rate of 2e-5", strategy="full", learning_rate=2e-5),
    case("unfreeze the layers one at a time from the top", strategy="gradual"),
    case("freeze the bottom half of bert-base-uncased", backbone=hf("bert-base-uncased"),
         strategy=freeze(6)),
    case("lora adapters with rank 2", strategy=lora(r=2)),
    case(["train on data/feedback.jsonl", "the text is under 'comment', labels under 'mood'"],
         dataset=jsonl("data/feedback.jsonl", "comment", "mood")),
    case("train on data/feedback.csv and predict the mood column from the comment column",
         dataset=csv("data/feedback.csv", "comment", "mood")),
    case(["use roberta-base", "switch back to the default backbone"],
         backbone={"name": "minilm-l6"}),
    case(["lora", "actually gradual unfreezing, every 2 epochs"],
         strategy={"name": "gradual", "every": 2}),
    case(["epochs 4", "make it 5"], epochs=5),
    case(["lr 5e-5", "undo that"]),
    case("4 epochs, batch size 16, lr 3e-5, weight decay 0.01, dropout 0.1, seed 0",
         epochs=4, batch_size=16, learning_rate=3e-5, dropout=0.1, seed=0),
    case("max length 100 tokens", max_length=100),
    case("early stopping patience of 2 epochs", early_stopping={"patience": 2}),
    case("don't use early stopping", early_stopping=None),
    case("report precision too", metrics=["accuracy", "f1", "confusion-matrix", "precision"]),
    case("no model card please", exporters=["huggingface"]),
    case("how many epochs do I need?", question=True),
    case("what's gradual unfreezing good for?", question=True),
    case("which is faster, lora or full fine-tuning?", question=True),
    case(["lora for 3 epochs", "yes"], launch=True, strategy="lora", epochs=3),
    case(["lora for 3 epochs", "go for it"], launch=True, strategy="lora", epochs=3),
    case(["lora for 3 epochs", "no thanks"], strategy="lora", epochs=3),
    case("train lora on data/x.csv and launch it immediately", strategy="lora",
         dataset=csv("data/x.csv")),
    case("use bert-base-multilingual-cased", backbone=hf("bert-base-multilingual-cased")),
    case("use the model in '/home/me/my models/ticket-bert'",
         backbone=hf("/home/me/my models/ticket-bert")),
    case("use a full fine-tune of minilm on the demo data, 3 epochs", strategy="full",
         epochs=3),
    case("hold out 20% for validation on data/t.csv",
         dataset=csv("data/t.csv", validation_split=0.2)),
]

HELD_OUT = (ROUND_A + ROUND_B + ROUND_C + ROUND_D + ROUND_E + ROUND_F + ROUND_G + ROUND_H
            + ROUND_I + ROUND_J + ROUND_K + ROUND_L + ROUND_M + ROUND_N)


# ------------------------------------------------------------------------------- checking


@pytest.fixture(scope="module")
def plugins():
    return load_plugins()


@pytest.fixture
def data_files(isolated: Path) -> Path:
    """Files in the working folder: one with common column names, one that leaves them open."""
    data = isolated / "data"
    data.mkdir(exist_ok=True)
    rows = "\n".join(f"ticket {i} text,{'billing' if i % 2 else 'bug'}" for i in range(12))
    (data / "tickets.csv").write_text(f"message,category\n{rows}\n")
    rows = "\n".join(f"body {i},{'a' if i % 2 else 'b'},{i}" for i in range(12))
    (data / "raw.csv").write_text(f"body_text,intent_code,id\n{rows}\n")
    lines = [json.dumps({"text": f"review {i}", "label": "pos" if i % 2 else "neg"})
             for i in range(12)]
    (data / "reviews.jsonl").write_text("\n".join(lines) + "\n")
    return data


def expected_spec(expect: dict[str, Any], manager: Any) -> dict[str, Any]:
    """The bundled default with the case's changes, resolved like any spec."""
    raw = deepcopy(DEFAULT_SPEC)
    training: dict[str, Any] = {}
    for key, value in expect.items():
        if key in SLOTS:
            raw[key] = value
        else:
            training[key] = value
    raw["training"] = training
    return parse_spec(raw, manager).to_dict()


def converse(case_: Case, manager: Any) -> tuple[Assistant, list[Any]]:
    assistant = Assistant(manager)
    return assistant, [assistant.respond(turn) for turn in case_.turns]


def check(case_: Case, manager: Any, request: pytest.FixtureRequest) -> None:
    if case_.files:
        request.getfixturevalue("data_files")
    assistant, replies = converse(case_, manager)
    want = expected_spec(case_.expect, manager)
    assert replies[-1].spec == want, (
        f"{case_.turns}\nlast reply: {replies[-1].text}")
    assert assistant.spec() == want
    for reply in replies[:-1]:
        assert reply.action is None, f"launched before the last turn: {case_.turns}"
    assert replies[-1].action == ("launch" if case_.launch else None), replies[-1].text
    if case_.question:
        text = replies[-1].text
        assert text.strip() and not text.startswith("I did not catch"), text


@pytest.mark.parametrize("case_", TABLE)
def test_phrasings(case_: Case, plugins: Any, request: pytest.FixtureRequest) -> None:
    check(case_, plugins, request)


@pytest.mark.parametrize("case_", HELD_OUT)
def test_held_out_phrasings(case_: Case, plugins: Any, request: pytest.FixtureRequest) -> None:
    check(case_, plugins, request)


def test_table_is_broad() -> None:
    assert len(TABLE) >= 150
    assert sum(len(c.values[0].turns) > 1 for c in TABLE) >= 40


def test_questions_change_nothing(plugins: Any) -> None:
    assistant = Assistant(plugins)
    assistant.respond("use lora with r 16 for 3 epochs")
    before = deepcopy(assistant.draft)
    for question in ("what is gradual unfreezing?", "which strategy should I use?",
                     "why a lower learning rate?", "what is a linear probe?",
                     "should I use full fine-tuning?", "what does alpha do?"):
        reply = assistant.respond(question)
        assert reply.text.strip() and reply.action is None
        assert assistant.draft == before, question


def test_recommendation_uses_the_data(plugins: Any, data_files: Path) -> None:
    assistant = Assistant(plugins)
    assistant.respond("train on data/tickets.csv")
    said = assistant.respond("which strategy should I use?").text
    assert "12 examples" in said and "head-only" in said


def test_ambiguous_columns_are_asked_one_at_a_time(plugins: Any, data_files: Path) -> None:
    assistant = Assistant(plugins)
    reply = assistant.respond("train on data/raw.csv")
    # the values suggest the label column (few repeated values): offered first, still asked
    assert "label" in reply.text and reply.choices == ["intent_code", "body_text", "id"]
    # the label known, body_text is the only column of free text (id counts up): taken, said
    reply = assistant.respond("intent_code")
    # the id holds numbers, never the text: the one column of words left is taken, and said
    assert "body_text (the only column of text)" in reply.text, reply.text
    assert "Shall I start it?" in reply.text
    assert assistant.spec()["dataset"]["text_column"] == "body_text"


def test_form_edits_and_undo(plugins: Any) -> None:
    assistant = Assistant(plugins)
    assistant.set("training.epochs", 4)
    assistant.respond("use full fine-tuning")
    assert assistant.spec()["strategy"]["name"] == "full"
    assistant.respond("undo that")
    assert assistant.spec()["strategy"]["name"] == "lora"
    assert assistant.spec()["training"]["epochs"] == 4


def test_an_invalid_value_is_refused_and_the_rest_applied(plugins: Any) -> None:
    assistant = Assistant(plugins)
    reply = assistant.respond("use lora with 5 epochs and a batch size of 0")
    assert assistant.spec()["training"]["epochs"] == 5
    assert assistant.spec()["training"]["batch_size"] == 16
    assert "batch_size" in reply.text


@pytest.mark.parametrize("said, task, data, metric", [
    ("I want named entity recognition", "token-classification", "sample-ner", "entity-f1"),
    ("let's do instruction tuning", "causal-lm", "sample-instructions", "perplexity"),
    ("classify images of shapes", "image-classification", "sample-shapes", "accuracy"),
])
def test_naming_a_task_swaps_in_the_parts_that_can_do_it(plugins: Any, said: str, task: str,
                                                          data: str, metric: str) -> None:
    assistant = Assistant(plugins)
    reply = assistant.respond(said)
    draft = assistant.draft
    assert draft["task"] == task and draft["dataset"]["name"] == data
    assert metric in draft["metrics"]
    assert f"task: {task}" in reply.text


def test_a_task_without_a_bundled_model_asks_for_one_and_keeps_the_rest(plugins: Any) -> None:
    assistant = Assistant(plugins)
    reply = assistant.respond("classify images")
    assert "Which model shall I fine-tune for image-classification" in reply.text
    assistant.respond("train for 3 epochs")  # taken while the model is still to choose
    assert assistant.draft["training"]["epochs"] == 3
    assistant.respond("use the model at ./my-vit")
    spec = assistant.spec()
    assert spec["task"] == "image-classification"
    assert spec["backbone"] == {"name": "hf", "model": "./my-vit", "revision": None,
                                "trust_remote_code": False, "pretrained": True}
    assistant.respond("back to text classification")
    assert assistant.spec()["dataset"]["name"] == "sample-reviews"


# ------------------------------------------------------------------------------- the terminal

# conversations sent through the real `tunekit chat --json`: every kind of reading, several
# turns, and confirmations that are not given (a confirmed one would start a real training)
TERMINAL = [c for c in TABLE if c.values[0].turns in (
    ["freeze embeddings and first two blocks"],
    ["train only the classifier on top"],
    ["LoRA r=16 alpha 32"],
    ["twenty epochs with a batch size of sixteen"],
    ["weight decay .05"],
    ["stop if validation accuracy doesn't improve for 4 epochs"],
    ["train on data/tickets.csv, text column is message, labels are in category"],
    ["predict intent from utterance in \"my data/chat logs.csv\""],
    ["use sentence-transformers/all-mpnet-base-v2"],
    ["start from my checkpoint in ./checkpoints/bert-ft"],
    ["use roberta-base and lora", "make it 2 epochs", "actually 3"],
    ["use lora with r 16", "head only", "undo"],
    ["batch size 16", "use a batch size of 64 instead"],
    ["use lora with r 16", "why that learning rate?"],
    ["train distilbert-base-uncased on data/x.csv and start it"],
    ["use lora", "yes, but 3 epochs"],
    ["use lora", "what is lora?", "ok"],
    ["use lora", "not yet"],
    ["train on data/raw.csv", "yes"],
    ["no confusion matrix"],
)]


def tunekit_command() -> list[str]:
    script = Path(sys.executable).parent / "tunekit"
    return [str(script)] if script.exists() else [shutil.which("tunekit") or "tunekit"]


def test_terminal_table_is_representative() -> None:
    assert len(TERMINAL) >= 15
    assert sum(len(c.values[0].turns) > 1 for c in TERMINAL) >= 5


@pytest.mark.parametrize("case_", TERMINAL)
def test_chat_json(case_: Case, plugins: Any, isolated: Path,
                   request: pytest.FixtureRequest) -> None:
    if case_.files:
        request.getfixturevalue("data_files")
    registry = isolated / "chat-registry.db"
    env = {**os.environ, "TUNEKIT_REGISTRY": str(registry)}
    done = subprocess.run([*tunekit_command(), "chat", "--json"], input="\n".join(case_.turns)
                          + "\n", capture_output=True, text=True, env=env, cwd=isolated,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected_spec(case_.expect, plugins), done.stderr
    listed = subprocess.run([*tunekit_command(), "runs", "list", "--json"], capture_output=True,
                            text=True, env=env, cwd=isolated, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []


# ------------------------------------------------------------------------------- tools

# The tools around a run: the data check answers at once; the learning-rate finder, a bake-off
# and a sweep are offered and start only on the turn that accepts the offer (a yes, or the
# offer's choice), as a run starts only when confirmed.


@dataclass
class ToolCase:
    turns: list[str]
    action: str | None  # the last turn's action
    arguments: dict[str, Any]
    expect: dict[str, Any]  # the run afterwards, as changes to the bundled default


def tool(turns: list[str], action: str | None, arguments: dict[str, Any] | None = None,
         **expect: Any) -> Any:
    return pytest.param(ToolCase(turns, action, arguments or {}, expect),
                        id=" / ".join(turns)[:80])


EVERY = ["full", "head-only", "lora", "gradual"]
LR_FIND = {"steps": 200}

TOOLS = [
    tool(["find a good learning rate", "yes"], "lr-find", LR_FIND),
    tool(["what learning rate should I use? run the lr finder", "go ahead"], "lr-find", LR_FIND),
    tool(["what learning rate should I use?", "Run the learning-rate finder"], "lr-find",
         LR_FIND),
    tool(["use head-only", "run the learning-rate range test", "do it"], "lr-find", LR_FIND,
         strategy="head-only"),
    tool(["find a good learning rate", "run the lr finder"], "lr-find", LR_FIND),
    tool(["compare the strategies on my data", "yes"], "bakeoff",
         {"strategies": EVERY, "scratch": False}),
    tool(["run a bake-off", "Start the bake-off"], "bakeoff",
         {"strategies": EVERY, "scratch": False}),
    tool(["which strategy is best for my data? try them all", "sure"], "bakeoff",
         {"strategies": EVERY, "scratch": False}),
    tool(["run a bake-off of lora and head-only, and from scratch", "yes please"], "bakeoff",
         {"strategies": ["lora", "head-only"], "scratch": True}),
    tool(["try learning rates 1e-4, 3e-4 and 1e-3", "yes"], "sweep",
         {"space": {"training.learning_rate": [1e-4, 3e-4, 1e-3]}, "sampler": "grid",
          "trials": 3}),
    tool(["search the learning rate between 1e-5 and 1e-3 with 10 trials", "go"], "sweep",
         {"space": {"training.learning_rate": {"low": 1e-5, "high": 1e-3, "log": True}},
          "sampler": "tpe", "trials": 10}),
    tool(["grid search r 4 8 16", "yes"], "sweep",
         {"space": {"strategy.r": [4, 8, 16]}, "sampler": "grid", "trials": 3}),
    tool(["try 2, 3 and 4 epochs with lr 1e-4 or 3e-4", "Start the sweep"], "sweep",
         {"space": {"training.epochs": [2, 3, 4], "training.learning_rate": [1e-4, 3e-4]},
          "sampler": "grid", "trials": 6}),
    tool(["random search weight decay 0, 0.01 and 0.1 in 2 trials", "ok"], "sweep",
         {"space": {"training.weight_decay": [0, 0.01, 0.1]}, "sampler": "random",
          "trials": 2}),
    # declined, or something else said first: nothing starts
    tool(["find a good learning rate", "no"], None),
    tool(["run a bake-off", "not now"], None),
    tool(["try learning rates 1e-4 and 3e-4", "start training"], None),
    tool(["grid search r 4 8", "what is r?", "yes"], None),
    # a yes answers what was shown last: here the run, not the sweep offered before it
    tool(["try learning rates 1e-4 and 3e-4", "use 5 epochs", "yes"], "launch", epochs=5),
    tool(["try lr 1e-4"], None, learning_rate=1e-4),  # one value sets it
    tool(["learning rate 1e-4 is too high, try 3e-5"], None, learning_rate=3e-5),
]


@pytest.mark.parametrize("case_", TOOLS)
def test_tools_start_only_when_accepted(case_: ToolCase, plugins: Any) -> None:
    assistant = Assistant(plugins)
    replies = [assistant.respond(turn) for turn in case_.turns]
    for turn, reply in zip(case_.turns[:-1], replies[:-1], strict=True):
        assert reply.action is None, f"{turn!r} started {reply.action}"
    last = replies[-1]
    assert last.action == case_.action, last.text
    assert last.arguments == case_.arguments
    assert last.spec == expected_spec(case_.expect, plugins) == assistant.spec()


def test_offers_say_what_will_train_and_how_long(plugins: Any) -> None:
    assistant = Assistant(plugins)
    said = assistant.respond("what learning rate should I use?")
    assert "10 to 100 times lower" in said.text  # the advice first
    assert "throwaway copy" in said.text and said.text.endswith("Shall I run it?")
    assert said.choices == ["Run the learning-rate finder", "Not now"]
    said = assistant.respond("run a bake-off and from scratch")
    assert "full, head-only, lora, gradual and scratch" in said.text and "5 trainings" in said.text
    said = assistant.respond("grid search r 4 and 0")
    assert said.text.startswith("I cannot run that sweep") and "strategy.r=0" in said.text
    said = assistant.respond("sweep the learning rate from 1e-5 to 1e-3 with a grid")
    assert "grid needs a finite list of values" in said.text and not said.choices


def imbalanced(folder: Path) -> Path:
    rows = [f"the parcel {i} arrived fine and on time,ok" for i in range(60)]
    rows += [f"box {i} was crushed and the glass broke,damaged" for i in range(15)]
    (folder / "parcels.csv").write_text("text,label\n" + "\n".join(rows) + "\n")
    return folder / "parcels.csv"


def contradictory(folder: Path) -> Path:
    rows = [f"review {i} says it is {'great' if i % 2 else 'awful'},{'pos' if i % 2 else 'neg'}"
            for i in range(30)]
    rows += [f"review {i} says it is {'great' if i % 2 else 'awful'},{'neg' if i % 2 else 'pos'}"
             for i in range(10)]  # ten texts again with the other label
    (folder / "contradictory.csv").write_text("text,label\n" + "\n".join(rows) + "\n")
    return folder / "contradictory.csv"


@pytest.mark.parametrize("ask", ["check my data", "is my data ok?",
                                 "any problems with the data?", "can you validate the dataset",
                                 "run the data check"])
def test_check_my_data_says_the_findings_and_offers_a_fix(ask: str, plugins: Any,
                                                          isolated: Path) -> None:
    imbalanced(isolated)
    assistant = Assistant(plugins, base_dir=isolated)
    assistant.respond("train on parcels.csv")
    before = deepcopy(assistant.draft)
    said = assistant.respond(ask)
    assert said.action is None and assistant.draft == before  # a check changes nothing
    assert said.text.startswith("I checked the data (")
    assert "No blocking problems" in said.text and "imbalanced" in said.text
    assert "_What to do:_ Weigh the loss by class" in said.text
    assert said.choices == ["Use balanced class weights"]
    fixed = assistant.respond("yes")  # the one fix offered: a yes applies it and shows the run
    assert fixed.action is None and "Shall I start it?" in fixed.text
    assert assistant.spec()["training"]["class_weights"] == "balanced"


def test_blocking_findings_come_first_and_train_anyway_is_a_choice(plugins: Any,
                                                                    isolated: Path) -> None:
    contradictory(isolated)
    assistant = Assistant(plugins, base_dir=isolated)
    said = assistant.respond("check contradictory.csv")  # that file becomes the data, checked
    assert assistant.spec()["dataset"]["path"] == "contradictory.csv"
    assert said.text.index("Blocking") < said.text.index("Warnings")
    assert "appear with different labels" in said.text and said.choices == ["Train anyway"]
    shown = assistant.respond("Train anyway")
    assert shown.action is None and "blocking problems are only reported" in shown.text
    started = assistant.respond("yes")
    assert started.action == "launch" and started.spec["training"]["data_check"] == "warn"


def test_a_clean_file_says_so(plugins: Any) -> None:
    said = Assistant(plugins).respond("is the data clean?")
    assert "No problems found" in said.text and "540 training" in said.text
    assert said.choices == []


# the tools through the real `tunekit chat --json`, on the tiny test model: confirmed, they run
# (the finder's rate is then offered and taken; a sweep's trials are recorded); declined, not



def chat(folder: Path, turns: list[str]) -> tuple[dict[str, Any], str]:
    env = {**os.environ, "TUNEKIT_REGISTRY": str(folder / "registry.db"), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([*tunekit_command(), "--plugins-dir", str(folder / "plugins"), "chat",
                           "--json"], input="\n".join(turns) + "\n", capture_output=True,
                          text=True, env=env, cwd=folder, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


@pytest.fixture
def tiny_project(isolated: Path) -> Path:
    from tunekit.testing import write_text_csv

    (isolated / "plugins").mkdir()
    (isolated / "plugins" / "tiny.py").write_text(TINY_PLUGIN)
    write_text_csv(isolated / "reviews.csv", n=40)
    return isolated


def test_chat_json_runs_the_finder_and_a_sweep_once_confirmed(tiny_project: Path) -> None:
    from tunekit.registry import Registry

    setup = "train on reviews.csv with tiny-bert, full fine-tuning for 1 epoch"
    spec, said = chat(tiny_project, [setup, "find a good learning rate", "yes", "yes"])
    assert "The learning-rate finder suggests" in said, said
    suggested = float(said.split("suggests **", 1)[1].split("**", 1)[0])
    assert spec["training"]["learning_rate"] == suggested
    assert (tiny_project / "lr-find.png").read_bytes()[:4] == b"\x89PNG"

    spec, said = chat(tiny_project, [setup, "run a bake-off", "no",
                                     "try learning rates 1e-4 and 1e-3", "yes", "no"])
    registry = Registry.open(tiny_project / "registry.db")
    sweeps = registry.sweeps()
    assert [s.kind for s in sweeps] == ["sweep"], said  # the bake-off was declined
    runs = registry.sweep_runs(sweeps[0].id)
    assert [r.trial_label for r in runs] == ["training.learning_rate=0.0001",
                                             "training.learning_rate=0.001"]
    assert "Use the best values" in said
    assert spec["training"]["learning_rate"] is None  # the best values were declined
