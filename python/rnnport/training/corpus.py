"""A small generated corpus for the character-model demo and tests: no downloaded text ships.

Sentences from a tiny seeded grammar ("the quick cat sees a small dog ."): a few dozen words and
a strict structure, so a small RNN learns it within a couple of thousand steps and its samples are
recognisably English-shaped.
"""
from __future__ import annotations

import random

CORPUS_CHARACTERS = 20_000  # the defaults of generate() and of `python -m rnnport corpus`
CORPUS_SEED = 0

_DETERMINERS = ["the", "a", "every", "no"]
_ADJECTIVES = ["quick", "lazy", "small", "red", "happy", "old", "clever"]
_NOUNS = ["cat", "dog", "bird", "fox", "child", "robot", "teacher"]
_VERBS = ["sees", "likes", "follows", "finds", "helps", "chases"]
_ADVERBS = ["today", "again", "quietly", "at night"]


def _noun_phrase(rng: random.Random) -> str:
    words = [rng.choice(_DETERMINERS)]
    if rng.random() < 0.6:
        words.append(rng.choice(_ADJECTIVES))
    words.append(rng.choice(_NOUNS))
    return " ".join(words)


def sentence(rng: random.Random) -> str:
    """One sentence: noun phrase, verb, noun phrase, sometimes an adverb, and a full stop."""
    parts = [_noun_phrase(rng), rng.choice(_VERBS), _noun_phrase(rng)]
    if rng.random() < 0.3:
        parts.append(rng.choice(_ADVERBS))
    return " ".join(parts) + "."


def generate(characters: int = CORPUS_CHARACTERS, seed: int = CORPUS_SEED) -> str:
    """At least ``characters`` characters of sentences, one per line."""
    rng = random.Random(seed)
    lines: list[str] = []
    size = 0
    while size < characters:
        lines.append(sentence(rng))
        size += len(lines[-1]) + 1
    return "\n".join(lines) + "\n"
