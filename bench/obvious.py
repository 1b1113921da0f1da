"""The obvious implementation of `steplens tag`: the baseline that ``bench_speed`` runs beside it.

What a competent engineer would write first with the standard libraries, doing the same job with
the same models (so its cost, not its accuracy, is what differs):

1. spaCy's full pipeline (``spacy.load``, ``nlp.pipe``) for sentences;
2. sentence-transformers, fp32, batch 32: sentence embeddings, cosine to one prototype per step
   (the mean of the step's name, description and examples), best step per sentence;
3. two separate fp32 Hugging Face passes, batch 32, in input order (``AutoModel`` with the
   signals model's fine-tuned top layers, mean pooling and the linear head: the same cost as an
   ``AutoModelForSequenceClassification`` forward): one for sentiment, one for effort;
4. per comment: the steps its sentences name, the mean sentiment and the strongest effort.

    python -m bench.obvious INPUT.csv OUTPUT.csv [--journey ecommerce]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

BATCH_SIZE = 32
HEAD_SCALE = 20.0


def sequence_classifier(path: str, head: str) -> Any:
    """A fp32 Hugging Face encoder with the signals model's top layers, and its ``head`` weights."""
    from safetensors.numpy import load_file as load_numpy
    from safetensors.torch import load_file
    from transformers import AutoModel

    from steplens.pipeline.signals import signals_model_dir

    model = AutoModel.from_pretrained(path, local_files_only=True)
    tuned = load_file(str(signals_model_dir() / "encoder.safetensors"))
    state = {k.split("model.", 1)[1]: v.float() for k, v in tuned.items()}
    missing = model.load_state_dict(state, strict=False)
    assert not missing.unexpected_keys, missing.unexpected_keys
    model.eval()
    heads = load_numpy(str(signals_model_dir() / "heads.safetensors"))
    return model, heads[f"{head}.weight"], heads[f"{head}.bias"]


def classify(tokenizer: Any, parts: Any, texts: Sequence[str]) -> np.ndarray:
    """Class probabilities, batch by batch in input order, each batch padded to its longest."""
    import torch

    model, weight, bias = parts
    out = []
    with torch.inference_mode():
        for start in range(0, len(texts), BATCH_SIZE):
            batch = tokenizer(
                list(texts[start : start + BATCH_SIZE]),
                padding=True,
                truncation=True,
                max_length=256,
                return_tensors="pt",
            )
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1)
            logits = pooled.numpy() * HEAD_SCALE @ weight.T + bias
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            out.append(probs / probs.sum(axis=1, keepdims=True))
    return np.concatenate(out) if out else np.zeros((0, len(bias)))


def main(argv: Sequence[str] | None = None) -> None:
    """Tag INPUT's ``text`` column the obvious way and write one row per comment."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--journey", default="ecommerce")
    args = parser.parse_args(argv)

    import spacy
    from sentence_transformers import SentenceTransformer
    from transformers import AutoTokenizer

    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.paths import encoder_path
    from steplens.pipeline.segment import SPACY_MODEL

    path = str(encoder_path())
    nlp = spacy.load(SPACY_MODEL)
    encoder = SentenceTransformer(path, device="cpu", local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    sentiment_model = sequence_classifier(path, "sentiment")
    effort_model = sequence_classifier(path, "effort")
    journey = load_journey(args.journey)
    prototypes = []
    for step in journey.steps:
        texts = [step.name, *([step.description] if step.description else []), *step.examples]
        mean = encoder.encode(texts, normalize_embeddings=True).mean(axis=0)
        prototypes.append(mean / np.linalg.norm(mean))

    with open(args.input, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    comments = [row.get("text") or "" for row in rows]
    sentences, owners = [], []
    for index, doc in enumerate(nlp.pipe(comments, batch_size=64)):
        for sentence in doc.sents:
            sentences.append(sentence.text)
            owners.append(index)
    vectors = encoder.encode(sentences, batch_size=BATCH_SIZE, normalize_embeddings=True)
    steps = (vectors @ np.array(prototypes).T).argmax(axis=1) if sentences else []
    sentiment = classify(tokenizer, sentiment_model, sentences)
    effort = classify(tokenizer, effort_model, sentences)

    per_comment: list[dict[str, Any]] = [{"steps": [], "s": [], "e": []} for _ in comments]
    for owner, step, s, e in zip(owners, steps, sentiment, effort, strict=True):
        per_comment[owner]["steps"].append(journey.steps[int(step)].id)
        per_comment[owner]["s"].append(float(s[2] - s[0]))
        per_comment[owner]["e"].append(int(e.argmax()))
    with open(args.output, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*rows[0].keys(), "steps", "sentiment_score", "effort"] if rows else [])
        for row, found in zip(rows, per_comment, strict=True):
            writer.writerow(
                [
                    *row.values(),
                    json.dumps(sorted(set(found["steps"]))),
                    round(float(np.mean(found["s"])), 4) if found["s"] else 0.0,
                    max(found["e"], default=0),
                ]
            )


if __name__ == "__main__":
    sys.exit(main())
