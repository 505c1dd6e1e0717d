"""Typed models of a survey definition; the YAML format (docs/survey-format.md) maps onto these."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, ClassVar, Literal, Union
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from app.i18n import text_direction

SURVEY_ID = r"^[a-z0-9][a-z0-9-]{1,62}$"
ITEM_ID = r"^[a-z][a-z0-9_]{0,63}$"
SLUG = r"^[a-z0-9][a-z0-9_-]{0,62}$"
LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"

# Export columns every response has; a question may not take one of these names.
FIXED_COLUMNS = (
    "response_id",
    "survey_version",
    "started_version",
    "status",
    "started_at",
    "submitted_at",
    "duration_seconds",
    "language",
    "channel",
    "demo",
    "last_page",
    "last_active_at",
)
# How a response came (the `channel` column): a shared kiosk device, or a link (QR codes, links).
CHANNELS = ("kiosk", "link")
RESERVED_IDS = frozenset(FIXED_COLUMNS) | {"participant"}
# The value stored when a resident picks the "Other, please specify" choice that `other: true` adds.
OTHER = "other"

SurveyId = Annotated[str, Field(pattern=SURVEY_ID)]
ItemId = Annotated[str, Field(pattern=ITEM_ID)]
Slug = Annotated[str, Field(pattern=SLUG)]
Language = Annotated[str, Field(pattern=LANGUAGE)]
NonEmpty = Annotated[str, Field(min_length=1)]
# The interface texts a survey may word itself (`interface:`), with the source text of each in
# app/languages/interface.py.
InterfaceKey = Literal[
    "start",
    "consent_button",
    "next",
    "back",
    "submit",
    "required",
    "page_of",
    "continue_later",
    "other",
    "other_specify",
    "problem",
    "thank_you",
    "receipt",
    "scan_the_code",
]
# A text is one string for every language, or a map from language code to string.
Text = Union[NonEmpty, dict[Language, NonEmpty]]


def _choice_value(value: Any) -> Any:
    """A choice value is a whole number or a slug; anything else gets one plain message."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(SLUG, value):
        return value
    raise ValueError(
        f"{value!r} is not a valid choice value: use a whole number, or lowercase letters, digits, "
        "'-' and '_' (quote true/false/yes/no if you mean the word)"
    )


ChoiceValue = Annotated[Union[int, str], BeforeValidator(_choice_value)]

# Pictures and recordings are files in the surveys folder's media/ (app/survey_media/ checks and serves them).
IMAGE_EXTENSIONS = ("svg", "png", "jpg", "jpeg", "webp")
AUDIO_EXTENSIONS = ("mp3", "m4a", "aac", "ogg", "opus", "wav")
_MEDIA_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


def media_path_problem(path: str, extensions: tuple[str, ...], noun: str) -> str | None:
    """What is wrong with a path inside the media folder (None: nothing): it stays inside, is named
    plainly and ends in one of `extensions`."""
    if path.startswith(("/", "\\")):
        return f"{path!r}: write the path inside the media folder, without a leading '/' (as waste/glass.svg)"
    if ".." in path.split("/"):
        return f"{path!r}: a media path may not go up a folder ('..')"
    if len(path) > 200 or not all(_MEDIA_NAME.fullmatch(part) for part in path.split("/")):
        return (
            f"{path!r} is not a valid media path: use letters, digits, '-', '_' and '.' in names "
            "separated by '/', not starting with '.' (as waste/glass.svg)"
        )
    name = path.rsplit("/", 1)[-1]
    if "." not in name or name.rsplit(".", 1)[1].lower() not in extensions:
        listed = ", ".join(extensions[:-1]) + " or " + extensions[-1]
        return f"{path!r} is not a {noun} Lyssna {'shows' if noun == 'picture' else 'plays'}: use {listed}"
    return None


def _media_file(extensions: tuple[str, ...], noun: str):
    def check(path: str) -> str:
        problem = media_path_problem(path, extensions, noun)
        if problem:
            raise ValueError(problem)
        return path

    return check


ImageFile = Annotated[str, AfterValidator(_media_file(IMAGE_EXTENSIONS, "picture"))]
AudioFile = Annotated[str, AfterValidator(_media_file(AUDIO_EXTENSIONS, "recording"))]

Scalar = Union[int, float, date, str]
DateBound = Union[Literal["today"], date]


class Strict(BaseModel):
    """Base for every part of a definition: unknown keys are errors, aliases and names both load."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=False)


def text_for(text: Text | None, lang: str, default: str) -> str:
    """The text in `lang`, else in the survey's default language ('' for no text)."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    return text.get(lang) or text.get(default) or next(iter(text.values()))


def _forbid_bool(value: Any) -> Any:
    # YAML reads true/false as booleans; a choice value or compared value must not silently become 1/0.
    if isinstance(value, bool):
        raise ValueError("true/false is not a valid value here; quote it if you mean the word")
    return value


# ----------------------------------------------------------------------------- conditions


class Comparison(Strict):
    """A test of one answer (`question`) or hidden field (`hidden`) with one operator."""

    question: str | None = None
    hidden: str | None = None
    equals: Scalar | None = None
    not_equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in", min_length=1)
    not_in: list[Scalar] | None = Field(default=None, min_length=1)
    gt: Scalar | None = None
    gte: Scalar | None = None
    lt: Scalar | None = None
    lte: Scalar | None = None
    contains: Scalar | None = None
    answered: bool | None = None

    OPERATORS: ClassVar[tuple[str, ...]] = (
        "equals",
        "not_equals",
        "in_",
        "not_in",
        "gt",
        "gte",
        "lt",
        "lte",
        "contains",
        "answered",
    )

    @field_validator("equals", "not_equals", "gt", "gte", "lt", "lte", "contains", mode="before")
    @classmethod
    def _no_bool(cls, value: Any) -> Any:
        return _forbid_bool(value)

    @field_validator("in_", "not_in", mode="before")
    @classmethod
    def _no_bools(cls, value: Any) -> Any:
        if isinstance(value, list):
            for item in value:
                _forbid_bool(item)
        return value

    @model_validator(mode="after")
    def _one_subject_one_operator(self) -> Comparison:
        if (self.question is None) == (self.hidden is None):
            raise ValueError("a condition names exactly one of 'question' or 'hidden'")
        given = [op for op in self.OPERATORS if getattr(self, op) is not None]
        if len(given) != 1:
            names = ", ".join(op.rstrip("_") for op in self.OPERATORS)
            found = ", ".join(op.rstrip("_") for op in given) or "none"
            raise ValueError(f"a condition needs exactly one operator of {names} (found: {found})")
        return self

    @property
    def operator(self) -> str:
        """The operator's name as written in YAML."""
        return next(op for op in self.OPERATORS if getattr(self, op) is not None).rstrip("_")

    @property
    def value(self) -> Any:
        """The value compared against."""
        return getattr(self, "in_" if self.operator == "in" else self.operator)


class AllOf(Strict):
    """True when every condition is true."""

    all_: list[Condition] = Field(alias="all", min_length=1)


class AnyOf(Strict):
    """True when at least one condition is true."""

    any_: list[Condition] = Field(alias="any", min_length=1)


class NotOf(Strict):
    """True when the condition is false."""

    not_: Condition = Field(alias="not")


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return "~" + key
        return "~comparison"
    return {AllOf: "~all", AnyOf: "~any", NotOf: "~not", Comparison: "~comparison"}.get(type(value))


Condition = Annotated[
    Union[
        Annotated[AllOf, Tag("~all")],
        Annotated[AnyOf, Tag("~any")],
        Annotated[NotOf, Tag("~not")],
        Annotated[Comparison, Tag("~comparison")],
    ],
    Discriminator(_condition_kind),
]


# ----------------------------------------------------------------------------- questions


class Picture(Strict):
    """A picture of a question or a choice: a file in the media folder, and what it shows in words."""

    file: ImageFile
    alt: Text | None = None
    decorative: bool = False  # adds nothing to the text beside it: no alt text, screen readers skip it

    @model_validator(mode="after")
    def _alt_unless_decorative(self) -> Picture:
        if self.decorative and self.alt is not None:
            raise ValueError("a decorative picture has no alt text: leave out 'alt' or 'decorative: true'")
        if not self.decorative and self.alt is None:
            raise ValueError(
                "a picture needs 'alt' (what it shows, in words), or 'decorative: true' when the text "
                "beside it says it all"
            )
        return self


# A recording of the question read aloud, per language; a language without one shows no player.
Audio = Annotated[dict[Language, AudioFile], Field(min_length=1)]


class Choice(Strict):
    """One answer option: `value` is the code in exports, `label` the text residents see."""

    value: ChoiceValue
    label: Text
    image: Picture | None = None


def _choices_kind(value: Any) -> str:
    return "~name" if isinstance(value, str) else "~list"


# Choices are written in place, or as the name of a list in `choice_lists`.
Choices = Annotated[
    Union[
        Annotated[list[Choice], Field(min_length=1), Tag("~list")],
        Annotated[str, Tag("~name")],
    ],
    Discriminator(_choices_kind),
]


class MatrixRow(Strict):
    """One statement of a matrix, answered on the shared scale."""

    id: ItemId
    label: Text


class QuestionBase(Strict):
    """Keys every answerable question has."""

    id: ItemId
    label: Text
    hint: Text | None = None
    required: bool = False
    show_if: Condition | None = None
    image: Picture | None = None
    audio: Audio | None = None


class Note(Strict):
    """Text shown to the resident; stores nothing."""

    type: Literal["note"]
    id: ItemId
    text: Text
    label: Text | None = None
    hint: Text | None = None
    show_if: Condition | None = None
    image: Picture | None = None
    audio: Audio | None = None

    required: ClassVar[bool] = False


class TextQuestion(QuestionBase):
    """A short line of text, optionally checked against a regular expression."""

    type: Literal["text"]
    max_length: int = Field(default=200, gt=0, le=10000)
    pattern: str | None = None
    pattern_message: Text | None = None

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


class LongTextQuestion(QuestionBase):
    """A free-text answer of several lines."""

    type: Literal["long_text"]
    max_length: int = Field(default=2000, gt=0, le=100000)


class IntegerQuestion(QuestionBase):
    """A whole number."""

    type: Literal["integer"]
    min: int | None = None
    max: int | None = None


class DecimalQuestion(QuestionBase):
    """A number with decimals."""

    type: Literal["decimal"]
    min: float | None = None
    max: float | None = None
    step: float | None = Field(default=None, gt=0)


class DateQuestion(QuestionBase):
    """A calendar date; `min` and `max` are dates or `today`."""

    type: Literal["date"]
    min: DateBound | None = None
    max: DateBound | None = None


class SingleChoiceQuestion(QuestionBase):
    """One choice of several, as radio buttons or a dropdown."""

    type: Literal["single_choice"]
    choices: Choices
    other: bool = False
    display: Literal["radio", "dropdown"] = "radio"


class MultipleChoiceQuestion(QuestionBase):
    """Any number of choices; `exclusive` values cannot be combined with others."""

    type: Literal["multiple_choice"]
    choices: Choices
    min_selected: int | None = Field(default=None, ge=0)
    max_selected: int | None = Field(default=None, ge=1)
    exclusive: list[ChoiceValue] = []
    other: bool = False


class MatrixQuestion(QuestionBase):
    """Several statements (rows) answered on one shared scale (choices)."""

    type: Literal["matrix"]
    rows: list[MatrixRow] = Field(min_length=1)
    choices: Choices


class RatingQuestion(QuestionBase):
    """Five stars, five smileys, or a 0 to 10 recommendation score (NPS)."""

    type: Literal["rating"]
    scale: Literal["stars5", "smiley5", "nps"]

    @property
    def bounds(self) -> tuple[int, int]:
        return (0, 10) if self.scale == "nps" else (1, 5)


class RankingQuestion(QuestionBase):
    """Put the choices in order; stores the values in ranked order."""

    type: Literal["ranking"]
    choices: Choices


class PhotoQuestion(QuestionBase):
    """A picture from the phone's camera; metadata is stripped on the server."""

    type: Literal["photo"]
    max_mb: float = Field(default=10, gt=0, le=15)  # a request may carry at most 16 MB


QUESTION_TYPES = {
    cls.model_fields["type"].annotation.__args__[0]: cls
    for cls in (
        Note,
        TextQuestion,
        LongTextQuestion,
        IntegerQuestion,
        DecimalQuestion,
        DateQuestion,
        SingleChoiceQuestion,
        MultipleChoiceQuestion,
        MatrixQuestion,
        RatingQuestion,
        RankingQuestion,
        PhotoQuestion,
    )
}


def _question_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("type")
        return None if kind is None else "~" + str(kind)
    return "~" + value.type


Question = Annotated[
    Union[tuple(Annotated[cls, Tag("~" + name)] for name, cls in QUESTION_TYPES.items())],
    Discriminator(_question_kind),
]


# ----------------------------------------------------------------------------- pages and survey


class Page(Strict):
    """One screen of the survey."""

    id: ItemId
    title: Text | None = None
    intro: Text | None = None
    show_if: Condition | None = None
    questions: list[Question] = Field(min_length=1)


class Consent(Strict):
    """The consent step shown before the first page."""

    text: Text


# The question types public results show as figures; free text only ever as approved quotes.
RESULT_TYPES = ("single_choice", "multiple_choice", "rating", "matrix", "integer", "decimal")


class Results(Strict):
    """What residents see back at /s/<id>/results (docs/survey-format.md, "Results for residents")."""

    public: bool = False
    min_group: int = 5  # fewer complete responses than this in a group (a station, a choice): not shown
    questions: tuple[ItemId, ...] = ()  # ids; a tuple, as a list named `questions` holds questions
    by: ItemId | None = None  # a hidden field: results per value of it (per station)
    by_label: Text | None = None  # one value's name, before the value ("Station" 12)
    from_: date | None = Field(default=None, alias="from")  # count responses sent on this day or later

    @field_validator("min_group")
    @classmethod
    def _group_large_enough(cls, value: int) -> int:
        if value < 3:
            raise ValueError(f"min_group must be at least 3 (got {value}): smaller groups single out people")
        return value


class Survey(Strict):
    """A whole survey definition, as validated from one YAML file."""

    id: SurveyId
    title: Text
    description: Text | None = None
    languages: list[Language] = Field(default=["sv"], min_length=1)
    pilot: Slug | None = None
    wave: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    status: Literal["draft", "open", "closed"] = "open"
    opens_at: datetime | date | None = None
    closes_at: datetime | date | None = None
    consent: Consent | None = None
    privacy_notice: Text | None = None
    retention_days: int | None = Field(default=None, gt=0)
    hidden_fields: list[ItemId] = []
    access: Literal["open", "token"] = "open"
    kiosk: bool = False
    # Interface texts (Next, Send answers, ...) the survey words itself, by key and language; and the
    # languages a text its own language lacks is taken from (docs/survey-format.md, "Interface texts").
    interface: dict[InterfaceKey, dict[Language, NonEmpty]] = {}
    fallback_languages: list[Language] | None = None
    # On a kiosk (a `kiosk: true` survey, or a device made one), a response not used this long is forgotten.
    kiosk_idle_seconds: int = Field(default=120, ge=30, le=3600)
    thank_you: Text | None = None
    results: Results | None = None
    choice_lists: dict[ItemId, Annotated[list[Choice], Field(min_length=1)]] = {}
    pages: list[Page] = Field(min_length=1)

    @field_validator("opens_at", "closes_at", mode="before")
    @classmethod
    def _day_stays_a_day(cls, value: Any) -> Any:
        """A day stored as text ("2020-01-31", as a stored version holds it) is a day, not its midnight:
        a survey closing on a day closes at that day's end."""
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        return value

    # ------------------------------------------------------------------ navigation helpers

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def text(self, text: Text | None, lang: str) -> str:
        """A text of this survey in `lang`, falling back to the default language."""
        return text_for(text, lang, self.default_language)

    def interface_fallbacks(self, lang: str) -> tuple[str, ...]:
        """Where an interface text the `lang` catalog lacks comes from: `fallback_languages` (by
        default the survey's first language), then English, never `lang` itself."""
        chain = [*(self.fallback_languages or [self.languages[0]]), "en"]
        return tuple(dict.fromkeys(code for code in chain if code != lang))

    def questions(self) -> list[tuple[Page, Question]]:
        """Every question with its page, in definition order."""
        return [(page, q) for page in self.pages for q in page.questions]

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        return self._questions_by_id().get(question_id)

    def _questions_by_id(self) -> dict[str, Question]:
        cache = self.__dict__.get("_by_id")
        if cache is None:
            cache = {q.id: q for _, q in self.questions()}
            self.__dict__["_by_id"] = cache
        return cache

    def page(self, page_id: str) -> Page | None:
        """The page with this id, or None."""
        return next((p for p in self.pages if p.id == page_id), None)

    def choices(self, question: Question) -> list[Choice]:
        """The choices of a question, with a named choice list resolved."""
        choices = getattr(question, "choices", None)
        if choices is None:
            return []
        if isinstance(choices, str):
            return self.choice_lists.get(choices, [])
        return choices

    def columns(self, question: Question) -> list[str]:
        """The export columns of one question (the layout of the format's "Export layout")."""
        qid = question.id
        if question.type == "note":
            return []
        if question.type in ("multiple_choice", "ranking"):
            names = [f"{qid}_{c.value}" for c in self.choices(question)]
        elif question.type == "matrix":
            names = [f"{qid}_{row.id}" for row in question.rows]
        else:
            names = [qid]
        if getattr(question, "other", False):
            if question.type == "multiple_choice":
                names.append(f"{qid}_other_chosen")
            names.append(f"{qid}_other")
        return names

    # ------------------------------------------------------------------ time window

    def window(self, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
        """When the survey opens and closes, as aware datetimes; a closing date means through that day."""

        def aware(value: datetime | date | None, end_of_day: bool) -> datetime | None:
            if value is None:
                return None
            if not isinstance(value, datetime):
                day = value + timedelta(days=1) if end_of_day else value
                value = datetime.combine(day, time())
            return value if value.tzinfo else value.replace(tzinfo=tz)

        return aware(self.opens_at, False), aware(self.closes_at, True)

    def state(self, now: datetime, tz: ZoneInfo) -> str:
        """'draft', 'scheduled' (not open yet), 'open' or 'closed' at `now`."""
        if self.status != "open":
            return self.status
        opens, closes = self.window(tz)
        if opens and now < opens:
            return "scheduled"
        if closes and now >= closes:
            return "closed"
        return "open"

    def is_rtl(self, lang: str) -> bool:
        """True for right-to-left languages."""
        return text_direction(lang) == "rtl"


for _model in (AllOf, AnyOf, NotOf, Page, Survey):
    _model.model_rebuild()
