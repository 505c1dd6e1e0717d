"""Small survey definitions for the answering tests: every question type, kiosk, codes, dates."""

LAB = """\
id: lab
title: {sv: Labbet, en: The lab, ar: المختبر}
languages: [sv, en, ar]
hidden_fields: [station]
thank_you: {sv: Tack från labbet, en: Thanks from the lab, ar: شكرًا من المختبر}
pages:
  - id: first
    title: First
    questions:
      - {id: word, type: text, required: true, max_length: 10, pattern: "^[a-z]+$",
         pattern_message: {sv: Bara små bokstäver, en: Small letters only, ar: أحرف صغيرة فقط}, label: Word}
      - {id: count, type: integer, min: 1, max: 5, label: Count}
      - {id: size, type: decimal, min: 0, max: 10, step: 0.5, label: Size}
      - {id: day, type: date, min: 2020-01-01, max: today, label: Day}
      - id: pick
        type: single_choice
        other: true
        label: Pick
        choices: [{value: 1, label: One}, {value: 2, label: Two}, {value: x, label: Ex}]
      - {id: why, type: long_text, required: true, max_length: 20, label: Why two,
         show_if: {question: pick, equals: 2}}
      - id: many
        type: multiple_choice
        min_selected: 1
        max_selected: 2
        exclusive: [none]
        other: true
        label: Many
        choices:
          [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}, {value: none, label: None}]
  - id: second
    title: Second
    questions:
      - id: grid
        type: matrix
        required: true
        label: Grid
        rows: [{id: r1, label: Row one}, {id: r2, label: Row two}]
        choices: [{value: 1, label: Low}, {value: 2, label: Mid}, {value: 3, label: High}]
      - {id: stars, type: rating, scale: stars5, label: Stars}
      - {id: face, type: rating, scale: smiley5, label: Face}
      - {id: nps, type: rating, scale: nps, label: Recommend}
      - id: rank
        type: ranking
        label: Rank
        choices: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}]
      - id: drop
        type: single_choice
        display: dropdown
        label: Drop
        choices: [{value: 1, label: One}, {value: 2, label: Two}]
  - id: third
    title: Third
    show_if: {question: count, gte: 3}
    questions:
      - {id: later, type: text, label: Later}
  - id: fourth
    title: Fourth
    questions:
      - {id: info, type: note, text: Almost done}
      - {id: station_q, type: text, label: Station question, show_if: {hidden: station, equals: "12"}}
      - {id: last, type: text, label: Last}
"""

KIOSK = """\
id: kiosk
title: Kiosk
kiosk: true
pages:
  - id: only
    questions:
      - {id: mood, type: rating, scale: smiley5, label: Mood, required: true}
"""

TOKEN = """\
id: panel
title: Panel
access: token
pages:
  - id: one
    questions:
      - {id: q, type: text, label: Q}
  - id: two
    questions:
      - {id: r, type: text, label: R}
"""

STATES = """\
id: {id}
title: Survey {id}
{extra}
pages:
  - id: p
    questions:
      - {{id: q, type: text, label: Q}}
"""

PERSIAN = """\
id: farsi
title: {fa: نظرسنجی, sv: Enkät}
languages: [fa, sv]
pages:
  - id: p
    questions:
      - {id: q, type: text, label: {fa: سؤال, sv: Fråga}, required: true}
"""
