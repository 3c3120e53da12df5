"""What kind of sentence a headline or line is: opinion, reaction, service,
scheduled, forward-looking. Matched on the text as written."""

import re

# Opinion, analysis, reaction and service pieces are about the coverage, not the event.
_OPINION = re.compile(
    r"^(?:how|why|what|who|when|where)\b(?!\s+(?:is|was)\s+(?:killed|arrested))|"
    r"^watch live\b|\bthoughts on\b|\brais(?:es|e|ing) (?:\w+ ){0,2}questions\b|^here(?:'s| are| is)\b|"
    r"\banalysts?\b|"
    r"^(opinion|analysis|editorial|comment|column|letters?|view|perspective|explainer|the big read|"
    r"podcast|watch|video|photos?|in pictures|live|live updates?|fact check)\b\s*[:|–—-]|"
    r"\b(opinion|op-ed|i think|we must|we should|here's why|here is why|why (?:the|trump|it|we|this)|"
    r"what (?:it|this) means|lessons? from|the case for|the case against|my take|here's what|"
    r"here’s what|here is what)\b|\?\s",
    re.IGNORECASE,
)
_REACTION = re.compile(
    r"\b(react(?:s|ed|ion|ions)?|slams?|slammed|blasts?|blasted|decr(?:y|ies|ied)|condemns?|condemned|"
    r"hails?|hailed|praises?|praised|mocks?|mocked|rips?|ripped|fumes?|outrage|backlash|stunned|"
    r"lashes out|hits back|fires back|responds?|responded|criticis(?:es|ed|e)|criticiz(?:es|ed|e)|"
    r"celebrat(?:e|es|ed|ing)|mourn(?:s|ed)?|taken aback|baffled|rages?|raging|'insanity')\b",
    re.IGNORECASE,
)
_SERVICE = re.compile(
    r"\b(how to (?:watch|stream|get|buy|apply)|where to (?:watch|stream)|what time|tv channel|live stream|"
    r"livestream|start time|kick-?off time|best deals?|deals? of the|promo code|bonus code|odds|betting|"
    r"picks|predictions?|prediction|everything (?:you need|we know)|what we know|what to know|"
    r"things to know|quiz|crossword|wordle|horoscope|recap|live blog|live updates|as it happened|"
    r"morning briefing|evening briefing|newsletter)\b",
    re.IGNORECASE,
)
# Statements about what comes next: announced dates, pending decisions.
_FORWARD = re.compile(
    r"\b(will|won't|is set to|are set to|set to|is expected to|are expected to|expected to|is due to|"
    r"are due to|due to (?:appear|be|vote|meet|decide|begin|start|face)|scheduled|plans? to|planning to|"
    r"intends? to|is to|are to|vows? to|pledges? to|promises? to|threatens? to|prepares? to|"
    r"preparing to|next week|next month|next year|later this (?:week|month|year)|tomorrow|upcoming|"
    r"deadline|hearing|to appear in court|arraign(?:ed|ment)?|pending|awaits?|awaiting)\b",
    re.IGNORECASE,
)
# Future tense as the very thing reported ('will be charged') rather than a figure of speech.
_NOT_FORWARD = re.compile(
    r"\b(will smith|free will|goodwill|due to (?:the|a|an|his|her|their|bad|heavy))\b", re.I
)


def is_opinion(text: str) -> bool:
    return bool(_OPINION.search(text)) or text.rstrip().endswith("?")


def is_reaction(text: str) -> bool:
    stripped = text.lstrip()
    # A headline that opens on a quote is usually someone's reaction: "'They lied to our face': …"
    opens_on_quote = stripped[:1] in "'‘\"“" and re.match(r"^['‘\"“][^'’\"”]{3,80}['’\"”]\s*[:,-]", stripped)
    return bool(_REACTION.search(text) or opens_on_quote)


def is_service(text: str) -> bool:
    return bool(_SERVICE.search(text))


_SCHEDULED = re.compile(
    r"\b(scheduled|set to|due to|deadline|hearing|to appear|next (?:week|month)|tomorrow|vote on)\b", re.I
)


def is_scheduled(text: str) -> bool:
    """An announced step: a date, a hearing, a vote, a deadline."""
    return bool(_SCHEDULED.search(text))


_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’(?!\w)|(?<!\w)'[^']*'(?!\w)")


def is_forward_looking(text: str) -> bool:
    """Says what comes next, in the reporter's words: 'I will never forget'
    inside quotes is someone's feeling, not an announced step."""
    unquoted = _QUOTED.sub(" ", _NOT_FORWARD.sub(" ", text))
    return bool(_FORWARD.search(unquoted)) and not text.rstrip().endswith("?")
