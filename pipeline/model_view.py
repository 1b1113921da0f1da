"""What the models read: one normalisation of customer text, shared by training and inference.

Customer text carries tokens whose surface form says nothing about sentiment, effort or the
journey step, but which a model trained on other text reads as evidence: a brand handle
(``@united thank you`` read as negative because complaint tweets start with airline handles),
a shortened link, an order number, an e-mail address. :func:`model_view` maps each to one
fixed form, the way TweetEval and the twitter-roberta models prepare tweets:

- user handles -> ``@user``; URLs (``http://...``, ``www...``, ``bit.ly/...``) -> ``http``;
- e-mail addresses -> ``email``; phone numbers -> ``phone number``; order, ticket and other
  reference numbers (5+ digits, or codes mixing letters and 4+ digits) -> ``number``;
- the redactor's placeholders (``[EMAIL]``, ``[PHONE]``, ``[URL]``, ...) read the same as what
  they replaced (``[NAME]`` as one fixed first name), so ``tag --redact`` does not change an
  answer;
- HTML entities decoded (``&amp;`` -> ``&``); hashtags keep their words (``#CustomerService``
  -> ``Customer Service``); letters repeated 3+ times cut to two (``soooo`` -> ``soo``);
  emoji and other pictographs become their Unicode names (``😡`` -> ``pouting face``), which the
  encoder's vocabulary can read (it has no emoji); whitespace folded.

Step classification reads one step further, :func:`step_view`: the handles that open or close
a text (``@united my bag is lost @delta``: whom it is addressed to) and links that end it are
dropped, since they say who was addressed or where to look, not which step; the encoder reads
a bare ``@user`` as e-mail and social media, so replies such as "@user Thank you!" reached a
customer-service step (docs/steps.md). The signals model keeps the model view it was trained
on.

It changes only what the models read: records keep the original (or redacted) text and its
character offsets. The same function runs in ``training/`` (every training text), in the
tagger (``tag``, the service, the Ray engine and the Python API all go through
:class:`~steplens.pipeline.tagger.Tagger`) and in ``train-steps``.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable

from steplens.pipeline.redact.detectors import find_emails, find_phones

USER = "@user"
URL = "http"
EMAIL = "email"
PHONE = "phone number"
NUMBER = "number"

_URL = re.compile(
    r"(?:(?:https?|ftp)://\S*|www\.\S+)"
    r"|(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|net|org|io|co|ly|me|gl|uk|us|de|fr|info|biz|app|ai|tv|gd|be|to|it)"
    r"(?:/[^\s]*)?(?![\w.-])",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{1,30}\b")
_OPENING_HANDLE = re.compile(r"\.*@user[,:;.\-]*")
_CLOSING_TOKEN = re.compile(r"(?:@user|http)([.!?,;:\-]*)")
_PUNCTUATION = re.compile(r"[,:;.\-]+")
_SEPARATOR = re.compile(r"[,:;\-]+")
_WORD = re.compile(r"\w")
_PLACEHOLDER = re.compile(r"\[(URL|EMAIL|IBAN|CARD|PHONE|ADDRESS|NAME)\]")
_PLACEHOLDER_VIEW = {
    "URL": URL,
    "EMAIL": EMAIL,
    "IBAN": NUMBER,
    "CARD": NUMBER,
    "PHONE": PHONE,
    "ADDRESS": "address",
    "NAME": "Alex",  # a name reads as a name: "thanks to Alex" stays thanks to a person
}
_REFERENCE = re.compile(
    r"(?<![\w.,:/$£€¥])#?(?:"
    r"\d(?:[\d-]{3,}\d)"  # 12345, 1234-5678 (5+ characters, digits and dashes)
    r"|(?=[A-Za-z0-9-]*\d(?:[A-Za-z-]*\d){3})(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9-]{4,}"
    r")(?![\w.,:/]\w)"
)
"""Order, ticket and reference numbers: 5+ digits, or a code with letters and 4+ digits."""
_HASHTAG = re.compile(r"(?<![\w&])#([^\W\d_][\w]*)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_SPACE = re.compile(r"\s+")
_SYMBOL_CATEGORIES = frozenset({"So", "Sk"})
_SKIN_TONES = frozenset(range(0x1F3FB, 0x1F400))
_JOINERS = frozenset({"\u200d", "\ufe0f", "\ufe0e", "\u20e3"})


def _spans_replaced(text: str, spans: Iterable[tuple[int, int]], replacement: str) -> str:
    """``text`` with each (non-overlapping) span replaced; later spans first, so offsets hold."""
    for start, end in sorted(spans, reverse=True):
        text = f"{text[:start]} {replacement} {text[end:]}"
    return text


def _url_kept_punctuation(match: re.Match[str]) -> str:
    """``http`` for a URL, keeping the punctuation that ends the sentence after it."""
    url = match.group(0)
    trimmed = url.rstrip(".,;:!?)]}'\"")
    return f" {URL}{url[len(trimmed) :]}"


def _hashtag_words(match: re.Match[str]) -> str:
    return " ".join(_CAMEL.split(match.group(1)))


@functools.lru_cache(maxsize=4096)
def _symbol_name(char: str) -> str:
    """An emoji or pictograph as lower-case words (``😡`` -> ``pouting face``); else itself."""
    if ord(char) in _SKIN_TONES or char in _JOINERS:
        return " "
    if unicodedata.category(char) not in _SYMBOL_CATEGORIES or ord(char) < 0x2000:
        return char
    name = unicodedata.name(char, "")
    return f" {name.lower()} " if name else " "


def _names_for_symbols(text: str) -> str:
    if text.isascii():
        return text
    return "".join(_symbol_name(char) for char in text)


def model_view(text: str) -> str:
    """The normalised copy of ``text`` that the models read (see the module docstring).

    Idempotent: ``model_view(model_view(t)) == model_view(t)``.
    """
    if not text:
        return text
    view = html.unescape(text) if "&" in text else text
    view = _PLACEHOLDER.sub(lambda m: f" {_PLACEHOLDER_VIEW[m.group(1)]} ", view)
    view = _spans_replaced(view, find_emails(view), EMAIL)
    view = _URL.sub(_url_kept_punctuation, view)
    view = _HANDLE.sub(USER, view)
    view = _spans_replaced(view, find_phones(view), PHONE)
    view = _REFERENCE.sub(f" {NUMBER} ", view)
    view = _HASHTAG.sub(_hashtag_words, view)
    view = _ELONGATED.sub(r"\1\1", view)
    view = _names_for_symbols(view)
    return _SPACE.sub(" ", view).strip()


def model_views(texts: Iterable[str]) -> list[str]:
    """:func:`model_view` of each text."""
    return [model_view(text) for text in texts]


def step_view(text: str) -> str:
    """What step classification reads: :func:`model_view` without the handles that open or
    close the text and without a closing link (see the module docstring).

    A text that is nothing but handles and links keeps its model view. Idempotent.
    """
    return without_addressing(model_view(text))


def step_views(texts: Iterable[str]) -> list[str]:
    """:func:`step_view` of each text."""
    return [step_view(text) for text in texts]


def without_addressing(view: str) -> str:
    """A model view without its opening and closing handles and closing links: the step view
    of a text whose model view is ``view`` (the tagger has the model view already).

    Works token by token on the view's single-spaced words (linear in the text's length): from
    the front, handles (``@user``, ``.@user``, ``@user:``) and the punctuation between them;
    from the back, handles and links (``@user``, ``http``), keeping the sentence's closing
    punctuation (``lost my bag @user.`` -> ``lost my bag.``). A handle that is part of a word
    (``@user's``) stays. A view with no word left keeps its model view.
    """
    tokens = view.split(" ")
    start = 0
    while start < len(tokens) and (
        _OPENING_HANDLE.fullmatch(tokens[start])
        or (start > 0 and _PUNCTUATION.fullmatch(tokens[start]))
    ):
        start += 1
    end = len(tokens)
    final = ""  # the text's closing punctuation, carried by its last token if that goes
    while end > start:
        match = _CLOSING_TOKEN.fullmatch(tokens[end - 1])
        if match is None and not (end < len(tokens) and _SEPARATOR.fullmatch(tokens[end - 1])):
            break
        if match is not None and end == len(tokens):
            final = "".join(mark for mark in match.group(1) if mark in ".!?")
        end -= 1
    kept = tokens[start:end]
    if not any(_WORD.search(token) for token in kept):
        return view
    if end < len(tokens):  # "hi, @user!" -> "hi!": no dangling comma, the closing mark kept
        last = kept[-1].rstrip(",;:-") or kept[-1]
        kept[-1] = last if last.endswith((".", "!", "?")) else last + final
    return " ".join(kept)
