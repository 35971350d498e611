"""The xAPI vocabulary learnpass uses, in one place: verbs, activity types, extensions, categories.

Every IRI the tool writes into a statement (or reads as a fixed xAPI term) is a constant here, and
nowhere else: tests/xapi/test_vocabulary.py fails on a literal xAPI IRI in any other module of
``lti_tool``, ``xapi`` or ``learning_packages``, on a constant here that docs/xapi-profile.md does not
document, and on a verb the profile declares that no code emits.

Adding a term: one line in the class it belongs to (``NAME: Final = BASE + "name"``), a row in
the matching table of docs/xapi-profile.md, and the code that emits it uses ``vocab.Verb.NAME``
(or the short name, ``"name"``, where an API takes one). The short name and the English display
name come from the constant's name (``UNREGISTERED`` -> ``"unregistered"``).

Verbs are spelled the ADL way (``http://adlnet.gov/expapi/verbs/...``) so every analyst query
matches one IRI per idea; the cmi5 verbs are the ones the cmi5 specification fixes. Activity
types are ADL's where one exists; the few the tool needs beyond that live under our own profile
IRI.
"""

from __future__ import annotations

from typing import Final

ADL_VERBS: Final = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES: Final = "http://adlnet.gov/expapi/activities/"
ADL_W3ID_VERBS: Final = "https://w3id.org/xapi/adl/verbs/"
CMI5_BASE: Final = "https://w3id.org/xapi/cmi5/"

PROFILE_IRI: Final = "https://learnpass.org/xapi/profile/1.0"
"""``context.contextActivities.category`` of every statement the tool emits."""

PROFILE_BASE: Final = "https://learnpass.org/xapi/"

XAPI_VERSION: Final = "1.0.3"

SIGNATURE_ATTACHMENT_USAGE: Final = "http://adlnet.gov/expapi/attachments/signature"
"""``usageType`` of a signed statement's JWS attachment (xAPI 1.0.3, Data 2.6)."""


class Verb:
    """Verb IRIs; the short name (lower case) is what ``Emitter.emit(verb=...)`` also accepts."""

    LAUNCHED: Final = ADL_VERBS + "launched"
    INITIALIZED: Final = ADL_VERBS + "initialized"
    # A page was viewed: a catalogue offer (catalogue_xapi.py), a knowledge-base item opened in a
    # course (catalogue/material_opens.py).
    EXPERIENCED: Final = ADL_VERBS + "experienced"
    REGISTERED: Final = ADL_VERBS + "registered"
    ATTENDED: Final = ADL_VERBS + "attended"
    UNREGISTERED: Final = ADL_VERBS + "unregistered"
    PROGRESSED: Final = ADL_VERBS + "progressed"
    COMPLETED: Final = ADL_VERBS + "completed"
    PASSED: Final = ADL_VERBS + "passed"
    FAILED: Final = ADL_VERBS + "failed"
    RESPONDED: Final = ADL_VERBS + "responded"
    ANSWERED: Final = ADL_VERBS + "answered"
    SCORED: Final = ADL_VERBS + "scored"
    SUSPENDED: Final = ADL_VERBS + "suspended"
    RESUMED: Final = ADL_VERBS + "resumed"
    TERMINATED: Final = ADL_VERBS + "terminated"
    VOIDED: Final = ADL_VERBS + "voided"
    # The passport's credentials (lti_tool/passports): issued, withdrawn, past their validity.
    EARNED: Final = ADL_VERBS + "earned"
    REVOKED: Final = ADL_VERBS + "revoked"
    EXPIRED: Final = ADL_VERBS + "expired"
    # The LMS's own cmi5 statements (cmi5 specification, 9.3).
    ABANDONED: Final = ADL_W3ID_VERBS + "abandoned"
    WAIVED: Final = ADL_W3ID_VERBS + "waived"
    SATISFIED: Final = ADL_W3ID_VERBS + "satisfied"
    ABSENT: Final = PROFILE_BASE + "verbs/absent"
    """Ours (ADL has no verb for it): a learner was not at a session day (absent or excused)."""
    # The catalogue (lti_tool/catalogue/catalogue_xapi.py); ADL has no verb for either.
    SEARCHED: Final = PROFILE_BASE + "verbs/searched"
    """Ours: someone searched the catalogue (the words, filters and count in result extensions)."""
    EXPRESSED_INTEREST: Final = PROFILE_BASE + "verbs/expressed-interest"
    """Ours: a company (or a platform's organisation) marked interest in a catalogue offer."""


VERBS: Final[dict[str, str]] = {
    name.lower(): value for name, value in vars(Verb).items() if name.isupper()
}
"""Short name -> IRI, e.g. ``"completed"`` -> ``http://adlnet.gov/expapi/verbs/completed``."""

VERB_DISPLAY: Final[dict[str, str]] = {iri: name for name, iri in VERBS.items()}
"""IRI -> the English ``verb.display`` the tool writes (the short name)."""


class ActivityType:
    """Activity type IRIs: ADL's where they exist, ours for what ADL does not name."""

    COURSE: Final = ADL_ACTIVITIES + "course"
    MODULE: Final = ADL_ACTIVITIES + "module"
    LESSON: Final = ADL_ACTIVITIES + "lesson"
    ASSESSMENT: Final = ADL_ACTIVITIES + "assessment"
    INTERACTION: Final = ADL_ACTIVITIES + "cmi.interaction"
    QUESTION: Final = ADL_ACTIVITIES + "question"
    MEETING: Final = ADL_ACTIVITIES + "meeting"
    PERFORMANCE: Final = ADL_ACTIVITIES + "performance"
    PROFILE: Final = ADL_ACTIVITIES + "profile"
    LINK: Final = ADL_ACTIVITIES + "link"
    MEDIA: Final = ADL_ACTIVITIES + "media"
    FILE: Final = ADL_ACTIVITIES + "file"
    LMS: Final = PROFILE_BASE + "activity-types/lms"
    """The learning platform (an LTI issuer) as a grouping activity."""
    RESOURCE_LINK: Final = PROFILE_BASE + "activity-types/resource-link"
    PASSPORT: Final = PROFILE_BASE + "activity-types/passport"
    PASSPORT_ENTRY: Final = PROFILE_BASE + "activity-types/passport-entry"
    CREDENTIAL: Final = PROFILE_BASE + "activity-types/credential"
    """A credential (certificate) the passport issued; its id is its public verify address."""
    LEARNING_PATH: Final = PROFILE_BASE + "activity-types/learning-path"
    PATH_STEP: Final = PROFILE_BASE + "activity-types/path-step"
    SURVEY: Final = PROFILE_BASE + "activity-types/survey"
    SCORM_PACKAGE: Final = PROFILE_BASE + "activity-types/scorm-package"
    SCO: Final = PROFILE_BASE + "activity-types/sco"
    CATALOGUE: Final = PROFILE_BASE + "activity-types/catalogue"
    """The network's public catalogue of training offers (what is searched)."""
    CATALOGUE_OFFER: Final = PROFILE_BASE + "activity-types/catalogue-offer"
    """One offer of the catalogue; its id is its public page's address."""
    CATALOGUE_MATERIAL: Final = PROFILE_BASE + "activity-types/catalogue-material"
    """One item of the knowledge base (a link, a video link); its id is its public page."""
    CMI5_COURSE: Final = CMI5_BASE + "activitytype/course"
    """cmi5: the course, in the LMS's ``satisfied`` statements (9.6.2.1)."""
    CMI5_BLOCK: Final = CMI5_BASE + "activitytype/block"
    """cmi5: a block of AUs, in the LMS's ``satisfied`` statements (9.6.2.1)."""


ACTIVITY_TYPES: Final[dict[str, str]] = {
    name.lower().replace("_", "-"): value
    for name, value in vars(ActivityType).items()
    if name.isupper()
}


class Extension:
    """Extension IRIs (context and result); values are plain JSON."""

    LTI_DEPLOYMENT: Final = PROFILE_BASE + "extensions/lti-deployment-id"
    """context: the LTI deployment id of the launch (string)."""
    LTI_CONTEXT_ID: Final = PROFILE_BASE + "extensions/lti-context-id"
    """context: the LMS course id as the platform sends it (string)."""
    LTI_RESOURCE_LINK_ID: Final = PROFILE_BASE + "extensions/lti-resource-link-id"
    """context: the LMS resource link id (string)."""
    LTI_ROLE: Final = PROFILE_BASE + "extensions/lti-role"
    """context: learnpass role at launch: learner, instructor or admin."""
    SESSION_ID: Final = PROFILE_BASE + "extensions/session-id"
    """context: the launch id that groups the statements of one visit (string)."""
    EVIDENCE_URL: Final = PROFILE_BASE + "extensions/evidence-url"
    """result: where the evidence (file, note) of a passport entry can be seen (IRL)."""
    SCORM_CMI: Final = PROFILE_BASE + "extensions/scorm-cmi"
    """result: the SCORM run-time values that led to this statement (object)."""
    PROGRESS: Final = CMI5_BASE + "result/extensions/progress"
    """result: progress as a whole percentage 0-100 (the cmi5 extension)."""
    BOOKING_STATUS: Final = PROFILE_BASE + "extensions/booking-status"
    """result: a session booking's status after the change: booked, waiting or cancelled."""
    BOOKED_BY_TRAINER: Final = PROFILE_BASE + "extensions/booked-by-trainer"
    """result: true when a trainer made the change for the learner (boolean)."""
    CMI5_SESSION_ID: Final = CMI5_BASE + "context/extensions/sessionid"
    """context (cmi5): the launch session of an AU."""
    CMI5_MASTERY_SCORE: Final = CMI5_BASE + "context/extensions/masteryscore"
    """context (cmi5): the AU's mastery score, in launch data and judged statements."""
    CMI5_LAUNCH_MODE: Final = CMI5_BASE + "context/extensions/launchmode"
    """context (cmi5): Normal, Browse or Review, in the LMS.LaunchData state."""
    CMI5_LAUNCH_URL: Final = CMI5_BASE + "context/extensions/launchurl"
    """context (cmi5): the AU's launch URL, in the LMS.LaunchData state."""
    CMI5_MOVE_ON: Final = CMI5_BASE + "context/extensions/moveon"
    """context (cmi5): the AU's moveOn criterion, in the LMS.LaunchData state."""
    CMI5_LAUNCH_PARAMETERS: Final = CMI5_BASE + "context/extensions/launchparameters"
    """context (cmi5): the AU's launch parameters, in the LMS.LaunchData state."""
    CMI5_REASON: Final = CMI5_BASE + "result/extensions/reason"
    """result (cmi5): why an AU was waived."""
    SESSION_DAY: Final = PROFILE_BASE + "extensions/session-day"
    """context: the session day of an attendance statement, as an ISO date (string)."""
    ATTENDANCE_STATUS: Final = PROFILE_BASE + "extensions/attendance-status"
    """result: present, late, left_early, excused or absent (string)."""
    LATE: Final = PROFILE_BASE + "extensions/late"
    """result: true when the learner came late (boolean)."""
    LEFT_EARLY: Final = PROFILE_BASE + "extensions/left-early"
    """result: true when the learner left before the end (boolean)."""
    ATTENDANCE_SOURCE: Final = PROFILE_BASE + "extensions/attendance-source"
    """result: how it was recorded: sheet, qr or import (string)."""
    SURVEY_VERSION: Final = PROFILE_BASE + "extensions/survey-version"
    """context: the version of the survey a response answered (integer, 1, 2...)."""
    CURRENT_LEVEL: Final = PROFILE_BASE + "extensions/current-level"
    """result: a competence item's level now, on the survey's scale (integer)."""
    REQUIRED_LEVEL: Final = PROFILE_BASE + "extensions/required-level"
    """result: a competence item's level the work needs, on the survey's scale (integer)."""
    IMPORTANCE: Final = PROFILE_BASE + "extensions/importance"
    """result: how important a competence is for the work, 1 to 5 (integer)."""
    SEARCH_TEXT: Final = PROFILE_BASE + "extensions/search-text"
    """result: the words of a catalogue search as typed (string, may be empty)."""
    SEARCH_FILTERS: Final = PROFILE_BASE + "extensions/search-filters"
    """result: the filters and sort of a catalogue search (object)."""
    RESULT_COUNT: Final = PROFILE_BASE + "extensions/result-count"
    """result: how many offers a catalogue search found, counted up to 1,000 (integer)."""
    PEOPLE: Final = PROFILE_BASE + "extensions/people"
    """result: for how many people interest in an offer was marked (integer)."""
    SEARCH_CHANNEL: Final = PROFILE_BASE + "extensions/search-channel"
    """context: where a catalogue search came from: page (the public page) or api (JSON)."""


EXTENSIONS: Final[dict[str, str]] = {
    name.lower().replace("_", "-"): value
    for name, value in vars(Extension).items()
    if name.isupper()
}


class Category:
    """``context.contextActivities.category`` activities besides our profile (``PROFILE_IRI``)."""

    CMI5: Final = CMI5_BASE + "context/categories/cmi5"
    """cmi5: a statement made under the cmi5 rules (9.6.2.1)."""
    CMI5_MOVEON: Final = CMI5_BASE + "context/categories/moveon"
    """cmi5: a statement that counts for moveOn (9.6.2.2)."""


def verb_iri(verb: str) -> str:
    """A short name (``"completed"``) or a full IRI; a short name must be one we know."""
    if ":" in verb:
        return verb
    try:
        return VERBS[verb]
    except KeyError:
        raise ValueError(
            f"unknown verb {verb!r}; use one of {', '.join(sorted(VERBS))} or a full IRI"
        ) from None


def activity_type_iri(activity_type: str) -> str:
    if ":" in activity_type:
        return activity_type
    try:
        return ACTIVITY_TYPES[activity_type]
    except KeyError:
        raise ValueError(f"unknown activity type {activity_type!r}") from None
