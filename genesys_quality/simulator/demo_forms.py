"""The demo organisation's evaluation forms, as plain data (texts, option values, weights per version).

Three contexts with realistic shapes: 15–25 questions in 3–5 groups; critical and kill (fatal)
questions are yes/no style; N/A-enabled groups and questions; a multiple-select question whose
options are Selected/Unselected sub-questions; free-text questions; a read-only text block; a
group shown only when an earlier answer is Yes (visibility condition). "Email Quality Check"
uses `weightMode: OFF`.
"""

from __future__ import annotations

from dataclasses import dataclass

YES_NO = (("Yes", 1), ("No", 0))
YES_NO_2 = (("Yes", 2), ("No", 0))
THREE_LEVEL = (("Fully", 2), ("Partly", 1), ("Not at all", 0))
QUALITY = (("Excellent", 4), ("Good", 2), ("Poor", 0))
FIVE_LEVEL = (("Outstanding", 4), ("Good", 3), ("Fair", 2), ("Weak", 1), ("Not shown", 0))


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    type: str = "multipleChoiceQuestion"
    options: tuple[tuple[str, int], ...] = YES_NO
    critical: bool = False
    kill: bool = False
    na_enabled: bool = False
    help_text: str = ""
    comments_required: bool = False
    select_options: tuple[tuple[str, int], ...] = ()
    """Multiple select only: (option text, points when Selected)."""


@dataclass(frozen=True)
class GroupSpec:
    name: str
    weights: tuple[float, float]
    """Weight in published version 1 and version 2."""
    questions: tuple[QuestionSpec, ...]
    na_enabled: bool = False
    visible_when: tuple[str, ...] = ()
    """Visibility predicates (genesys-api.md §3.2), e.g. `/form/questionGroup/2/question/0/answer/0`."""


@dataclass(frozen=True)
class FormSpec:
    key: str
    name: str
    weight_mode: str
    groups: tuple[GroupSpec, ...]
    second_version_at: float
    """Where in the generated months version 2 is published (0 = first month's start, 1 = anchor month's end)."""
    queue_key: str
    ai_scoring: bool = False
    """Some of its evaluations carry `aiScoring` (a few still pending)."""


def free_text(text: str) -> QuestionSpec:
    return QuestionSpec(text, type="freeTextQuestion", options=())


def read_only(text: str) -> QuestionSpec:
    return QuestionSpec(text, type="readOnlyTextBlockQuestion", options=())


def multiple_select(text: str, *options: tuple[str, int]) -> QuestionSpec:
    return QuestionSpec(text, type="multipleSelectQuestion", options=(), select_options=options)


INBOUND_SUPPORT = FormSpec(
    key="inbound-support",
    name="Inbound Support QA",
    weight_mode="SCALED",
    second_version_at=0.5,
    queue_key="support",
    ai_scoring=True,
    groups=(
        GroupSpec("Greeting & Verification", (20.0, 25.0), (
            QuestionSpec("Did the agent use the standard greeting?", help_text="Company name and own name."),
            QuestionSpec("Did the agent verify the caller's identity?", critical=True, kill=True, comments_required=True,
                         help_text="Two identifiers, e.g. date of birth and postcode."),
            QuestionSpec("Did the agent state their name?"),
            QuestionSpec("Did the agent confirm the reason for the call?"),
        )),
        GroupSpec("Problem Solving", (40.0, 35.0), (
            QuestionSpec("How well did the agent understand the issue?", options=QUALITY),
            QuestionSpec("Did the agent use the knowledge base correctly?", critical=True),
            QuestionSpec("Was the correct troubleshooting sequence followed?", options=THREE_LEVEL),
            multiple_select("Which tools did the agent use?", ("CRM lookup", 1), ("Knowledge base", 1),
                            ("Remote diagnostics", 2), ("Escalation form", 1)),
            QuestionSpec("Was the resolution correct?", options=YES_NO_2, critical=True),
            free_text("Notes on the customer's request"),
        )),
        GroupSpec("Hold & Transfer", (15.0, 15.0), (
            QuestionSpec("Did the agent ask permission before placing the caller on hold?", na_enabled=True),
            QuestionSpec("Was the hold time under two minutes?", na_enabled=True),
            QuestionSpec("Was the transfer warm (introduced to the next agent)?", na_enabled=True),
        ), na_enabled=True),
        GroupSpec("Closing", (25.0, 25.0), (
            QuestionSpec("Did the agent summarise the next steps?"),
            QuestionSpec("Did the agent offer further help?"),
            QuestionSpec("Did the agent use the standard closing?"),
            QuestionSpec("How much empathy did the agent show?", options=FIVE_LEVEL),
            free_text("Coaching notes"),
        )),
    ),
)

SALES_CALL = FormSpec(
    key="sales-call",
    name="Sales Call Review",
    weight_mode="SCALED",
    second_version_at=0.35,
    queue_key="sales",
    ai_scoring=True,
    groups=(
        GroupSpec("Opening", (10.0, 15.0), (
            read_only("Mark Yes only when the disclosure was read verbatim at the start of the call."),
            QuestionSpec("Did the agent read the recording disclosure?", critical=True, kill=True),
            QuestionSpec("Did the agent introduce the company?"),
            QuestionSpec("Did the agent confirm the customer has time to talk?"),
        )),
        GroupSpec("Needs Discovery", (25.0, 20.0), (
            QuestionSpec("Did the agent ask open questions?", options=THREE_LEVEL),
            QuestionSpec("Did the agent identify the budget?"),
            QuestionSpec("Did the agent identify the decision maker?"),
            free_text("Summary of the customer's needs"),
        )),
        GroupSpec("Offer", (30.0, 30.0), (
            QuestionSpec("Was an offer made?"),
            QuestionSpec("Did the agent present the right product?", options=THREE_LEVEL),
            multiple_select("Which benefits did the agent explain?", ("Price", 1), ("Warranty", 1),
                            ("Delivery", 1), ("Support plan", 1)),
            QuestionSpec("How well did the agent handle objections?", options=QUALITY, na_enabled=True),
        )),
        GroupSpec("Closing the Sale", (25.0, 20.0), (
            QuestionSpec("Did the agent ask for the sale?"),
            QuestionSpec("Did the agent confirm the order details?", critical=True),
            QuestionSpec("Did the agent state the terms and conditions?", options=YES_NO_2),
        ), na_enabled=True, visible_when=("/form/questionGroup/2/question/0/answer/0",)),
        GroupSpec("Compliance & Wrap-up", (10.0, 15.0), (
            QuestionSpec("Did the agent avoid prohibited claims?", critical=True, kill=True),
            QuestionSpec("Was the CRM updated?"),
            QuestionSpec("Did the agent thank the customer?"),
            free_text("Call notes"),
        )),
    ),
)

EMAIL_QUALITY = FormSpec(
    key="email-quality",
    name="Email Quality Check",
    weight_mode="OFF",
    second_version_at=0.7,
    queue_key="email",
    groups=(
        GroupSpec("Understanding", (1.0, 2.0), (
            QuestionSpec("Did the reply answer every question in the email?", critical=True),
            QuestionSpec("Did the agent read the earlier thread?"),
            QuestionSpec("Was the customer's tone acknowledged?"),
            QuestionSpec("Was the right category set on the case?"),
            QuestionSpec("Was the reply sent within the service level?"),
        )),
        GroupSpec("Writing", (1.0, 1.0), (
            QuestionSpec("Grammar and spelling", options=QUALITY),
            QuestionSpec("Tone", options=THREE_LEVEL),
            QuestionSpec("Was the formatting clear?"),
            QuestionSpec("Was the reply personalised?"),
            QuestionSpec("Was the template used appropriately?", na_enabled=True),
        ), na_enabled=True),
        GroupSpec("Accuracy & Compliance", (1.0, 1.0), (
            QuestionSpec("Was personal data handled per policy?", critical=True, kill=True),
            QuestionSpec("Was the information accurate?", options=YES_NO_2, critical=True),
            QuestionSpec("Were the attachments correct?", na_enabled=True),
            multiple_select("Which follow-up channels were offered?", ("Phone", 1), ("Chat", 1), ("Self-service", 1)),
            free_text("Reviewer notes"),
        )),
    ),
)

DEMO_FORMS = (INBOUND_SUPPORT, SALES_CALL, EMAIL_QUALITY)
